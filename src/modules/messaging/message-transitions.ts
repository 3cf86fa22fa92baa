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
 * processed and on failed (the moment handling ended, whichever way it ended). `reported` holds
 * the instants the agent itself saw, taken instead of now.
 */
export function timestampsFor(to: MessageStatus, now: Date, reported: MessageTimestamps = {}): MessageTimestamps {
  switch (to) {
    case 'received':
      return { receivedAt: reported.receivedAt ?? now };
    case 'processed':
    case 'failed':
      return { processedAt: reported.processedAt ?? now };
    case 'sent':
      return {};
  }
}

/** The reported timestamp fields a transition into `to` takes (any other is refused): the one it stamps. */
export function reportableTimestamps(to: MessageStatus): (keyof MessageTimestamps)[] {
  return Object.keys(timestampsFor(to, new Date(0))) as (keyof MessageTimestamps)[];
}
