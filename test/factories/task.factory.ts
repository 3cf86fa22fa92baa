import { randomUUID } from 'node:crypto';
import { BulkTaskItemDto } from '../../src/modules/tasks/dto/bulk-create-tasks.dto';
import { CreateSubtaskDto, CreateTaskDto } from '../../src/modules/tasks/dto/create-task.dto';

/** A valid `POST /tasks` body in `workflowId`; pass overrides for what the test is about. */
export function makeTask(workflowId: string, overrides: Partial<CreateTaskDto> = {}): CreateTaskDto {
  return {
    workflowId,
    description: `Collect sources ${randomUUID().slice(0, 8)}`,
    priority: 1,
    input: { query: 'solid-state battery' },
    ...overrides,
  };
}

/** A valid `POST /tasks/:id/subtasks` body. */
export function makeSubtask(overrides: Partial<CreateSubtaskDto> = {}): CreateSubtaskDto {
  return { description: `Read one source ${randomUUID().slice(0, 8)}`, input: { source: 1 }, ...overrides };
}

/** A valid item of `POST /tasks/bulk`. */
export function makeBulkTask(workflowId: string, overrides: Partial<BulkTaskItemDto> = {}): BulkTaskItemDto {
  return { workflowId, description: `Step ${randomUUID().slice(0, 8)}`, ...overrides };
}
