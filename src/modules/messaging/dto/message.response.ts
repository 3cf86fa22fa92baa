import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../common/http/audited.response';
import { AgentKeys, ApiAgentKey } from '../../agents/agent-keys';
import { MESSAGE_STATUSES, Message, MessageStatus } from '../message.entity';
import { PageOf } from '../../../common/http/collections';

export class MessageResponse extends AuditedResponse {
  @ApiProperty({ format: 'uuid' })
  fromAgentId: string;

  @ApiAgentKey('fromAgentId')
  fromAgentKey: string | null;

  @ApiProperty({ format: 'uuid' })
  toAgentId: string;

  @ApiAgentKey('toAgentId')
  toAgentKey: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null when none was given, or once the task is deleted' })
  taskId: string | null;

  @ApiProperty({ example: 'task.request' })
  type: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  content: Record<string, unknown>;

  @ApiProperty({ enum: MESSAGE_STATUSES })
  status: MessageStatus;

  @ApiProperty({ format: 'date-time', description: 'When the message was sent (accepted by the service)' })
  sentAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set by the transition to received' })
  receivedAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Set by the transition to processed, and also by the transition to failed: when handling ended',
  })
  processedAt: string | null;

  static from(message: Message, agentKeys: AgentKeys): MessageResponse {
    return Object.assign(auditedFields(message), {
      fromAgentId: message.fromAgentId,
      fromAgentKey: agentKeys.of(message.fromAgentId),
      toAgentId: message.toAgentId,
      toAgentKey: agentKeys.of(message.toAgentId),
      taskId: message.taskId,
      type: message.type,
      content: message.content,
      status: message.status,
      sentAt: message.sentAt.toISOString(),
      receivedAt: message.receivedAt?.toISOString() ?? null,
      processedAt: message.processedAt?.toISOString() ?? null,
    });
  }
}

export class MessagePage extends PageOf(MessageResponse) {}
