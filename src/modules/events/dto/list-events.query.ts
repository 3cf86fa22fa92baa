import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { LimitQueryDto } from '../../../common/http/page-query.dto';

/** `?type=&aggregateId=`: what the feed and the stream filter by. */
export class EventFiltersQuery {
  @ApiPropertyOptional({ example: 'agent.*', description: 'Event type; * matches one segment, ** any number' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  aggregateId?: string;

  @ApiPropertyOptional({ description: 'Only events after this cursor (a nextCursor, or the id of an event); from the start when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;
}

export class ListEventsQuery extends IntersectionType(EventFiltersQuery, LimitQueryDto) {}
