/**
 * Every kind of error the API can answer with. Adding one makes the compiler ask for its entry in
 * PROBLEM_CATALOG (problem-catalog.ts): its status, title, meaning and members.
 */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  ValidationFailed = 'VALIDATION_FAILED',
  InvalidCursor = 'INVALID_CURSOR',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Conflict = 'CONFLICT',
  VersionConflict = 'VERSION_CONFLICT',
  TaskBlocked = 'TASK_BLOCKED',
  AgentKeyTaken = 'AGENT_KEY_TAKEN',
  PatternTriggerTaken = 'PATTERN_TRIGGER_TAKEN',
  NotRedrivable = 'NOT_REDRIVABLE',
  ImportContended = 'IMPORT_CONTENDED',
  CallIdConflict = 'CALL_ID_CONFLICT',
  IdempotencyKeyInUse = 'IDEMPOTENCY_KEY_IN_USE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unprocessable = 'UNPROCESSABLE',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  PreconditionRequired = 'PRECONDITION_REQUIRED',
  RateLimited = 'RATE_LIMITED',
  TooManyStreams = 'TOO_MANY_STREAMS',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  RequestTimeout = 'REQUEST_TIMEOUT',
  RequestIncomplete = 'REQUEST_INCOMPLETE',
  Internal = 'INTERNAL',
}
