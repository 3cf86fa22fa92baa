import { UnrecoverableError } from 'bullmq';
import { BadRequestError, ConflictError, UnprocessableError, ValidationFailedError } from '../../../src/common/errors';
import { backoffDelay, JITTERED_EXPONENTIAL } from '../../../src/common/queues/backoff';
import { PermanentPersistenceError } from '../../../src/modules/outbox/persistence-handler';
import { persistBackoffStrategy } from '../../../src/modules/outbox/outbox.jobs';
import { isPermanent } from '../../../src/modules/outbox/outbox-persister';

describe('retry backoff', () => {
  it('doubles per attempt, between half and all of base × 2^(n-1)', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap, and still jitters below it', () => {
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(30, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('spreads retries of jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 1000, 600_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8000);
  });

  it('is what the worker applies to persistence jobs', () => {
    const job = { opts: { backoff: { type: JITTERED_EXPONENTIAL, delay: 200 } }, data: { maxBackoffMs: 1000 } };
    for (let attempt = 1; attempt <= 8; attempt++) {
      const delay = persistBackoffStrategy(attempt, JITTERED_EXPONENTIAL, new Error('x'), job as never);
      const full = Math.min(1000, 200 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });
});

describe('which failures are permanent', () => {
  it('dead-letters at once what no retry can fix', () => {
    expect(isPermanent(new PermanentPersistenceError('bad result'))).toBe(true);
    expect(isPermanent(new UnrecoverableError('stop'))).toBe(true);
    expect(isPermanent(new ValidationFailedError([{ field: 'x', message: 'x is wrong' }]))).toBe(true);
    expect(isPermanent(new BadRequestError('bad'))).toBe(true);
    expect(isPermanent(new UnprocessableError('illegal transition'))).toBe(true);
  });

  it('retries what may pass later', () => {
    expect(isPermanent(new Error('connection reset'))).toBe(false);
    expect(isPermanent(new ConflictError('blocked by a dependency'))).toBe(false);
  });
});
