import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../common/http/audited.response';
import { WORKFLOW_STATUSES, Workflow, WorkflowStatus } from '../workflow.entity';
import { TaskCounts } from '../workflows.repository';

export class WorkflowResponse extends AuditedResponse {
  @ApiProperty()
  description: string;

  @ApiProperty({ enum: WORKFLOW_STATUSES })
  status: WorkflowStatus;

  @ApiProperty({ type: 'object', additionalProperties: true })
  input: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set by the transition to running' })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set by the transition to a final state' })
  finishedAt: string | null;

  static from(workflow: Workflow): WorkflowResponse {
    return {
      ...auditedFields(workflow),
      description: workflow.description,
      status: workflow.status,
      input: workflow.input,
      output: workflow.output,
      error: workflow.error,
      startedAt: workflow.startedAt?.toISOString() ?? null,
      finishedAt: workflow.finishedAt?.toISOString() ?? null,
    };
  }
}

export class TaskCountsResponse implements TaskCounts {
  @ApiProperty({ example: 3 })
  pending: number;

  @ApiProperty({ example: 1 })
  running: number;

  @ApiProperty({ example: 5 })
  completed: number;

  @ApiProperty({ example: 0 })
  failed: number;

  @ApiProperty({ example: 0 })
  cancelled: number;
}

/** One workflow with how many of its tasks are in each status. */
export class WorkflowDetailResponse extends WorkflowResponse {
  @ApiProperty({ type: TaskCountsResponse, description: 'Tasks of the workflow by status, zeros included' })
  taskCounts: TaskCountsResponse;

  static withCounts(workflow: Workflow, taskCounts: TaskCounts): WorkflowDetailResponse {
    return { ...WorkflowResponse.from(workflow), taskCounts };
  }
}

export class WorkflowPage {
  @ApiProperty({ type: [WorkflowResponse] })
  items: WorkflowResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  nextCursor: string | null;
}
