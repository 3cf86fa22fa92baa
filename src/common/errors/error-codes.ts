import { HttpStatus } from '@nestjs/common';

/** Every kind of error the API can answer with. Adding one forces a status in ERROR_STATUS. */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  VersionConflict = 'VERSION_CONFLICT',
  Conflict = 'CONFLICT',
  CallIdConflict = 'CALL_ID_CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unprocessable = 'UNPROCESSABLE',
  PreconditionRequired = 'PRECONDITION_REQUIRED',
  RateLimited = 'RATE_LIMITED',
  InvalidCursor = 'INVALID_CURSOR',
  TooManyStreams = 'TOO_MANY_STREAMS',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  RequestTimeout = 'REQUEST_TIMEOUT',
  RequestIncomplete = 'REQUEST_INCOMPLETE',
  Internal = 'INTERNAL',
  // Last: codeForStatus() picks the first code of a status, which must stay the generic one.
  IdempotencyKeyInUse = 'IDEMPOTENCY_KEY_IN_USE',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
}

export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.BadRequest]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.VersionConflict]: HttpStatus.CONFLICT,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.CallIdConflict]: HttpStatus.CONFLICT,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.Unprocessable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.PreconditionRequired]: HttpStatus.PRECONDITION_REQUIRED,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.InvalidCursor]: HttpStatus.BAD_REQUEST,
  [ErrorCode.TooManyStreams]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.RequestTimeout]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.RequestIncomplete]: HttpStatus.REQUEST_TIMEOUT,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.IdempotencyKeyInUse]: HttpStatus.CONFLICT,
  [ErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export const ERROR_TITLE: Record<ErrorCode, string> = {
  [ErrorCode.BadRequest]: 'Bad request',
  [ErrorCode.ValidationFailed]: 'Validation failed',
  [ErrorCode.Unauthenticated]: 'Authentication required',
  [ErrorCode.Forbidden]: 'Forbidden',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.MethodNotAllowed]: 'Method not allowed',
  [ErrorCode.VersionConflict]: 'Version conflict',
  [ErrorCode.Conflict]: 'Conflict',
  [ErrorCode.CallIdConflict]: 'Call id already used for another result',
  [ErrorCode.PayloadTooLarge]: 'Payload too large',
  [ErrorCode.UnsupportedMediaType]: 'Unsupported media type',
  [ErrorCode.Unprocessable]: 'Unprocessable request',
  [ErrorCode.PreconditionRequired]: 'Precondition required',
  [ErrorCode.RateLimited]: 'Too many requests',
  [ErrorCode.InvalidCursor]: 'Invalid cursor',
  [ErrorCode.TooManyStreams]: 'Too many open streams',
  [ErrorCode.ServiceUnavailable]: 'Service unavailable',
  [ErrorCode.RequestTimeout]: 'Request timed out',
  [ErrorCode.RequestIncomplete]: 'Request not received in time',
  [ErrorCode.Internal]: 'Internal error',
  [ErrorCode.IdempotencyKeyInUse]: 'Idempotency key in use',
  [ErrorCode.IdempotencyKeyReused]: 'Idempotency key reused',
};

/** Reverse lookup for errors raised by the framework as bare HTTP statuses. */
export function codeForStatus(status: number): ErrorCode {
  const match = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => (ERROR_STATUS[code] as number) === status && code !== ErrorCode.ValidationFailed);
  if (match) return match;
  return status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest;
}
