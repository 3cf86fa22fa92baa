import { assertTransition, canTransition, IllegalTransitionError } from '../../../src/common/domain/transitions';
import { MESSAGE_TRANSITIONS, timestampsFor } from '../../../src/modules/messaging/message-transitions';
import { MESSAGE_STATUSES, MessageStatus } from '../../../src/modules/messaging/message.entity';

/** The legal moves, written out independently of the table under test. */
const LEGAL = new Set(['sent→received', 'sent→failed', 'received→processed', 'received→failed']);

const PAIRS: [MessageStatus, MessageStatus][] = MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUSES.map((to) => [from, to] as [MessageStatus, MessageStatus]));

describe('message status transitions', () => {
  it('has a row for every status', () => {
    expect(Object.keys(MESSAGE_TRANSITIONS).sort()).toEqual([...MESSAGE_STATUSES].sort());
  });

  it.each(PAIRS.filter(([from, to]) => LEGAL.has(`${from}→${to}`)))('allows %s → %s', (from, to) => {
    expect(canTransition(MESSAGE_TRANSITIONS, from, to)).toBe(true);
    expect(() => assertTransition(MESSAGE_TRANSITIONS, 'message', 'm1', from, to)).not.toThrow();
  });

  it.each(PAIRS.filter(([from, to]) => !LEGAL.has(`${from}→${to}`)))('refuses %s → %s with a 422 naming both states', (from, to) => {
    expect(canTransition(MESSAGE_TRANSITIONS, from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(MESSAGE_TRANSITIONS, 'message', 'm1', from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    const error = thrown as IllegalTransitionError;
    expect(error.code).toBe('UNPROCESSABLE');
    expect(error.message).toContain(from);
    expect(error.message).toContain(to);
    expect(error.extensions).toMatchObject({ from, to, allowed: MESSAGE_TRANSITIONS[from] });
  });

  it('covers all sixteen pairs: four legal, twelve refused', () => {
    expect(PAIRS).toHaveLength(16);
    expect(PAIRS.filter(([from, to]) => canTransition(MESSAGE_TRANSITIONS, from, to))).toHaveLength(4);
  });

  it('makes processed and failed final', () => {
    expect(MESSAGE_TRANSITIONS.processed).toEqual([]);
    expect(MESSAGE_TRANSITIONS.failed).toEqual([]);
  });

  it('stamps receivedAt on received, processedAt on processed and on failed', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(timestampsFor('received', now)).toEqual({ receivedAt: now });
    expect(timestampsFor('processed', now)).toEqual({ processedAt: now });
    expect(timestampsFor('failed', now)).toEqual({ processedAt: now });
    expect(timestampsFor('sent', now)).toEqual({});
  });
});
