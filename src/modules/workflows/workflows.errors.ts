import { AggregateNotFoundError, UnprocessableError } from '../../common/errors';
import { WorkflowStatus } from './workflow.entity';

export class WorkflowNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('workflow', id);
  }
}

/** A change to a workflow in a final state (completed, failed, cancelled): 422. */
export class WorkflowFinishedError extends UnprocessableError {
  constructor(id: string, status: WorkflowStatus) {
    super(`workflow ${id} is ${status}, a final state: it can no longer change`, { status });
  }
}

/** `startedAt` sent with a change that does not start the workflow or task: 422, nothing changed. */
export class StartedAtWithoutStartError extends UnprocessableError {
  constructor(aggregateType: 'workflow' | 'task', id: string) {
    super(`startedAt is taken only by a change that starts ${aggregateType} ${id} (pending → running, or pending → completed | failed)`, {
      field: 'startedAt',
    });
  }
}
