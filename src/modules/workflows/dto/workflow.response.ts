import { ApiProperty } from '@nestjs/swagger';
import { WORKFLOW_STATUSES, Workflow, WorkflowStatus } from '../workflow.entity';
import { TaskCounts } from '../workflows.repository';
import { RunResponse, runFields } from './run.response';
import { PageOf } from '../../../common/http/collections';

export class WorkflowResponse extends RunResponse {
  @ApiProperty()
  description: string;

  @ApiProperty({ enum: WORKFLOW_STATUSES })
  status: WorkflowStatus;

  static from(workflow: Workflow): WorkflowResponse {
    return Object.assign(runFields(workflow), {
      description: workflow.description,
      status: workflow.status,
    });
  }
}

export class TaskCountsResponse implements TaskCounts {
  @ApiProperty({ type: 'integer', example: 3 })
  pending: number;

  @ApiProperty({ type: 'integer', example: 1 })
  running: number;

  @ApiProperty({ type: 'integer', example: 5 })
  completed: number;

  @ApiProperty({ type: 'integer', example: 0 })
  failed: number;

  @ApiProperty({ type: 'integer', example: 0 })
  cancelled: number;
}

/** One workflow with how many of its tasks are in each status. */
export class WorkflowDetailResponse extends WorkflowResponse {
  @ApiProperty({ type: TaskCountsResponse, description: 'Tasks of the workflow by status, zeros included' })
  taskCounts: TaskCountsResponse;

  static withCounts(workflow: Workflow, taskCounts: TaskCounts): WorkflowDetailResponse {
    return Object.assign(WorkflowResponse.from(workflow), { taskCounts });
  }
}

export class WorkflowPage extends PageOf(WorkflowResponse) {}
