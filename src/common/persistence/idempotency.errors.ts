import { DomainError, ErrorCode } from '../errors';

/**
 * The key is held by another request: one still running, or one whose answer was not stored yet.
 * Also what a claim meets when a concurrent request committed the key first.
 */
export class IdempotencyKeyInUseError extends DomainError<ErrorCode.IdempotencyKeyInUse> {
  readonly code = ErrorCode.IdempotencyKeyInUse;

  constructor(retryAfterSeconds = 1) {
    super('A request with this Idempotency-Key is still in progress (or its answer is not stored yet): retry in a moment', { retryAfterSeconds });
  }
}

/** The key was first used for another request (another route or another body). */
export class IdempotencyKeyReusedError extends DomainError<ErrorCode.IdempotencyKeyReused> {
  readonly code = ErrorCode.IdempotencyKeyReused;

  constructor(first: { method: string; path: string }) {
    super(`This Idempotency-Key was first used for another request (${first.method} ${first.path} with a different body): use a new key for a new request`);
  }
}
