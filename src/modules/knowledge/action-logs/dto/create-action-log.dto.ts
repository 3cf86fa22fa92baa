import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOptionalNotNull, JsonAsSent } from '../../../../common/http/validation';
import { MAX_BULK_ITEMS } from '../../dto/bulk';

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

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, example: 840 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  durationMs?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'Groups the actions of one run' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  traceId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  agentId?: string | null;
}

export class BulkCreateActionLogsDto {
  @ApiProperty({ type: [CreateActionLogDto], minItems: 1, maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => CreateActionLogDto)
  items: CreateActionLogDto[];
}
