import { setTimeout as sleep } from 'node:timers/promises';
import { ContentionError } from '../errors';

/** SQLSTATEs of a transaction PostgreSQL aborted for contention: running it again may well succeed. */
const DEADLOCK_DETECTED = '40P01';
const SERIALIZATION_FAILURE = '40001';

/** How many times a unit of work runs before it gives up with ContentionError (503 with Retry-After). */
export const MAX_ATTEMPTS = 4;

/** Whether a query failed because PostgreSQL aborted its transaction for a deadlock or a serialization failure. */
export function isContention(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.code ?? e.driverError?.code;
  return code === DEADLOCK_DETECTED || code === SERIALIZATION_FAILURE;
}

/**
 * Runs `attempt` (a whole transaction, from BEGIN) again when PostgreSQL aborted it for
 * contention, after a short jittered pause, up to MAX_ATTEMPTS times; then ContentionError.
 * Any other failure is thrown as it is.
 */
export async function retryOnContention<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isContention(error)) throw error;
      if (n >= MAX_ATTEMPTS) throw new ContentionError(n);
      await sleep(Math.random() * 10 * 2 ** n);
    }
  }
}
