import { getSchemaPath, OpenAPIObject, ParameterObject, PathItemObject, ResponseObject } from '@nestjs/swagger';
import { ErrorCode } from '../errors';
import { problemExample, ProblemSchema } from './api-problems.decorator';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, REPLAYED_HEADER } from './idempotency-key';

const KEY_PARAMETER: ParameterObject = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same body replays the first answer (with `Idempotent-Replayed: true`) instead of ' +
    'doing it again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. Keys are per tenant and kept 24 h by default. ' +
    'Send a new UUID per logical request.',
  schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, pattern: '^[\\x20-\\x7E]+$' },
};

const REFUSALS: Record<'409' | '422', [ErrorCode, string]> = {
  '409': [
    ErrorCode.IdempotencyKeyInUse,
    'IDEMPOTENCY_KEY_IN_USE: the first request with this Idempotency-Key has no answer yet; retry after Retry-After seconds',
  ],
  '422': [ErrorCode.IdempotencyKeyReused, 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was first used with another body or route'],
};

/**
 * Adds the Idempotency-Key header, the `Idempotent-Replayed` response header and the 409/422 it
 * can cause to every POST operation of the document: said once here rather than on every route.
 */
export function documentIdempotencyKeys(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values<PathItemObject>(document.paths)) {
    const operation = path.post;
    if (!operation) continue;
    operation.parameters = [...(operation.parameters ?? []), KEY_PARAMETER];
    for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
      if (!status.startsWith('2')) continue;
      response.headers = {
        ...response.headers,
        [REPLAYED_HEADER]: {
          description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
          schema: { type: 'string', enum: ['true'] },
        },
      };
    }
    for (const [status, [code, description]] of Object.entries(REFUSALS)) {
      const existing = operation.responses[status] as ResponseObject | undefined;
      const content = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) }, example: problemExample(Number(status), code) } };
      operation.responses[status] = existing ? { ...existing, description: `${existing.description}; or ${description}` } : { description, content };
    }
  }
  return document;
}
