import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { IsAgentKey } from '../agent-key';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class ListAgentsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  role?: string;

  @ApiPropertyOptional({ example: 'agent_sena', description: 'Only the agent with this key' })
  @IsOptional()
  @IsAgentKey()
  key?: string;
}
