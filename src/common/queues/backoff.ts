/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * base × 2^(n-1), capped. The random half spreads retries of many jobs that failed together
 * (a database restart, say) so they do not all come back at the same instant.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** The custom backoff type workers register: reads base and cap from the job's own options. */
export const JITTERED_EXPONENTIAL = 'jittered-exponential';
