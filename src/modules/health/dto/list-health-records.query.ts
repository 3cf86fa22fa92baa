import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIsoTimestamp } from '../../../common/http/iso-timestamp';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { IsAgentReference } from '../../agents/agent-key';

export class ListHealthRecordsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only records of this component (exact match)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  component?: string;

  @ApiPropertyOptional({ example: 'agent_sena', description: 'Only records about this agent: its id or its key' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string;

  @ApiPropertyOptional({
    example: '2026-01-31T12:00:00Z',
    description: 'Only records with recordedAt at or after this instant: a date (midnight UTC) or a date-time with a time zone',
  })
  @IsOptional()
  @IsIsoTimestamp()
  since?: string;
}
