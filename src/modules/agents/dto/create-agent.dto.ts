import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';
import { AGENT_KEY_RULE, IsAgentKey, MAX_AGENT_KEY_LENGTH } from '../agent-key';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class CreateAgentDto {
  @ApiPropertyOptional({
    example: 'agent_sena',
    maxLength: MAX_AGENT_KEY_LENGTH,
    description: `Your own name for the agent, unique in your tenant: ${AGENT_KEY_RULE}. Any body field that names an agent takes its id or its key.`,
  })
  @IsOptionalNotNull()
  @IsAgentKey()
  key?: string;

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

/**
 * `PUT /agents/by-key/:key`: the key is in the path. Every field is optional, for an update of an
 * agent already registered; a first registration needs name and role (400 naming them otherwise).
 */
export class RegisterAgentByKeyDto extends PartialType(OmitType(CreateAgentDto, ['key'] as const)) {}
