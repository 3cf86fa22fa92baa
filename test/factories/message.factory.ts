import { CreateMessageDto } from '../../src/modules/messaging/dto/create-message.dto';

/** A valid `POST /messages` body from one agent to another; pass overrides for what the test is about. */
export function makeMessage(fromAgentId: string, toAgentId: string, overrides: Partial<CreateMessageDto> = {}): CreateMessageDto {
  return {
    fromAgentId,
    toAgentId,
    type: 'task.request',
    content: { text: 'Summarise the three sources', sources: ['a', 'b', 'c'] },
    ...overrides,
  };
}
