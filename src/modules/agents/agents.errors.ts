import { AggregateNotFoundError } from '../../common/errors';

export class AgentNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('agent', id);
  }
}
