import type { ProblemCode, ProblemOf } from './api-types';

/** An RFC 9457 problem as the server sends it: `code` says which error it is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  correlationId?: string;
  [member: string]: unknown;
}

/**
 * Any answer of the server that is not a success. `code` is the problem's code (e.g. `NOT_FOUND`);
 * `problem` is the body, typed by the document for the class of its code (`TaskBlockedError`'s
 * has `blockedBy`), so its members need no cast.
 */
export class ApiError<P extends Problem = Problem> extends Error {
  readonly status: number;
  readonly code: P['code'];
  readonly correlationId?: string;

  constructor(readonly problem: P) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = new.target.name;
    this.status = problem.status;
    this.code = problem.code;
    this.correlationId = problem.correlationId;
  }
}

export class BadRequestError extends ApiError<ProblemOf<'BAD_REQUEST'>> {}

export class ValidationFailedError extends ApiError<ProblemOf<'VALIDATION_FAILED'>> {
  /** The offending fields, as dotted paths (`items.3.name`). */
  get errors(): { field: string; message: string }[] {
    return this.problem.errors;
  }
}

/** A cursor (`after`, `Last-Event-ID`) this server did not give this tenant. */
export class InvalidCursorError extends ApiError<ProblemOf<'INVALID_CURSOR'>> {}
export class UnauthenticatedError extends ApiError<ProblemOf<'UNAUTHENTICATED'>> {}
export class ForbiddenError extends ApiError<ProblemOf<'FORBIDDEN'>> {}
export class NotFoundError extends ApiError<ProblemOf<'NOT_FOUND'>> {}

/** The resource changed since you read it: re-read it (or use `client.update`, which does). */
export class VersionConflictError extends ApiError<ProblemOf<'VERSION_CONFLICT'>> {
  get currentVersion(): number {
    return this.problem.currentVersion;
  }
}

/** Any other 409: each kind of conflict has a class (and a code) of its own. */
export class ConflictError<P extends Problem = Problem> extends ApiError<P> {}

/** The task may not start yet: `blockedBy` names the tasks it waits for. */
export class TaskBlockedError extends ConflictError<ProblemOf<'TASK_BLOCKED'>> {
  get blockedBy(): string[] {
    return this.problem.blockedBy;
  }
}

/** Another agent of the tenant has the key (`problem.keys`). */
export class AgentKeyTakenError extends ConflictError<ProblemOf<'AGENT_KEY_TAKEN'>> {}
/** Another pattern of the tenant has the trigger (`problem.triggers`). */
export class PatternTriggerTakenError extends ConflictError<ProblemOf<'PATTERN_TRIGGER_TAKEN'>> {}
/** Only a dead-lettered service call can be redriven (`problem.currentStatus` says what it is). */
export class NotRedrivableError extends ConflictError<ProblemOf<'NOT_REDRIVABLE'>> {}
/** The integrated object kept changing during the import: retry it. */
export class ImportContendedError extends ConflictError<ProblemOf<'IMPORT_CONTENDED'>> {}
/** The (callId, schema) was handed over before with another result or namespace (`problem.recordId`: the first). */
export class CallIdConflictError extends ConflictError<ProblemOf<'CALL_ID_CONFLICT'>> {}
/** Another request with the same Idempotency-Key is still running. Retried by the client. */
export class IdempotencyKeyInUseError extends ConflictError<ProblemOf<'IDEMPOTENCY_KEY_IN_USE'>> {}
/** The Idempotency-Key was used before with another body. */
export class IdempotencyKeyReusedError extends ApiError<ProblemOf<'IDEMPOTENCY_KEY_REUSED'>> {}
export class PayloadTooLargeError extends ApiError<ProblemOf<'PAYLOAD_TOO_LARGE'>> {}
export class UnsupportedMediaTypeError extends ApiError<ProblemOf<'UNSUPPORTED_MEDIA_TYPE'>> {}

/** The request is well-formed but refused by the rules (an illegal transition, an unknown reference, a cycle). */
export class UnprocessableError extends ApiError<ProblemOf<'UNPROCESSABLE'>> {
  get cycle(): string[] | undefined {
    return this.problem.cycle;
  }
}

/** An update sent without a version. */
export class PreconditionRequiredError extends ApiError<ProblemOf<'PRECONDITION_REQUIRED'>> {}

/** Over a limit: the rate limit of the key (RATE_LIMITED) or its open event streams (TOO_MANY_STREAMS). */
export class RateLimitedError<P extends ProblemOf<'RATE_LIMITED' | 'TOO_MANY_STREAMS'> = ProblemOf<'RATE_LIMITED'>> extends ApiError<P> {
  /** Undefined when the refusal came from something in front of the server, without a problem body. */
  get retryAfterSeconds(): number | undefined {
    return this.problem.retryAfterSeconds;
  }
}

export class TooManyStreamsError extends RateLimitedError<ProblemOf<'TOO_MANY_STREAMS'>> {}
export class ServiceUnavailableError extends ApiError<ProblemOf<'SERVICE_UNAVAILABLE' | 'REQUEST_TIMEOUT'>> {}
export class InternalServerError extends ApiError {}

type ApiErrorClass = new (problem: Problem) => ApiError;
/** The class of some code, whatever the problem its constructor takes. */
type AnyErrorClass = new (problem: never) => ApiError;

/**
 * The class of each problem code, taking the problem of its code: the compiler asks for one for
 * every code of the document. A code not listed (a newer server) gets the class of its status.
 */
const ERROR_CLASSES: { [C in ProblemCode]: new (problem: ProblemOf<C>) => ApiError } & Record<'CONFLICT' | 'INTERNAL', ApiErrorClass> = {
  BAD_REQUEST: BadRequestError,
  VALIDATION_FAILED: ValidationFailedError,
  INVALID_CURSOR: InvalidCursorError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  VERSION_CONFLICT: VersionConflictError,
  CONFLICT: ConflictError,
  TASK_BLOCKED: TaskBlockedError,
  AGENT_KEY_TAKEN: AgentKeyTakenError,
  PATTERN_TRIGGER_TAKEN: PatternTriggerTakenError,
  NOT_REDRIVABLE: NotRedrivableError,
  IMPORT_CONTENDED: ImportContendedError,
  CALL_ID_CONFLICT: CallIdConflictError,
  IDEMPOTENCY_KEY_IN_USE: IdempotencyKeyInUseError,
  IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReusedError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  UNSUPPORTED_MEDIA_TYPE: UnsupportedMediaTypeError,
  UNPROCESSABLE: UnprocessableError,
  PRECONDITION_REQUIRED: PreconditionRequiredError,
  RATE_LIMITED: RateLimitedError,
  TOO_MANY_STREAMS: TooManyStreamsError,
  SERVICE_UNAVAILABLE: ServiceUnavailableError,
  REQUEST_TIMEOUT: ServiceUnavailableError,
  INTERNAL: InternalServerError,
};

/** For a code this client does not know yet (a newer server), the class of its status. */
const STATUS_CLASSES: Record<number, AnyErrorClass> = {
  400: BadRequestError,
  401: UnauthenticatedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableError,
  428: PreconditionRequiredError,
  429: RateLimitedError,
  503: ServiceUnavailableError,
};

/** The typed error for a problem body: by its code, else by its status. */
export function errorForProblem(problem: Problem): ApiError {
  const errorClass =
    (ERROR_CLASSES as Record<string, AnyErrorClass | undefined>)[problem.code] ??
    STATUS_CLASSES[problem.status] ??
    (problem.status >= 500 ? InternalServerError : ApiError);
  // The one place the wire meets the types: a problem of a documented code has the members its schema
  // says (the server's answers are tested against the document), so its class may take it as typed.
  return new (errorClass as ApiErrorClass)(problem);
}

/** A failed answer whose body is not a problem (e.g. a proxy's HTML page): a problem made from the status. */
export function problemFromStatus(status: number, detail: string): Problem {
  const code = status === 429 ? 'RATE_LIMITED' : status === 503 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  return { type: 'about:blank', title: `HTTP ${status}`, status, detail, code };
}

/** The server could not be reached (after the retries), or the answer was cut. `cause` is the last failure. */
export class ConnectionError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** A result the outbox will not persist: it was dead-lettered or skipped (no handler). */
export class ResultNotPersistedError extends Error {
  constructor(readonly serviceCall: { id: string; status: string; lastError: string | null }) {
    super(`Service call ${serviceCall.id} is ${serviceCall.status}${serviceCall.lastError ? `: ${serviceCall.lastError}` : ''}`);
    this.name = 'ResultNotPersistedError';
  }
}

/** A wait ran past its time limit. */
export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = 'WaitTimeoutError';
  }
}
