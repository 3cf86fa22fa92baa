import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PERSISTENCE_QUEUE } from '../../common/queues/queue-names';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { persistBackoffStrategy, PersistJobData } from './outbox.jobs';
import { ProcessOutcome, OutboxPersister } from './outbox-persister';

/**
 * The BullMQ worker of the `persistence` queue. A job only names a record; the persister does
 * the work against PostgreSQL, so a job may run twice (at-least-once delivery) without effect.
 * A short lock lets another worker take over a job whose worker died within ~15 s.
 */
@Processor(PERSISTENCE_QUEUE, {
  settings: { backoffStrategy: persistBackoffStrategy },
  lockDuration: 15_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
})
export class OutboxProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly persister: OutboxPersister,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  process(job: Job<PersistJobData>): Promise<ProcessOutcome> {
    return this.persister.process(job.data.recordId, job.data.tenantId);
  }
}
