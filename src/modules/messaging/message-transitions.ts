import { TransitionTable } from '../../common/domain/transitions';
import { Message, MessageStatus } from './message.entity';

/**
 * The life of a message, and the only status changes `PATCH /messages/:id` accepts:
 * sent → received → processed, with failed reachable from sent or received.
 * processed and failed are final.
 */
export const MESSAGE_TRANSITIONS: TransitionTable<MessageStatus> = {
  sent: ['received', 'failed'],
  received: ['processed', 'failed'],
  processed: [],
  failed: [],
};

export type MessageTimestamps = Partial<Pick<Message, 'receivedAt' | 'processedAt'>>;

/**
 * The timestamp a transition into `to` stamps: `receivedAt` on received, `processedAt` on
 * processed and on failed (the moment handling ended, whichever way it ended).
 */
export function timestampsFor(to: MessageStatus, now: Date): MessageTimestamps {
  switch (to) {
    case 'received':
      return { receivedAt: now };
    case 'processed':
    case 'failed':
      return { processedAt: now };
    case 'sent':
      return {};
  }
}
