import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIsoTimestamp } from '../../../common/http/iso-timestamp';
import { PageQueryDto } from '../../../common/http/page-query.dto';

export class ListSystemMetricsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only points of this metric (exact match)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: '2026-01-31T12:00:00Z',
    description: 'Only points with recordedAt at or after this instant: a date (midnight UTC) or a date-time with a time zone',
  })
  @IsOptional()
  @IsIsoTimestamp()
  since?: string;
}
