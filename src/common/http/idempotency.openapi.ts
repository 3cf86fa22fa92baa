import type { OpenAPIObject, ParameterObject, PathItemObject, ResponseObject } from '@nestjs/swagger';
import { ErrorCode } from '../errors';
import { addProblems } from './openapi/problems';
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
    addProblems(operation, [ErrorCode.IdempotencyKeyInUse, ErrorCode.IdempotencyKeyReused]);
  }
  return document;
}
