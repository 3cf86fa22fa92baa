import type { JobsOptions, MinimalJob } from 'bullmq';
import { backoffDelay, JITTERED_EXPONENTIAL } from '../../common/queues/backoff';
import { QueuesConfig } from '../../config/queues.config';

/** Data of a `persistence.persist` job: the record to process (PostgreSQL holds the rest). */
export interface PersistJobData {
  recordId: string;
  tenantId: string;
  maxBackoffMs: number;
}

export interface DeadLetterJobData {
  recordId: string;
  tenantId: string;
  callId: string;
  schema: string;
  attempts: number;
  reason: string;
}

/** jobId = record id, so a record has at most one live job however often it is enqueued. */
export function persistJobOptions(recordId: string, priority: number, config: QueuesConfig): JobsOptions {
  return {
    jobId: recordId,
    priority: priority > 0 ? priority : undefined,
    attempts: config.maxAttempts,
    backoff: { type: JITTERED_EXPONENTIAL, delay: config.backoffMs },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** BullMQ `settings.backoffStrategy` for the persistence worker. */
export function persistBackoffStrategy(attemptsMade: number, type?: string, _error?: Error, job?: MinimalJob): number {
  const data = job?.data as PersistJobData | undefined;
  const base = typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1000) : 1000;
  if (type !== JITTERED_EXPONENTIAL) return base;
  return backoffDelay(attemptsMade, base, data?.maxBackoffMs ?? 600_000);
}

/** How long after intake (or after a failure's backoff) the sweeper leaves a record to its job. */
export function sweepGraceMs(config: QueuesConfig): number {
  return Math.max(1000, 2 * config.sweepIntervalMs);
}
