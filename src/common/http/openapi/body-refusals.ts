import { HttpStatus } from '@nestjs/common';
import { getSchemaPath } from '@nestjs/swagger';
import type { OpenAPIObject, PathItemObject } from '@nestjs/swagger';
import { problemExample, ProblemSchema } from '../api-problems.decorator';

const REFUSALS: [HttpStatus, string][] = [
  [HttpStatus.PAYLOAD_TOO_LARGE, 'Body over the size limit (BODY_LIMIT_BYTES; BULK_BODY_LIMIT_BYTES for /bulk)'],
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Body is not application/json'],
];

/** Documents 413 and 415 on every operation that takes a body: the parser refuses them before any handler. */
export function documentBodyRefusals(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values<PathItemObject>(document.paths)) {
    for (const operation of [path.put, path.post, path.patch]) {
      if (!operation?.requestBody) continue;
      for (const [status, description] of REFUSALS) {
        operation.responses[status] ??= {
          description,
          content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) }, example: problemExample(status) } },
        };
      }
    }
  }
  return document;
}
