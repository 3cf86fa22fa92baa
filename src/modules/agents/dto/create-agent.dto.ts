import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class CreateAgentDto {
  @ApiProperty({ example: 'researcher-1', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'researcher', maxLength: 100, description: 'What the agent does in the system' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  role: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, default: 'idle' })
  @IsOptionalNotNull()
  @IsIn(AGENT_STATUSES)
  status?: AgentStatus;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { model: 'gpt-x', tools: ['search'] } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  metadata?: Record<string, unknown>;
}
