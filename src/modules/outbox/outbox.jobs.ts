import type { JobsOptions, MinimalJob } from 'bullmq';
import { backoffDelay, JITTERED_EXPONENTIAL } from '../../common/queues/backoff';
import { QueuesConfig } from '../../config/queues.config';

/** What every job of the persistence queue carries: the database it belongs to (see DatabaseIdentity). */
export interface OutboxJobData {
  database: string;
}

/** Data of a `persistence.drain` job: nothing but its database; the batch is whatever is due when it runs. */
export type DrainJobData = OutboxJobData;

/**
 * Data of a `persistence.persist` job (id = record id): the result's own job, for its retries and,
 * once it is dead-lettered, its failure on the board (record id, tenant, call id and schema to
 * read there). `retriedBy` is the name of the admin key that retried it from the board, if known,
 * and `retriedByKeyId` its id.
 */
export interface RecordJobData extends OutboxJobData {
  recordId: string;
  tenantId: string;
  callId: string;
  schema: string;
  maxBackoffMs: number;
  retriedBy?: string;
  retriedByKeyId?: string;
}

/** What became of the results of one batch, or of all the batches of a drain job. */
export interface DrainReport {
  claimed: number;
  persisted: number;
  skipped: number;
  retrying: number;
  deadLettered: number;
}

/** What a drain job returns (the board shows it): its batches, and what became of the results they claimed. */
export interface DrainJobReport extends DrainReport {
  /** Batches that claimed results. */
  batches: number;
}

/** The one deduplication id of the wake-up job: at most one waits at a time (per database). */
export function drainDeduplicationId(database: string): string {
  return `drain:${database}`;
}

/**
 * A wake-up: deduplicated while it waits (a burst of intakes makes one job), released as soon as
 * a worker takes it (see OutboxProcessor), so a result that arrives during a batch wakes another.
 */
export function drainJobOptions(database: string): JobsOptions {
  return {
    deduplication: { id: drainDeduplicationId(database) },
    attempts: 5,
    backoff: { type: JITTERED_EXPONENTIAL, delay: 200 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 1000 },
  };
}

/**
 * A result's own job: jobId = record id, so a record has at most one job however often it is
 * enqueued. PostgreSQL counts the attempts and decides when to dead-letter (an
 * UnrecoverableError then); BullMQ's own count is only a bound that is never reached first.
 */
export function recordJobOptions(recordId: string, delayMs: number, config: QueuesConfig): JobsOptions {
  return {
    jobId: recordId,
    delay: delayMs > 0 ? delayMs : undefined,
    attempts: config.maxAttempts + 1,
    backoff: { type: JITTERED_EXPONENTIAL, delay: config.backoffMs },
    removeOnComplete: { age: 3600, count: 10_000 },
    // A dead letter stays on the board until an operator acts on it (or cleans it: see docs/operating.md).
    removeOnFail: false,
  };
}

/** Thrown by a record job whose attempt failed and was counted: BullMQ retries it after `delayMs`. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/**
 * BullMQ `settings.backoffStrategy` of the persistence worker: the delay PostgreSQL recorded for a
 * counted failure (so the job runs when the record is due), else jittered exponential backoff.
 */
export function persistBackoffStrategy(attemptsMade: number, type?: string, error?: Error, job?: MinimalJob): number {
  if (error instanceof RetryLaterError) return error.delayMs;
  const data = job?.data as Partial<RecordJobData> | undefined;
  const base = typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1000) : 1000;
  if (type !== JITTERED_EXPONENTIAL) return base;
  return backoffDelay(attemptsMade, base, data?.maxBackoffMs ?? 600_000);
}

/** How long after intake (or after a failure's backoff) the sweeper leaves a record to its job. */
export function sweepGraceMs(config: QueuesConfig): number {
  return Math.max(1000, 2 * config.sweepIntervalMs);
}
