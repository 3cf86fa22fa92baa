import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../../../common/http/page-query.dto';

export class ListEventsQuery {
  @ApiPropertyOptional({ example: 'agent.*', description: 'Event type; * matches one segment, ** any number' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  aggregateId?: string;

  @ApiPropertyOptional({ description: 'Only events after this event id (the nextCursor of the previous page)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be an event id' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;
}
