import { ApiProperty } from '@nestjs/swagger';
import { MESSAGE_STATUSES, Message, MessageStatus } from '../message.entity';

export class MessageResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  fromAgentId: string;

  @ApiProperty({ format: 'uuid' })
  toAgentId: string;

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

  @ApiProperty({ description: 'Send it back as If-Match: "<version>" to change the status', example: 1 })
  version: number;

  @ApiProperty({ description: 'Actor that sent the message' })
  createdBy: string;

  @ApiProperty({ description: 'Actor of the last status change' })
  updatedBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(message: Message): MessageResponse {
    return {
      id: message.id,
      fromAgentId: message.fromAgentId,
      toAgentId: message.toAgentId,
      taskId: message.taskId,
      type: message.type,
      content: message.content,
      status: message.status,
      sentAt: message.sentAt.toISOString(),
      receivedAt: message.receivedAt?.toISOString() ?? null,
      processedAt: message.processedAt?.toISOString() ?? null,
      version: message.version,
      createdBy: message.createdBy,
      updatedBy: message.updatedBy,
      createdAt: message.createdAt.toISOString(),
      updatedAt: message.updatedAt.toISOString(),
    };
  }
}

export class MessagePage {
  @ApiProperty({ type: [MessageResponse] })
  items: MessageResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  nextCursor: string | null;
}
