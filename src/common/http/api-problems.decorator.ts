import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { buildProblem, codeForStatus, ERROR_TITLE, ErrorCode, ProblemDetails } from '../errors';

class FieldErrorSchema {
  @ApiProperty({ example: 'name' })
  field: string;

  @ApiProperty({ example: 'name must be a string' })
  message: string;
}

/** The documented shape of every error body (application/problem+json, RFC 9457). */
export class ProblemSchema {
  @ApiProperty({ example: 'urn:agent-ledger:problem:validation-failed' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'name must be a string' })
  detail: string;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: 'VALIDATION_FAILED', description: 'What went wrong, for programs to branch on' })
  code: ErrorCode;

  @ApiPropertyOptional({ example: '/api/v1/agents' })
  instance?: string;

  @ApiPropertyOptional({ description: 'Quote it when reporting a problem; it is in the logs too' })
  correlationId?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema] })
  errors?: FieldErrorSchema[];

  @ApiPropertyOptional({ type: 'integer', description: 'On 409 VERSION_CONFLICT: the version the resource is at now' })
  currentVersion?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'On 429 and 503 (and 409 IDEMPOTENCY_KEY_IN_USE): seconds to wait, as in Retry-After' })
  retryAfterSeconds?: number;
}

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Malformed or invalid input; nothing was changed',
  [HttpStatus.UNAUTHORIZED]: 'Missing, unknown or revoked API key',
  [HttpStatus.NOT_FOUND]: 'No such resource for this tenant',
  [HttpStatus.CONFLICT]: 'The resource changed since you read it (see currentVersion)',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Body over the size limit',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Body is not application/json',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Well-formed but not allowed in the current state',
  [HttpStatus.PRECONDITION_REQUIRED]: 'Send If-Match: "<version>" or version in the body',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Over the rate limit of this key or address; retry after Retry-After seconds',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Not answered in time or a dependency is down; retry after Retry-After seconds',
};

/** Refusals that say when to come back (`retryAfterSeconds`, as Retry-After). */
const RETRY_LATER = new Set([ErrorCode.RateLimited, ErrorCode.ServiceUnavailable, ErrorCode.RequestTimeout, ErrorCode.IdempotencyKeyInUse]);

/** A problem as the server would answer it with `status` (and `code`), shown as the example of that answer. */
export function problemExample(status: HttpStatus, code: ErrorCode = codeForStatus(status)): ProblemDetails {
  return buildProblem(code, DESCRIPTIONS[status] ?? ERROR_TITLE[code], {
    instance: '/api/v1/agents',
    correlationId: '8c2f2d0e-4f0a-4d8e-9a51-3c1f4b8f6d21',
    extensions: RETRY_LATER.has(code) ? { retryAfterSeconds: 1 } : undefined,
  });
}

/** Documents the problem+json answers a route can give. */
export function ApiProblems(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) }, example: problemExample(status) } },
      }),
    ),
  );
}
