import type { JobsOptions, Queue } from 'bullmq';

/**
 * Adds a job but never waits on Redis for longer than `timeoutMs`: the caller's data is
 * already in PostgreSQL, and the sweeper enqueues whatever did not make it. Returns whether
 * Redis acknowledged the job in time.
 */
export function enqueueWithin(queue: Queue, name: string, data: object, options: JobsOptions, timeoutMs: number): Promise<boolean> {
  return withinMs(queue.add(name, data, options), timeoutMs);
}

/** Whether `work` settled successfully within `timeoutMs` (its failure is rethrown). */
export async function withinMs(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
