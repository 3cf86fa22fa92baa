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
  return (await settleWithin(work, timeoutMs)) !== undefined;
}

/** `work`'s value, boxed, if it settles within `timeoutMs`; undefined when it does not (its failure is rethrown). */
export async function settleWithin<T>(work: Promise<T>, timeoutMs: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
