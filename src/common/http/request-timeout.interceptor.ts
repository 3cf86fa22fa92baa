import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, throwError, timeout } from 'rxjs';
import { DomainError, ErrorCode } from '../errors';

export class RequestTimeoutError extends DomainError {
  readonly code = ErrorCode.RequestTimeout;

  constructor(timeoutMs: number) {
    super(
      `The request took longer than ${timeoutMs} ms and was abandoned; a change it made may still have been saved, ` +
        'so read before you retry (or retry with the same callId or If-Match)',
    );
  }
}

/**
 * Answers 503 REQUEST_TIMEOUT when a handler runs longer than the limit. The handler is not
 * cancelled (a statement already sent to PostgreSQL finishes), its late answer is discarded.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly timeoutMs: number) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(timeout({ first: this.timeoutMs, with: () => throwError(() => new RequestTimeoutError(this.timeoutMs)) }));
  }
}
