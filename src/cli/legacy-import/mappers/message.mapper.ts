import { CreateMessageDto } from '../../../modules/messaging/dto/create-message.dto';
import { Message } from '../../../modules/messaging/message.entity';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

/** A message as sent at its legacy `created_at`; like one sent through the API, it starts `sent`. */
export class MessageMapper extends LegacyMapper<CreateMessageDto> {
  readonly type = 'message';
  readonly entity = Message;
  readonly dto = CreateMessageDto;
  override readonly references = [
    { field: 'fromAgentId', type: 'agent' },
    { field: 'toAgentId', type: 'agent' },
    { field: 'taskId', type: 'task' },
  ];
  readonly fields = ['fromAgentId', 'toAgentId', 'taskId', 'type', 'content', 'status', 'sentAt', 'createdAt', 'updatedAt'];

  protected values(body: CreateMessageDto, row: LegacyRow): Record<string, unknown> {
    return {
      fromAgentId: body.fromAgentId,
      toAgentId: body.toAgentId,
      taskId: body.taskId ?? null,
      type: body.type,
      content: body.content,
      status: 'sent',
      sentAt: row.createdAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
