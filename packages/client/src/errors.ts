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

/** Any answer of the server that is not a success. `code` is the problem's code (e.g. `NOT_FOUND`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly correlationId?: string;

  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = new.target.name;
    this.status = problem.status;
    this.code = problem.code;
    this.correlationId = problem.correlationId;
  }
}

export class BadRequestError extends ApiError {}

export class ValidationFailedError extends ApiError {
  /** The offending fields, as dotted paths (`items.3.name`). */
  get errors(): { field: string; message: string }[] {
    return (this.problem.errors as { field: string; message: string }[] | undefined) ?? [];
  }
}

export class UnauthenticatedError extends ApiError {}
export class ForbiddenError extends ApiError {}
export class NotFoundError extends ApiError {}

/** The resource changed since you read it: re-read it (or use `client.update`, which does). */
export class VersionConflictError extends ApiError {
  get currentVersion(): number | undefined {
    return this.problem.currentVersion as number | undefined;
  }
}

/** Any other 409. For a task that may not start yet, `blockedBy` names the tasks it waits for. */
export class ConflictError extends ApiError {
  get blockedBy(): string[] | undefined {
    return this.problem.blockedBy as string[] | undefined;
  }
}

export class TaskBlockedError extends ConflictError {}
/** Another request with the same Idempotency-Key is still running. Retried by the client. */
export class IdempotencyKeyInUseError extends ConflictError {}
/** The Idempotency-Key was used before with another body. */
export class IdempotencyKeyReusedError extends ApiError {}
export class PayloadTooLargeError extends ApiError {}
export class UnsupportedMediaTypeError extends ApiError {}

/** The request is well-formed but refused by the rules (an illegal transition, an unknown reference, a cycle). */
export class UnprocessableError extends ApiError {
  get cycle(): string[] | undefined {
    return this.problem.cycle as string[] | undefined;
  }
}

/** An update sent without a version. */
export class PreconditionRequiredError extends ApiError {}

export class RateLimitedError extends ApiError {
  get retryAfterSeconds(): number | undefined {
    return this.problem.retryAfterSeconds as number | undefined;
  }
}

export class ServiceUnavailableError extends ApiError {}
export class InternalServerError extends ApiError {}

type ApiErrorClass = new (problem: Problem) => ApiError;

/** The class of each problem code; a code not listed (a newer server) is a plain ApiError. */
const ERROR_CLASSES: Record<string, ApiErrorClass> = {
  BAD_REQUEST: BadRequestError,
  VALIDATION_FAILED: ValidationFailedError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  VERSION_CONFLICT: VersionConflictError,
  CONFLICT: ConflictError,
  TASK_BLOCKED: TaskBlockedError,
  IDEMPOTENCY_KEY_IN_USE: IdempotencyKeyInUseError,
  IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReusedError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  UNSUPPORTED_MEDIA_TYPE: UnsupportedMediaTypeError,
  UNPROCESSABLE: UnprocessableError,
  PRECONDITION_REQUIRED: PreconditionRequiredError,
  RATE_LIMITED: RateLimitedError,
  SERVICE_UNAVAILABLE: ServiceUnavailableError,
  REQUEST_TIMEOUT: ServiceUnavailableError,
  INTERNAL: InternalServerError,
};

/** For a code this client does not know yet (a newer server), the class of its status. */
const STATUS_CLASSES: Record<number, ApiErrorClass> = {
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
  const errorClass = ERROR_CLASSES[problem.code] ?? STATUS_CLASSES[problem.status] ?? (problem.status >= 500 ? InternalServerError : ApiError);
  return new errorClass(problem);
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
