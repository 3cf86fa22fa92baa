import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/** A member of a problem body, as JSON Schema (the subset the OpenAPI document uses), with an example. */
export interface MemberSchema {
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  readonly description?: string;
  readonly format?: string;
  readonly enum?: readonly (string | number)[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly items?: MemberSchema;
  readonly properties?: Readonly<Record<string, MemberSchema>>;
  readonly required?: readonly string[];
  readonly example?: unknown;
}

/** What the API says about one error code: once, for the exception filter, the OpenAPI document and the compiler. */
export interface ProblemDefinition {
  readonly status: HttpStatus;
  readonly title: string;
  /** When it is answered (the document's description of the code). */
  readonly meaning: string;
  /** Members beyond type, title, status, detail, code, instance and correlationId. */
  readonly members?: Readonly<Record<string, MemberSchema>>;
  /** The members every problem of the code carries; the others come with some of them only. */
  readonly required?: readonly string[];
}

const UUID_EXAMPLE = '0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a12';
const OTHER_UUID_EXAMPLE = '0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a34';

const FIELD_ERRORS = {
  type: 'array',
  description: 'The offending fields, each with what is wrong with it',
  items: {
    type: 'object',
    properties: {
      field: { type: 'string', description: 'Dotted path of the field, e.g. `items.3.name`', example: 'name' },
      message: { type: 'string', example: 'name must be a string' },
    },
    required: ['field', 'message'],
  },
  example: [{ field: 'name', message: 'name must be a string' }],
} as const satisfies MemberSchema;

const RETRY_AFTER_SECONDS = {
  type: 'integer',
  minimum: 0,
  description: 'Seconds to wait before trying again, as in the Retry-After header',
  example: 1,
} as const satisfies MemberSchema;

/**
 * Every error code with its status, title, meaning and members. For each status, the first code
 * listed is the generic one: the code of an error the framework raises as a bare status.
 */
export const PROBLEM_CATALOG = {
  [ErrorCode.BadRequest]: {
    status: HttpStatus.BAD_REQUEST,
    title: 'Bad request',
    meaning: 'the request is malformed (JSON, headers, cursor, an empty change); nothing was changed',
  },
  [ErrorCode.ValidationFailed]: {
    status: HttpStatus.BAD_REQUEST,
    title: 'Validation failed',
    meaning: 'fields of the body, query or path are invalid (`errors` names each); nothing was changed',
    members: { errors: FIELD_ERRORS },
    required: ['errors'],
  },
  [ErrorCode.InvalidCursor]: {
    status: HttpStatus.BAD_REQUEST,
    title: 'Invalid cursor',
    meaning: 'the cursor (`after`, `Last-Event-ID`) is not one this feed gave this tenant',
  },
  [ErrorCode.Unauthenticated]: {
    status: HttpStatus.UNAUTHORIZED,
    title: 'Authentication required',
    meaning: 'the API key is missing, unknown, revoked or expired',
  },
  [ErrorCode.Forbidden]: {
    status: HttpStatus.FORBIDDEN,
    title: 'Forbidden',
    meaning: 'the key is valid but may not use this route',
  },
  [ErrorCode.NotFound]: {
    status: HttpStatus.NOT_FOUND,
    title: 'Not found',
    meaning: 'no such resource for this tenant',
  },
  [ErrorCode.MethodNotAllowed]: {
    status: HttpStatus.METHOD_NOT_ALLOWED,
    title: 'Method not allowed',
    meaning: 'the route does not take this method',
  },
  [ErrorCode.Conflict]: {
    status: HttpStatus.CONFLICT,
    title: 'Conflict',
    meaning: 'the request conflicts with the current state of the resource',
  },
  [ErrorCode.VersionConflict]: {
    status: HttpStatus.CONFLICT,
    title: 'Version conflict',
    meaning: 'the resource changed since you read it: read it again (`currentVersion`) and retry',
    members: {
      expectedVersion: { type: 'integer', minimum: 1, description: 'The version the request named (If-Match or `version`)', example: 1 },
      currentVersion: { type: 'integer', minimum: 1, description: 'The version the resource is at now', example: 3 },
    },
    required: ['expectedVersion', 'currentVersion'],
  },
  [ErrorCode.TaskBlocked]: {
    status: HttpStatus.CONFLICT,
    title: 'Task blocked',
    meaning: 'the task cannot start before the tasks it depends on have completed (`blockedBy`)',
    members: {
      blockedBy: {
        type: 'array',
        items: { type: 'string', format: 'uuid' },
        description: 'The tasks it depends on that have not completed, sorted',
        example: [UUID_EXAMPLE],
      },
    },
    required: ['blockedBy'],
  },
  [ErrorCode.AgentKeyTaken]: {
    status: HttpStatus.CONFLICT,
    title: 'Agent key taken',
    meaning: 'another agent of the tenant has the key (or a key repeats in the batch)',
    members: { keys: { type: 'array', items: { type: 'string' }, description: 'The keys of the request', example: ['agent_sena'] } },
    required: ['keys'],
  },
  [ErrorCode.PatternTriggerTaken]: {
    status: HttpStatus.CONFLICT,
    title: 'Pattern trigger taken',
    meaning: 'another pattern of the tenant has the trigger (or a trigger repeats in the batch)',
    members: { triggers: { type: 'array', items: { type: 'string' }, description: 'The triggers of the request', example: ['summarize market'] } },
    required: ['triggers'],
  },
  [ErrorCode.NotRedrivable]: {
    status: HttpStatus.CONFLICT,
    title: 'Not redrivable',
    meaning: 'only a dead-lettered service call can be redriven; this one is not (`currentStatus`)',
    members: {
      currentStatus: {
        type: 'string',
        enum: ['pending', 'persisted', 'skipped', 'dead_lettered'],
        description: 'The status of the record',
        example: 'pending',
      },
    },
    required: ['currentStatus'],
  },
  [ErrorCode.ImportContended]: {
    status: HttpStatus.CONFLICT,
    title: 'Import contended',
    meaning: 'the object kept changing under concurrent writers during the import: retry it',
    members: {
      platform: { type: 'string', example: 'zendesk' },
      companyId: { type: 'string', nullable: true, example: 'acme' },
      originalId: { type: 'string', example: '48213' },
    },
    required: ['platform', 'companyId', 'originalId'],
  },
  [ErrorCode.CallIdConflict]: {
    status: HttpStatus.CONFLICT,
    title: 'Call id already used for another result',
    meaning: 'the (callId, schema) was accepted earlier, or is repeated in the request, with another result or namespace',
    members: {
      callId: { type: 'string', example: 'run-42/step-7' },
      schema: { type: 'string', example: 'task.result@1' },
      differs: { type: 'string', enum: ['result', 'namespace'], description: 'What is not the same as the first', example: 'result' },
      recordId: {
        type: 'string',
        format: 'uuid',
        description: 'The first record (GET /service-calls/{id}), when it was accepted earlier',
        example: UUID_EXAMPLE,
      },
      item: { type: 'integer', minimum: 0, description: 'In a bulk request: the index of the refused item', example: 3 },
      firstItem: { type: 'integer', minimum: 0, description: 'In a bulk request: the index of the item it repeats', example: 0 },
    },
    required: ['callId', 'schema', 'differs'],
  },
  [ErrorCode.IdempotencyKeyInUse]: {
    status: HttpStatus.CONFLICT,
    title: 'Idempotency key in use',
    meaning: 'the first request with this Idempotency-Key has no answer yet: retry after `retryAfterSeconds`',
    members: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    required: ['retryAfterSeconds'],
  },
  [ErrorCode.PayloadTooLarge]: {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    title: 'Payload too large',
    meaning: 'the body is over the size limit (BODY_LIMIT_BYTES; BULK_BODY_LIMIT_BYTES for /bulk)',
  },
  [ErrorCode.UnsupportedMediaType]: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    title: 'Unsupported media type',
    meaning: 'the body is not application/json',
  },
  [ErrorCode.Unprocessable]: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    title: 'Unprocessable request',
    meaning:
      'well-formed but refused by the rules: a reference you cannot see (`errors`), an illegal transition (`from`, `to`, ' +
      '`allowed`), a final state (`currentStatus`), a dependency cycle (`cycle`); nothing was changed',
    members: {
      errors: FIELD_ERRORS,
      cycle: {
        type: 'array',
        items: { type: 'string' },
        description: 'A dependency cycle, in order, back to its start: each waits for the next (task ids, or refs of a bulk request)',
        example: [UUID_EXAMPLE, OTHER_UUID_EXAMPLE, UUID_EXAMPLE],
      },
      from: { type: 'string', description: 'The status the resource is in', example: 'completed' },
      to: { type: 'string', description: 'The status asked for', example: 'running' },
      allowed: { type: 'array', items: { type: 'string' }, description: 'The statuses it may go to from `from`', example: [] },
      currentStatus: { type: 'string', description: 'The status that forbids the change', example: 'completed' },
      field: { type: 'string', description: 'The field that may not be sent with this change', example: 'startedAt' },
    },
  },
  [ErrorCode.IdempotencyKeyReused]: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    title: 'Idempotency key reused',
    meaning: 'this Idempotency-Key was first used with another body or route: use a new key for a new request',
  },
  [ErrorCode.PreconditionRequired]: {
    status: HttpStatus.PRECONDITION_REQUIRED,
    title: 'Precondition required',
    meaning: 'send If-Match: "<version>" (the ETag you read) or `version` in the body',
  },
  [ErrorCode.RateLimited]: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    title: 'Too many requests',
    meaning: 'over the rate limit of this key or address: retry after Retry-After seconds',
    members: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    required: ['retryAfterSeconds'],
  },
  [ErrorCode.TooManyStreams]: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    title: 'Too many open streams',
    meaning: 'the key already holds its limit of open event streams (`limit`): close one, or retry later',
    members: { limit: { type: 'integer', minimum: 0, description: 'Open streams allowed per key', example: 5 }, retryAfterSeconds: RETRY_AFTER_SECONDS },
    required: ['limit', 'retryAfterSeconds'],
  },
  [ErrorCode.ServiceUnavailable]: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    title: 'Service unavailable',
    meaning: 'concurrent writes kept colliding; nothing was saved: retry after Retry-After seconds',
    members: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    required: ['retryAfterSeconds'],
  },
  [ErrorCode.RequestTimeout]: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    title: 'Request timed out',
    meaning: 'the request ran past its time limit and was abandoned before it saved anything: safe to retry',
  },
  [ErrorCode.RequestIncomplete]: {
    status: HttpStatus.REQUEST_TIMEOUT,
    title: 'Request not received in time',
    meaning: 'the request did not arrive whole within REQUEST_TIMEOUT_MS',
  },
  [ErrorCode.Internal]: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    title: 'Internal error',
    meaning: 'an unexpected error; quote the correlation id when reporting it',
  },
} as const satisfies Record<ErrorCode, ProblemDefinition>;

export const ERROR_STATUS = Object.fromEntries(Object.entries(PROBLEM_CATALOG).map(([code, { status }]) => [code, status])) as Record<ErrorCode, HttpStatus>;
export const ERROR_TITLE = Object.fromEntries(Object.entries(PROBLEM_CATALOG).map(([code, { title }]) => [code, title])) as Record<ErrorCode, string>;

/** The definition of a code, as its common shape (the catalog's literal types are for ProblemMembers). */
export function problemDefinition(code: ErrorCode): ProblemDefinition {
  return PROBLEM_CATALOG[code];
}

/** Reverse lookup for errors raised by the framework as bare HTTP statuses: the generic code of the status. */
export function codeForStatus(status: number): ErrorCode {
  const match = (Object.keys(PROBLEM_CATALOG) as ErrorCode[]).find((code) => (ERROR_STATUS[code] as number) === status);
  if (match) return match;
  return status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest;
}

// The TypeScript type of a member from its schema, so that an error's extensions are checked against the catalog.
type Scalar<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'array'; items: infer I }
    ? ValueOf<I>[]
    : S extends { type: 'string' }
      ? string
      : S extends { type: 'integer' | 'number' }
        ? number
        : S extends { type: 'boolean' }
          ? boolean
          : S extends { type: 'object'; properties: infer P; required: readonly (infer R extends string)[] }
            ? { [K in keyof P & R]: ValueOf<P[K]> } & { [K in Exclude<keyof P, R>]?: ValueOf<P[K]> }
            : unknown;
type ValueOf<S> = Scalar<S> | (S extends { nullable: true } ? null : never);

type Definition<C extends ErrorCode> = (typeof PROBLEM_CATALOG)[C];
type Members<C extends ErrorCode> = Definition<C> extends { members: infer M } ? M : Record<never, never>;
type RequiredMembers<C extends ErrorCode> = Definition<C> extends { required: readonly (infer R)[] } ? R : never;

/** The members a problem of code `C` carries beyond the base ones, as the catalog declares them. */
export type ProblemMembers<C extends ErrorCode> = { [K in keyof Members<C> & RequiredMembers<C>]: ValueOf<Members<C>[K]> } & {
  [K in Exclude<keyof Members<C>, RequiredMembers<C>>]?: ValueOf<Members<C>[K]>;
};
