import { DomainError, ErrorCode } from '../errors';

export class RequestTimeoutError extends DomainError<ErrorCode.RequestTimeout> {
  readonly code = ErrorCode.RequestTimeout;

  constructor(timeoutMs: number) {
    super(`The request took longer than ${timeoutMs} ms and was abandoned before it saved anything: nothing changed, and it is safe to retry`);
  }
}

/** Thrown at a statement an abandoned request tries to send; its answer (503) has already gone out. */
export class RequestAbandonedError extends Error {
  constructor() {
    super('The request was abandoned after its time limit: no further statements are sent for it');
  }
}

/**
 * The time limit of one request, as the database client sees it. When the time is up, the
 * request is abandoned (answered 503 REQUEST_TIMEOUT) only if nothing it did can have been saved:
 * from then on the client refuses its statements (a ROLLBACK excepted), so an open transaction
 * rolls back instead of committing. A statement that may make changes durable (a COMMIT, or a
 * write outside a transaction) holds the abandonment off while it runs; once one has succeeded the
 * request is never abandoned, and answers, late, with what really happened.
 */
export class RequestDeadline {
  private expired = false;
  private abandoned = false;
  private saved = false;
  private durableInFlight = 0;

  constructor(
    private readonly onAbandon: () => void,
    /** PostgreSQL cancels a statement of the request that runs longer than this (0: never). */
    readonly statementTimeoutMs = 0,
  ) {}

  /** The time is up: abandons the request now, or as soon as a durable statement in flight fails. */
  expire(): void {
    this.expired = true;
    this.abandonIfNothingSaved();
  }

  /**
   * Sends one statement of the request: refused once it is abandoned (unless it is a rollback);
   * a durable one is tracked until it settles.
   */
  async send<T>(statement: { durable: boolean; rollback: boolean }, send: () => Promise<T>): Promise<T> {
    if (this.abandoned && !statement.rollback) throw new RequestAbandonedError();
    if (!statement.durable) return send();
    this.durableInFlight++;
    try {
      const result = await send();
      this.saved = true;
      return result;
    } finally {
      this.durableInFlight--;
      this.abandonIfNothingSaved();
    }
  }

  private abandonIfNothingSaved(): void {
    if (!this.expired || this.abandoned || this.saved || this.durableInFlight > 0) return;
    this.abandoned = true;
    this.onAbandon();
  }
}
