import { AggregateNotFoundError, BadRequestError, DomainError, ErrorCode } from '../../common/errors';
import { ServiceCallRecord, ServiceCallStatus } from './service-call-record.entity';

export class ServiceCallNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('service call', id);
  }
}

export class NothingToRedriveError extends DomainError<ErrorCode.NotRedrivable> {
  readonly code = ErrorCode.NotRedrivable;

  constructor(id: string, status: ServiceCallStatus) {
    super(`service call ${id} is ${status}: only dead-lettered results can be redriven`, { currentStatus: status });
  }
}

/**
 * The (callId, schema) names another result: accepted earlier with another result or namespace,
 * or sent twice in one bulk request with different ones. Refused rather than answered with the
 * first, so that a client never takes someone else's result for its own.
 */
export class CallIdConflictError extends DomainError<ErrorCode.CallIdConflict> {
  readonly code = ErrorCode.CallIdConflict;

  /** `item`: the index of the refused item in a bulk request. */
  static withRecord(first: ServiceCallRecord, differs: 'result' | 'namespace', item?: number): CallIdConflictError {
    const where = item === undefined ? '' : `items.${item}: `;
    return new CallIdConflictError(
      `${where}callId ${first.callId} with schema ${first.schemaIdentity} was accepted earlier (service call ${first.id}) with another ${differs}; ` +
        'send a new callId for a new result',
      { recordId: first.id, callId: first.callId, schema: first.schemaIdentity, differs, ...(item === undefined ? {} : { item }) },
    );
  }

  static withinRequest(callId: string, schema: string, firstItem: number, item: number, differs: 'result' | 'namespace'): CallIdConflictError {
    return new CallIdConflictError(
      `items.${item}: callId ${callId} with schema ${schema} is also items.${firstItem}, with another ${differs}; nothing was stored`,
      { callId, schema, differs, item, firstItem },
    );
  }
}

/** A redrive or a dead-letter query names a handler the registry does not have. */
export class UnknownHandlerError extends BadRequestError {
  constructor(handler: string) {
    super(`no persistence handler is registered as ${handler}; GET /api/v1/handlers lists them`);
  }
}
