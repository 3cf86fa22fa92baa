import { DomainError, ErrorCode } from '../../common/errors';

export class InvalidEventCursorError extends DomainError<ErrorCode.InvalidCursor> {
  readonly code = ErrorCode.InvalidCursor;

  constructor(source: 'after' | 'Last-Event-ID') {
    super(`${source} is not a cursor of this event feed: pass a nextCursor or an event id exactly as the API returned it to this tenant`);
  }
}

export class TooManyStreamsError extends DomainError<ErrorCode.TooManyStreams> {
  readonly code = ErrorCode.TooManyStreams;

  constructor(limit: number) {
    super(`This API key already holds ${limit} open event streams here: close one, or retry later`, { limit, retryAfterSeconds: 5 });
  }
}
