import { AggregateNotFoundError } from '../../common/errors';

export class MessageNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('message', id);
  }
}
