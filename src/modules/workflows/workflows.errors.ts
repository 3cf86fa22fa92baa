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
