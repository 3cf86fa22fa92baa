import { ErrorCode } from './error-codes';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `items.3.name`. */
  field: string;
  message: string;
}

/**
 * Base of every error the domain raises. Services throw these, never HTTP exceptions, so they
 * stay usable from controllers, queue processors and listeners alike.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;

  /** Extra members merged into the problem body (e.g. `currentVersion`). Plain data only. */
  readonly extensions: Record<string, unknown>;

  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

export class BadRequestError extends DomainError {
  readonly code = ErrorCode.BadRequest;
}

export class ValidationFailedError extends DomainError {
  readonly code = ErrorCode.ValidationFailed;

  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? errors[0].message : `${errors.length} fields are invalid`, { errors });
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = ErrorCode.Unauthenticated;
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.Forbidden;
}

export class AggregateNotFoundError extends DomainError {
  readonly code = ErrorCode.NotFound;

  constructor(aggregateType: string, id: string) {
    super(`${aggregateType} ${id} was not found`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = ErrorCode.VersionConflict;

  constructor(aggregateType: string, id: string, expectedVersion: number, currentVersion: number) {
    super(
      `${aggregateType} ${id} is at version ${currentVersion}, not ${expectedVersion}: reload it and retry`,
      { currentVersion, expectedVersion },
    );
  }
}

export class ConflictError extends DomainError {
  readonly code = ErrorCode.Conflict;
}

export class PreconditionRequiredError extends DomainError {
  readonly code = ErrorCode.PreconditionRequired;
}

export class UnprocessableError extends DomainError {
  readonly code = ErrorCode.Unprocessable;
}

export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.RateLimited;

  /** `counted`: what went over the limit (requests, failed authentications). */
  constructor(limit: number, windowMs: number, retryAfterSeconds: number, counted = 'requests') {
    super(`More than ${limit} ${counted} in ${windowMs / 1000} s from this caller: retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
