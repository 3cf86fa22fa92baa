/** Queue and job names are stable strings: renaming a class must never orphan queued jobs. */
export const PERSISTENCE_QUEUE = 'persistence';
export const DEAD_LETTER_QUEUE = 'persistence-dlq';

export const PERSIST_JOB = 'persistence.persist';
export const DEAD_LETTER_JOB = 'persistence.dead_lettered';

export const ALL_QUEUES = [PERSISTENCE_QUEUE, DEAD_LETTER_QUEUE] as const;
