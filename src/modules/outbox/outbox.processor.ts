import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { PERSISTENCE_QUEUE, RECORD_JOB } from '../../common/queues/queue-names';
import { Slots } from '../../common/scheduling/slots';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { DatabaseIdentity } from '../../database/database-identity';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { foreignJobs } from './outbox.metrics';
import { DrainJobData, DrainJobReport, DrainReport, persistBackoffStrategy, RecordJobData, RetryLaterError } from './outbox.jobs';
import { OutboxPersister, ProcessOutcome } from './outbox-persister';
import { OutboxService } from './outbox.service';

/** Who a board retry is attributed to when the board did not say (a retry through BullMQ's API). */
export const UNKNOWN_BOARD_ACTOR = 'queue-board';

/** How long a refused foreign job waits before it is offered again (to its own workers, with luck). */
const FOREIGN_JOB_DELAY_MS = 1000;

/**
 * The BullMQ worker of the `persistence` queue. A drain job runs batches of due results; a
 * record job runs one result's retry, fails it on the board once it is dead-lettered, and — when
 * an operator retries that failed job — redrives it and processes it again. Jobs only name work:
 * PostgreSQL decides, so a job may run twice (at-least-once delivery) without effect. A short lock
 * lets another worker take over a job whose worker died within ~15 s.
 */
@Processor(PERSISTENCE_QUEUE, {
  settings: { backoffStrategy: persistBackoffStrategy },
  lockDuration: 15_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
})
export class OutboxProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxProcessor.name);
  /** Drain batches running in this process (PERSIST_BATCH_CONCURRENCY); other drain jobs wait for a slot. */
  private readonly batches: Slots;

  constructor(
    private readonly persister: OutboxPersister,
    private readonly enqueuer: OutboxEnqueuer,
    private readonly outbox: OutboxService,
    private readonly database: DatabaseIdentity,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {
    super();
    this.batches = new Slots(config.batchConcurrency);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  async process(job: Job<DrainJobData | RecordJobData>, token?: string): Promise<DrainJobReport | ProcessOutcome> {
    await this.refuseForeign(job, token);
    if (job.name === RECORD_JOB) return this.processRecord(job as Job<RecordJobData>);
    return this.drain(job);
  }

  /**
   * A job of another database (two deployments on one Redis with one QUEUE_PREFIX): never
   * processed here. It goes back, delayed, for its own workers; logged and counted every time.
   * A job without the field predates it and is this database's.
   */
  private async refuseForeign(job: Job<DrainJobData | RecordJobData>, token?: string): Promise<void> {
    const own = await this.database.get();
    if (job.data.database === undefined || job.data.database === own) return;
    foreignJobs.inc({ job: job.name });
    this.logger.error(
      `Refused job ${job.id} (${job.name}) of database ${job.data.database}: this worker serves database ${own}. ` +
        'Two deployments share this Redis and QUEUE_PREFIX; give each its own QUEUE_PREFIX.',
    );
    await job.moveToDelayed(Date.now() + FOREIGN_JOB_DELAY_MS, token);
    throw new DelayedError();
  }

  /**
   * Batches, one after the other while due results remain, at most PERSIST_BATCHES_PER_JOB. The
   * wake-up is released before the first claim, so a result that arrives meanwhile wakes another
   * worker (released in Redis while the transaction begins in PostgreSQL: one round trip less
   * before the claim). The first batch that leaves other due results (its tenant's, or another's: a
   * batch is of one tenant) wakes a neighbour as soon as it is claimed, so that a backlog is drained
   * by several batches at once (SKIP LOCKED keeps them apart), not one after the other: at most
   * PERSIST_BATCH_CONCURRENCY per process, the neighbour waiting here for a slot (or taken by
   * another process). A job that stops with results still due (at its last batch, or because the
   * process is shutting down) wakes another, so the backlog goes on. A job runs several batches,
   * not one, because a job costs about nine Redis round trips: paid once a batch, they took about a
   * sixth of the worker's cpu (see docs/outbox.md, "Waking"). If a Redis call fails, the job fails
   * and is retried.
   */
  private async drain(job: Job<DrainJobData>): Promise<DrainJobReport> {
    const released = job.removeDeduplicationKey();
    released.catch(() => undefined);
    return this.batches.run(async () => {
      const report: DrainJobReport = { batches: 0, claimed: 0, persisted: 0, skipped: 0, retrying: 0, deadLettered: 0 };
      // Shutting down: a job that waited for a slot starts no batch; the backlog is due for the others.
      if (this.worker.closing) {
        await released;
        return report;
      }
      const wakes: Promise<void>[] = [];
      const wake = () => {
        const added = this.enqueuer.wake();
        added.catch(() => undefined);
        wakes.push(added);
      };
      let more: boolean;
      let claims = 0;
      do {
        more = false;
        const batch = await this.persister.drain(claims === 0 ? released : undefined, () => {
          more = true;
          if (wakes.length === 0) wake();
        });
        addBatch(report, batch);
        claims++;
      } while (more && claims < this.config.batchesPerJob && !this.worker.closing);
      if (more) wake();
      await Promise.all(wakes);
      return report;
    });
  }

  private async processRecord(job: Job<RecordJobData>): Promise<ProcessOutcome> {
    const { recordId, tenantId } = job.data;
    let outcome = await this.persister.process(recordId, tenantId);
    if (outcome.status === 'already_done' && outcome.current === 'dead_lettered') {
      // First run: the record was dead-lettered, and this job shows it on the board as a failure.
      if (job.attemptsMade === 0) throw new UnrecoverableError(outcome.lastError ?? 'dead-lettered');
      // Run again after it failed: an operator retried it on the board. That is a redrive.
      const actorId = job.data.retriedBy ?? UNKNOWN_BOARD_ACTOR;
      await this.outbox.redrive({ tenantId, actorId, keyId: job.data.retriedByKeyId ?? null, correlationId: null }, recordId);
      this.logger.log(`Service call ${recordId} redriven from the queue board by ${actorId}`);
      outcome = await this.persister.process(recordId, tenantId);
    }
    if (outcome.status === 'retrying') throw new RetryLaterError(outcome.error, outcome.delayMs);
    if (outcome.status === 'dead_lettered') throw new UnrecoverableError(outcome.reason);
    return outcome;
  }
}

/** Counts one batch in its job's report; a claim that found nothing (after a full batch, which does not look further) is no batch. */
function addBatch(report: DrainJobReport, batch: DrainReport): void {
  if (batch.claimed > 0) report.batches++;
  report.claimed += batch.claimed;
  report.persisted += batch.persisted;
  report.skipped += batch.skipped;
  report.retrying += batch.retrying;
  report.deadLettered += batch.deadLettered;
}
