import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicTask } from '../../common/scheduling/periodic';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { HandlerRegistry } from './handler-registry';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { sweepGraceMs } from './outbox.jobs';
import { OutboxPersister } from './outbox-persister';
import { DueRecord, OutboxRepository } from './outbox.repository';

const BATCH = 500;

/**
 * Rebuilds the queue from PostgreSQL: every SWEEP_INTERVAL_MS, pending records past their due
 * time (BATCH of them, the oldest due first, then left for a grace) wake the drain (fresh ones), are
 * skipped (fresh ones that no handler of this process serves) or get their own job again (failed
 * ones, if none is live). One work list a pass, read in the order of its index. This
 * is what makes a lost job, a Redis restart or a FLUSHDB lose nothing. Several workers may sweep
 * at once: the wake-up and job ids deduplicate, and the idempotency key makes a doubly processed
 * record write once.
 */
@Injectable()
export class OutboxSweeper extends PeriodicTask<number> {
  private readonly logger = new Logger(OutboxSweeper.name);

  constructor(
    private readonly records: OutboxRepository,
    private readonly enqueuer: OutboxEnqueuer,
    private readonly persister: OutboxPersister,
    private readonly registry: HandlerRegistry,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {
    super(config.sweepIntervalMs);
  }

  /** One pass (see `runOnce`); returns how many records got a new job. */
  protected pass(): Promise<number> {
    // The sweeper works for every tenant at once: its work list comes from functions of the database
    // (outbox_due, outbox_postpone), and whatever it does to one record it does in that record's tenant scope.
    return this.sweep();
  }

  private async sweep(): Promise<number> {
    try {
      const due = await this.records.due(BATCH);
      let requeued = 0;
      let wake = false;
      const unhandled: DueRecord[] = [];
      for (const record of due) {
        if (record.attempts === 0) {
          // A fresh (or redriven) result is the drain's: its wake-up was lost, or the drain is behind.
          if (this.registry.resolve(record.namespace, record.schemaIdentity)) wake = true;
          else unhandled.push(record);
          continue;
        }
        // A failed one is its own job's, which Redis lost: a new one.
        const stillPending = () => TenantScope.run(record.tenantId, () => this.records.isPending(record.id));
        const ref = { recordId: record.id, tenantId: record.tenantId, callId: record.callId, schema: record.schemaIdentity };
        if (await this.enqueuer.requeue(ref, 0, stillPending)) requeued++;
      }
      if (wake) await this.enqueuer.wake();
      // The drain claims only results this process has a handler for (another process, of a newer
      // version say, may have it). One still unclaimed past its grace has none here: it is
      // processed by id, which marks it skipped when no handler takes it.
      for (const record of unhandled) await this.persister.process(record.id, record.tenantId);
      await this.records.postpone(
        due.map((record) => record.id),
        sweepGraceMs(this.config),
      );
      if (requeued > 0) this.logger.log(`Sweeper enqueued ${requeued} failed service call(s) whose job Redis lost`);
      return requeued + (wake ? 1 : 0);
    } catch (error) {
      this.logger.warn(`Sweep failed (will retry in ${this.intervalMs} ms): ${(error as Error).message}`);
      return 0;
    }
  }
}
