import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { JsonAsSent } from '../../../common/http/validation';
import { NAMESPACE, SCHEMA_IDENTITY } from '../persistence-handler';

export class CreateServiceCallDto {
  @ApiProperty({ example: 'run-42/step-7', description: 'Your id of the call; with the schema, the idempotency key' })
  @IsString()
  @Matches(/^\S{1,200}$/, { message: 'callId must be 1-200 characters without spaces' })
  callId: string;

  @ApiProperty({ example: 'core', description: 'Whose handler persists it; `core` handlers serve any namespace without its own' })
  @IsString()
  @Matches(NAMESPACE, { message: 'namespace must be lower-case letters, digits, ".", "_" or "-", starting with a letter' })
  namespace: string;

  @ApiProperty({ example: 'task.result@1', description: 'Schema name and version of the result' })
  @IsString()
  @Matches(SCHEMA_IDENTITY, { message: 'schema must be a name and a version, e.g. task.result@1' })
  schema: string;

  @ApiProperty({ description: 'The structured output to persist; its shape is the schema’s', type: 'object', additionalProperties: true })
  @IsDefined()
  @JsonAsSent()
  result: unknown;

  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to the request id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  correlationId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: '1 is processed first; omit for first-in, first-out' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  priority?: number;
}
