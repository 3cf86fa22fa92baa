/** Queue and job names are stable strings: renaming a class must never orphan queued jobs. */
export const PERSISTENCE_QUEUE = 'persistence';

/** A wake-up: drain one batch of due results (deduplicated: at most one waits at a time). */
export const DRAIN_JOB = 'persistence.drain';
/** One result's own job (id = record id): its retries with backoff, and its dead letter (a failed job). */
export const RECORD_JOB = 'persistence.persist';

export const ALL_QUEUES = [PERSISTENCE_QUEUE] as const;
