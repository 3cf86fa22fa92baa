import { MessageStatus } from './message.entity';

export const MessageEvents = {
  sent: 'message.sent',
  statusChanged: 'message.status_changed',
  deleted: 'message.deleted',
} as const;

export interface MessageSentPayload {
  messageId: string;
  fromAgentId: string;
  toAgentId: string;
  taskId: string | null;
  type: string;
}

export interface MessageStatusChangedPayload {
  messageId: string;
  from: MessageStatus;
  to: MessageStatus;
}

export interface MessageDeletedPayload {
  messageId: string;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'message.sent': MessageSentPayload;
    'message.status_changed': MessageStatusChangedPayload;
    'message.deleted': MessageDeletedPayload;
  }
}
