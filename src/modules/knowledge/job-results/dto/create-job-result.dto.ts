import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsAgentReference } from '../../../agents/agent-key';
import { IsOptionalNotNull, JsonAsSent } from '../../../../common/http/validation';
import { MAX_BULK_ITEMS } from '../../dto/bulk';
import { BulkItems } from '../../../../common/http/collections';

export class CreateJobResultDto {
  @ApiProperty({ example: 'nightly-crawl-42', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  jobId: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  taskId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'agent_sena', description: 'An agent id or key' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'completed' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  status?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { report: 's3://bucket/report.md' } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  outputArtifacts?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { pages: 120 } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  metrics?: Record<string, unknown>;
}

export class BulkCreateJobResultsDto {
  @BulkItems(CreateJobResultDto, MAX_BULK_ITEMS)
  items: CreateJobResultDto[];
}
