import { ErrorCode } from './error-codes';
import { ProblemMembers } from './problem-catalog';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `items.3.name`. */
  field: string;
  message: string;
}

/** The extra members of a problem of code `C`: optional when the catalog requires none. */
type MembersArgument<C extends ErrorCode> = Record<never, never> extends ProblemMembers<C> ? [extensions?: ProblemMembers<C>] : [extensions: ProblemMembers<C>];

/**
 * Base of every error the domain raises. Services throw these, never HTTP exceptions, so they
 * stay usable from controllers, queue processors and listeners alike. `C` is its code: the
 * compiler checks the extra members against what the problem catalog declares for it.
 */
export abstract class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  abstract readonly code: C;

  /** Extra members merged into the problem body (e.g. `currentVersion`). Plain data only. */
  readonly extensions: Record<string, unknown>;

  constructor(message: string, ...[extensions]: MembersArgument<C>) {
    super(message);
    this.name = new.target.name;
    this.extensions = extensions ?? {};
  }
}

export class BadRequestError extends DomainError<ErrorCode.BadRequest> {
  readonly code = ErrorCode.BadRequest;
}

export class ValidationFailedError extends DomainError<ErrorCode.ValidationFailed> {
  readonly code = ErrorCode.ValidationFailed;

  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? errors[0].message : `${errors.length} fields are invalid`, { errors });
  }
}

export class UnauthenticatedError extends DomainError<ErrorCode.Unauthenticated> {
  readonly code = ErrorCode.Unauthenticated;
}

export class ForbiddenError extends DomainError<ErrorCode.Forbidden> {
  readonly code = ErrorCode.Forbidden;
}

export class AggregateNotFoundError extends DomainError<ErrorCode.NotFound> {
  readonly code = ErrorCode.NotFound;

  constructor(aggregateType: string, id: string) {
    super(`${aggregateType} ${id} was not found`);
  }
}

export class VersionConflictError extends DomainError<ErrorCode.VersionConflict> {
  readonly code = ErrorCode.VersionConflict;

  constructor(aggregateType: string, id: string, expectedVersion: number, currentVersion: number) {
    super(`${aggregateType} ${id} is at version ${currentVersion}, not ${expectedVersion}: reload it and retry`, { expectedVersion, currentVersion });
  }
}

/** The generic 409: the request conflicts with the state of the resource (the specific conflicts have codes of their own). */
export class ConflictError extends DomainError<ErrorCode.Conflict> {
  readonly code = ErrorCode.Conflict;
}

export class PreconditionRequiredError extends DomainError<ErrorCode.PreconditionRequired> {
  readonly code = ErrorCode.PreconditionRequired;
}

export class UnprocessableError extends DomainError<ErrorCode.Unprocessable> {
  readonly code = ErrorCode.Unprocessable;
}

export class RateLimitedError extends DomainError<ErrorCode.RateLimited> {
  readonly code = ErrorCode.RateLimited;

  /** `counted`: what went over the limit (requests, failed authentications). */
  constructor(limit: number, windowMs: number, retryAfterSeconds: number, counted = 'requests') {
    super(`More than ${limit} ${counted} in ${windowMs / 1000} s from this caller: retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** The database kept refusing a transaction for contention (deadlock, serialization): nothing was saved, try again. */
export class ContentionError extends DomainError<ErrorCode.ServiceUnavailable> {
  readonly code = ErrorCode.ServiceUnavailable;

  constructor(attempts: number, retryAfterSeconds = 1) {
    super(`Concurrent writes to the same rows kept colliding (${attempts} attempts); nothing was saved: retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}
