import { AggregateNotFoundError } from '../../common/errors';

export class WorkflowNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('workflow', id);
  }
}
