import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsAgentReference } from '../../../agents/agent-key';
import { IsMilliseconds, IsOptionalNotNull, JsonAsSent, MAX_MILLISECONDS } from '../../../../common/http/validation';
import { MAX_BULK_ITEMS } from '../../dto/bulk';
import { BulkItems } from '../../../../common/http/collections';

export class CreateActionLogDto {
  @ApiProperty({ example: 'tool.web_search', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  actionType: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { query: 'pgvector' } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10000, description: 'Why the action failed; absent when it succeeded' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  error?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: MAX_MILLISECONDS, example: 840.5, description: 'In milliseconds (fractions kept)' })
  @IsOptional()
  @IsMilliseconds()
  durationMs?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'Groups the actions of one run' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  traceId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'agent_sena', description: 'An agent id or key' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string | null;
}

export class BulkCreateActionLogsDto {
  @BulkItems(CreateActionLogDto, MAX_BULK_ITEMS)
  items: CreateActionLogDto[];
}
