import { checkTransitionTable } from '../../utils/transition-table';
import { MESSAGE_TRANSITIONS, timestampsFor } from '../../../src/modules/messaging/message-transitions';
import { MESSAGE_STATUSES, MessageStatus } from '../../../src/modules/messaging/message.entity';

/** The legal moves, written out independently of the table under test. */
const LEGAL: [MessageStatus, MessageStatus][] = [
  ['sent', 'received'],
  ['sent', 'failed'],
  ['received', 'processed'],
  ['received', 'failed'],
];

describe('message status transitions', () => {
  checkTransitionTable('message', MESSAGE_TRANSITIONS, MESSAGE_STATUSES, LEGAL, ['processed', 'failed']);

  it('stamps receivedAt on received, processedAt on processed and on failed', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(timestampsFor('received', now)).toEqual({ receivedAt: now });
    expect(timestampsFor('processed', now)).toEqual({ processedAt: now });
    expect(timestampsFor('failed', now)).toEqual({ processedAt: now });
    expect(timestampsFor('sent', now)).toEqual({});
  });
});
