import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DomainEventEnvelope } from '../../common/events/event-catalog';
import { OnDomainEvent } from '../../common/events/on-domain-event.decorator';
import { enqueueWithin, withinMs } from '../../common/queues/enqueue';
import { DEAD_LETTER_JOB, DEAD_LETTER_QUEUE, PERSIST_JOB, PERSISTENCE_QUEUE } from '../../common/queues/queue-names';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { DeadLetterJobData, PersistJobData, persistJobOptions } from './outbox.jobs';

/** A record the workers should look at. */
export interface WakeTarget {
  recordId: string;
  tenantId: string;
  priority: number;
}

/** Job states in which a job will still run (or is running): the record needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/**
 * Mirrors committed outbox facts into Redis: accepted results wake the workers (see `wake`), a
 * redriven result gets its job, a dead-lettered one a job in the dead-letter queue. PostgreSQL stays the truth: when Redis is
 * away these listeners fail (logged and counted) and the sweeper catches up later.
 */
@Injectable()
export class OutboxEnqueuer {
  private readonly logger = new Logger(OutboxEnqueuer.name);

  constructor(
    @InjectQueue(PERSISTENCE_QUEUE) private readonly queue: Queue<PersistJobData>,
    @InjectQueue(DEAD_LETTER_QUEUE) private readonly deadLetters: Queue<DeadLetterJobData>,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  @OnDomainEvent('persistence.redriven')
  async onRedriven(event: DomainEventEnvelope<'persistence.redriven'>): Promise<void> {
    await this.deadLetters.remove(event.aggregateId);
    await this.requeue(event.aggregateId, event.tenantId, 0);
  }

  @OnDomainEvent('persistence.dead_lettered')
  async onDeadLettered(event: DomainEventEnvelope<'persistence.dead_lettered'>): Promise<void> {
    const { recordId, callId, schema, attempts, reason } = event.payload;
    await this.deadLetters.add(
      DEAD_LETTER_JOB,
      { recordId, tenantId: event.tenantId, callId, schema, attempts, reason },
      { jobId: recordId, removeOnComplete: true },
    );
  }

  /**
   * Wakes the workers for records just accepted (called by the intake after its commit, once per
   * request however many records it took). Throws if Redis does not answer in time.
   */
  async wake(records: WakeTarget[]): Promise<void> {
    if (records.length === 0) return;
    if (records.length === 1) return this.enqueue(records[0].recordId, records[0].tenantId, records[0].priority);
    const jobs = records.map(({ recordId, tenantId, priority }) => ({
      name: PERSIST_JOB,
      data: { recordId, tenantId, maxBackoffMs: this.config.maxBackoffMs },
      opts: persistJobOptions(recordId, priority, this.config),
    }));
    const added = await withinMs(this.queue.addBulk(jobs), this.config.enqueueTimeoutMs);
    if (!added) throw new Error(`Redis did not take the jobs of ${records.length} service calls within ${this.config.enqueueTimeoutMs} ms; the sweeper will enqueue them`);
  }

  /** Adds the record's job (a no-op while a job with its id exists). Throws if Redis does not answer in time. */
  async enqueue(recordId: string, tenantId: string, priority: number): Promise<void> {
    const data = { recordId, tenantId, maxBackoffMs: this.config.maxBackoffMs };
    const added = await enqueueWithin(this.queue, PERSIST_JOB, data, persistJobOptions(recordId, priority, this.config), this.config.enqueueTimeoutMs);
    if (!added) throw new Error(`Redis did not take the job of service call ${recordId} within ${this.config.enqueueTimeoutMs} ms; the sweeper will enqueue it`);
  }

  /**
   * Makes sure a pending record has a live job: keeps a waiting or running one, replaces a
   * finished one (its id would otherwise swallow the new job). Returns whether a job was added.
   * `stillPending` re-reads the record just before a job is added.
   */
  async requeue(recordId: string, tenantId: string, priority: number, stillPending?: () => Promise<boolean>): Promise<boolean> {
    const state = await this.queue.getJobState(recordId);
    if (LIVE_STATES.has(state)) return false;
    // The record may have been persisted since it was read: its job just finished. Look again.
    if (stillPending && !(await stillPending())) return false;
    if (state === 'completed' || state === 'failed') await this.queue.remove(recordId);
    await this.enqueue(recordId, tenantId, priority);
    this.logger.debug(`Enqueued service call ${recordId} again (its job was ${state})`);
    return true;
  }
}
