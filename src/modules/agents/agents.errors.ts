import { AggregateNotFoundError, DomainError, ErrorCode } from '../../common/errors';

export class AgentNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('agent', id);
  }
}

/** A key another agent of the tenant already has (or one repeated in a batch): 409 naming the keys. */
export class AgentKeyTakenError extends DomainError<ErrorCode.AgentKeyTaken> {
  readonly code = ErrorCode.AgentKeyTaken;

  constructor(keys: string[]) {
    super(keys.length === 1 ? `an agent with key "${keys[0]}" already exists` : `a key repeats in the batch or names an existing agent: ${keys.join(', ')}`, {
      keys,
    });
  }
}
