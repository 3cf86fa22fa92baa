import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

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

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'name must be a string' })
  detail: string;

  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code: string;

  @ApiPropertyOptional({ example: '/api/v1/agents' })
  instance?: string;

  @ApiPropertyOptional({ description: 'Quote it when reporting a problem; it is in the logs too' })
  correlationId?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema] })
  errors?: FieldErrorSchema[];

  @ApiPropertyOptional({ description: 'On 409: the version the resource is at now' })
  currentVersion?: number;
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
};

/** Documents the problem+json answers a route can give. */
export function ApiProblems(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) } } },
      }),
    ),
  );
}
