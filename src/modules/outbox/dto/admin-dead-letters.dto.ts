import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageOf } from '../../../common/http/collections';
import { IsIsoTimestamp } from '../../../common/http/iso-timestamp';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { TENANT_ID_PATTERN } from '../../../config/tenant-id';
import type { DeadLetterSummary } from '../outbox.repository';
import { ServiceCallKindFilterDto } from './list-service-calls.query';

const HANDLER = /^[a-z][a-z0-9_.-]{0,63}\/[a-z][a-z0-9_.-]{0,99}@[1-9][0-9]{0,5}$/;

/** Which dead letters, across tenants: every member optional, all of them must hold. */
export class DeadLetterFilterDto extends ServiceCallKindFilterDto {
  @ApiPropertyOptional({ example: 'acme', description: 'Only this tenant' })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID_PATTERN, { message: 'tenant is not a tenant id' })
  tenant?: string;

  @ApiPropertyOptional({ example: 'core/task.result@1', description: 'Results this handler takes (GET /handlers lists them)' })
  @IsOptional()
  @IsString()
  @Matches(HANDLER, { message: 'handler must be namespace/schema, e.g. core/task.result@1' })
  handler?: string;

  @ApiPropertyOptional({ example: '2026-01-31T12:00:00Z', description: 'Dead-lettered at or after this instant' })
  @IsOptional()
  @IsIsoTimestamp()
  since?: string;
}

/** `GET /admin/dead-letters`: the filter as query parameters, and `limit`/`cursor`. */
export class AdminDeadLettersQuery extends IntersectionType(PageQueryDto, DeadLetterFilterDto) {}

/** `POST /admin/dead-letters/redrive`: ids, or a filter (not both), and `dryRun` to count first. */
export class AdminRedriveDto extends DeadLetterFilterDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'These records (of any tenant); instead of a filter' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({ default: false, description: 'Count what would be redriven, change nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous redrive of the same filter' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AdminDeadLetterResponse {
  @ApiProperty({ format: 'uuid', description: 'The record id (GET /service-calls/:id as its tenant)' })
  id: string;

  @ApiProperty({ example: 'acme' })
  tenant: string;

  @ApiProperty()
  callId: string;

  @ApiProperty()
  namespace: string;

  @ApiProperty({ example: 'task.result@1' })
  schema: string;

  @ApiProperty({ type: String, nullable: true, example: 'core/task.result@1', description: 'The handler that takes it today; null: none' })
  handler: string | null;

  @ApiProperty({ type: 'integer', description: 'Processing attempts made (0: refused at intake)' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was dead-lettered' })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true })
  correlationId: string | null;

  @ApiProperty({ format: 'date-time', description: 'When it was accepted' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'When it was dead-lettered' })
  deadLetteredAt: string;

  static from(record: DeadLetterSummary, handler: string | null): AdminDeadLetterResponse {
    return {
      id: record.id,
      tenant: record.tenantId,
      callId: record.callId,
      namespace: record.namespace,
      schema: record.schemaIdentity,
      handler,
      attempts: record.attempts,
      reason: record.lastError,
      correlationId: record.correlationId,
      createdAt: record.createdAt.toISOString(),
      deadLetteredAt: record.updatedAt.toISOString(),
    };
  }
}

export class AdminDeadLetterPage extends PageOf(AdminDeadLetterResponse) {}

export class AdminRedriveResponse {
  @ApiProperty({ description: 'True when nothing was changed (dryRun)' })
  dryRun: boolean;

  @ApiProperty({ type: 'integer', description: 'Dead letters redriven by this call; with dryRun, how many the request would redrive in all' })
  count: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'More match than one call redrives: send the same request again with this cursor',
  })
  nextCursor: string | null;
}
