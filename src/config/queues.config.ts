import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface QueuesConfig {
  /** Attempts before a service-call result is dead-lettered. */
  maxAttempts: number;
  /** First retry delay; each further retry doubles it (with jitter), up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How often worker processes look for pending results with no live job. */
  sweepIntervalMs: number;
  /** Pending results one drain transaction claims at most (PERSIST_BATCH_SIZE). */
  batchSize: number;
  /** Jobs (drain batches and retries) processed at once by each worker process. */
  workerConcurrency: number;
  /** Drain batches one worker process runs at once (PERSIST_BATCH_CONCURRENCY); its other drain jobs wait for one to end. */
  batchConcurrency: number;
  /** Batches one drain job runs at most, one after the other, while due results remain (PERSIST_BATCHES_PER_JOB). */
  batchesPerJob: number;
  /** How long intake waits for Redis before answering anyway (the sweeper enqueues later). */
  enqueueTimeoutMs: number;
}

export function readQueuesConfig(reader: EnvReader): QueuesConfig {
  return {
    maxAttempts: reader.int('PERSIST_MAX_ATTEMPTS', 10, 1, 100),
    backoffMs: reader.int('PERSIST_BACKOFF_MS', 1000, 1, 3_600_000),
    maxBackoffMs: reader.int('PERSIST_MAX_BACKOFF_MS', 600_000, 1, 86_400_000),
    sweepIntervalMs: reader.int('SWEEP_INTERVAL_MS', 5000, 100, 3_600_000),
    batchSize: reader.int('PERSIST_BATCH_SIZE', 100, 1, 1000),
    workerConcurrency: reader.int('WORKER_CONCURRENCY', 10, 1, 1000),
    batchConcurrency: reader.int('PERSIST_BATCH_CONCURRENCY', 4, 1, 1000),
    batchesPerJob: reader.int('PERSIST_BATCHES_PER_JOB', 10, 1, 1000),
    enqueueTimeoutMs: reader.int('ENQUEUE_TIMEOUT_MS', 1000, 10, 60_000),
  };
}

export const queuesConfig = registerAs('queues', (): QueuesConfig => readQueuesConfig(new EnvReader(process.env)));
