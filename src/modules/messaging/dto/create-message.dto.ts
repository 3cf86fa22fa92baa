import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsAgentReference } from '../../agents/agent-key';
import { JsonAsSent } from '../../../common/http/validation';

export class CreateMessageDto {
  @ApiProperty({ description: 'An agent id or key. The sending agent; one of your agents' })
  @IsAgentReference()
  fromAgentId: string;

  @ApiProperty({ description: 'An agent id or key. The receiving agent; one of your agents (may be the sender)' })
  @IsAgentReference()
  toAgentId: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The task the message is about; one of your tasks' })
  @IsOptional()
  @IsUUID()
  taskId?: string | null;

  @ApiProperty({ example: 'task.request', maxLength: 100, description: 'What kind of message this is, in your own vocabulary' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  type: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { text: 'Summarise the three sources', priority: 'high' } })
  @IsObject()
  @JsonAsSent()
  content: Record<string, unknown>;
}
