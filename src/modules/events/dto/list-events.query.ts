import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { LimitQueryDto } from '../../../common/http/page-query.dto';

export class ListEventsQuery extends LimitQueryDto {
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
}
