import { AggregateNotFoundError, ConflictError } from '../../common/errors';

export class ServiceCallNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('service call', id);
  }
}

export class NothingToRedriveError extends ConflictError {
  constructor(id: string, status: string) {
    super(`service call ${id} is ${status}: only dead-lettered results can be redriven`, { status });
  }
}
