import { ApiProperty } from '@nestjs/swagger';
import { RunResponse, runFields } from '../../workflows/dto/run.response';
import { Page } from '../../../common/persistence/paginate';
import { TASK_STATUSES, TaskStatus } from '../task.entity';
import { PageOf } from '../../../common/http/collections';
import { AgentKeys, ApiAgentKey, WithAgentKeys } from '../../agents/agent-keys';
import { TaskView } from '../tasks.service';

export class TaskResponse extends RunResponse {
  @ApiProperty({ format: 'uuid' })
  workflowId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null when unassigned, or once the agent is deleted' })
  agentId: string | null;

  @ApiAgentKey('agentId')
  agentKey: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The parent of a subtask; list a parent’s subtasks with GET /tasks/:id/subtasks' })
  parentTaskId: string | null;

  @ApiProperty()
  description: string;

  @ApiProperty({ type: 'integer', example: 0 })
  priority: number;

  @ApiProperty({ enum: TASK_STATUSES })
  status: TaskStatus;

  @ApiProperty({ type: Number, nullable: true })
  durationMs: number | null;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Ids of the tasks that must complete before this one may start' })
  dependsOn: string[];

  static from({ task, dependsOn }: TaskView, agentKeys: AgentKeys): TaskResponse {
    return Object.assign(runFields(task), {
      workflowId: task.workflowId,
      agentId: task.agentId,
      agentKey: agentKeys.of(task.agentId),
      parentTaskId: task.parentTaskId,
      description: task.description,
      priority: task.priority,
      status: task.status,
      durationMs: task.durationMs,
      dependsOn,
    });
  }
}

export class TaskPage extends PageOf(TaskResponse) {
  static from({ value: page, agentKeys }: WithAgentKeys<Page<TaskView>>): TaskPage {
    return { items: page.items.map((view) => TaskResponse.from(view, agentKeys)), nextCursor: page.nextCursor };
  }
}

export class BulkTaskResponse extends TaskResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The ref the item was sent with' })
  ref: string | null;
}

export class BulkTaskList {
  @ApiProperty({ type: [BulkTaskResponse], description: 'In the order of the request’s items' })
  items: BulkTaskResponse[];
}
