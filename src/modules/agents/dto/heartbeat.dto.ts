import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class HeartbeatDto {
  @ApiPropertyOptional({ enum: AGENT_STATUSES, description: 'Reports a new status along with the heartbeat' })
  @IsOptional()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;
}
