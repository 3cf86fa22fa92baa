import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { sweepGraceMs } from './outbox.jobs';
import { OutboxRepository } from './outbox.repository';

const BATCH = 500;

/**
 * Rebuilds the queue from PostgreSQL: every SWEEP_INTERVAL_MS, pending records past their due
 * time that have no live job get one. This is what makes a lost job, a Redis restart or a
 * FLUSHDB lose nothing. Several workers may sweep at once: job ids deduplicate, and the
 * idempotency key makes a doubly processed record write once.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly records: OutboxRepository,
    private readonly enqueuer: OutboxEnqueuer,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepOnce(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns how many records got a new job. Overlapping calls share the pass in flight. */
  sweepOnce(): Promise<number> {
    // The sweeper works for every tenant at once: the one system task of the outbox.
    this.running ??= TenantScope.system(() => this.sweep()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    try {
      const due = await this.records.due(BATCH);
      let requeued = 0;
      for (const record of due) {
        const stillPending = () => this.records.isPending(record.id);
        if (await this.enqueuer.requeue(record.id, record.tenantId, record.priority, stillPending)) requeued++;
      }
      await this.records.postpone(
        due.map((record) => record.id),
        sweepGraceMs(this.config),
      );
      if (requeued > 0) this.logger.log(`Sweeper enqueued ${requeued} pending service call(s) that had no live job`);
      return requeued;
    } catch (error) {
      this.logger.warn(`Sweep failed (will retry in ${this.config.sweepIntervalMs} ms): ${(error as Error).message}`);
      return 0;
    }
  }
}
