import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DomainEventEnvelope } from '../../common/events/event-catalog';
import { OnDomainEvent } from '../../common/events/on-domain-event.decorator';
import { enqueueWithin } from '../../common/queues/enqueue';
import { DRAIN_JOB, PERSISTENCE_QUEUE, RECORD_JOB } from '../../common/queues/queue-names';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { DatabaseIdentity } from '../../database/database-identity';
import { DrainJobData, drainJobOptions, RecordJobData, recordJobOptions } from './outbox.jobs';

/** Job states in which a job will still run (or is running): the record needs nothing more. */
const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** What a record's job needs to know of it. */
export type RecordRef = Pick<RecordJobData, 'recordId' | 'tenantId' | 'callId' | 'schema'>;

/**
 * Mirrors committed outbox facts into Redis: the intake wakes the drain once per request (`wake`), a
 * redriven result wakes it too, a
 * failed one gets its own job delayed until it is due, a dead-lettered one its job that fails on
 * the board. PostgreSQL stays the truth: when Redis is away these listeners fail (logged and
 * counted) and the sweeper catches up later.
 */
@Injectable()
export class OutboxEnqueuer {
  private readonly logger = new Logger(OutboxEnqueuer.name);

  constructor(
    @InjectQueue(PERSISTENCE_QUEUE) private readonly queue: Queue<DrainJobData | RecordJobData>,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
    private readonly database: DatabaseIdentity,
  ) {}

  @OnDomainEvent('persistence.failed')
  async onFailed(event: DomainEventEnvelope<'persistence.failed'>): Promise<void> {
    const { recordId, callId, schema, nextAttemptAt } = event.payload;
    await this.requeue({ recordId, tenantId: event.tenantId, callId, schema }, Date.parse(nextAttemptAt) - Date.now());
  }

  @OnDomainEvent('persistence.dead_lettered')
  async onDeadLettered(event: DomainEventEnvelope<'persistence.dead_lettered'>): Promise<void> {
    const { recordId, callId, schema } = event.payload;
    await this.requeue({ recordId, tenantId: event.tenantId, callId, schema });
  }

  /** Back to pending with no attempts: the drain takes it. Its dead-letter job goes (unless it is the one doing the redrive). */
  @OnDomainEvent('persistence.redriven')
  async onRedriven(event: DomainEventEnvelope<'persistence.redriven'>): Promise<void> {
    const state = await this.queue.getJobState(event.aggregateId);
    if (state === 'active') return;
    if (state === 'failed' || state === 'completed') await this.queue.remove(event.aggregateId);
    await this.wake();
  }

  /**
   * Wakes a worker to drain what is due (a no-op while a wake-up is already waiting). Throws if
   * Redis does not answer in time: the sweeper wakes the drain later.
   */
  async wake(): Promise<void> {
    const database = await this.database.get();
    const added = await enqueueWithin(this.queue, DRAIN_JOB, { database }, drainJobOptions(database), this.config.enqueueTimeoutMs);
    if (!added) throw new Error(`Redis did not take the wake-up job within ${this.config.enqueueTimeoutMs} ms; the sweeper will wake the drain`);
  }

  /**
   * Makes sure a record has a live job of its own, after `delayMs`: keeps a waiting, delayed or
   * running one (a running one is the record's own attempt, which reschedules itself), replaces a
   * finished one (its id would otherwise swallow the new job). Returns whether a job was added.
   * `stillPending` re-reads the record just before a job is added.
   */
  async requeue(ref: RecordRef, delayMs = 0, stillPending?: () => Promise<boolean>): Promise<boolean> {
    const state = await this.queue.getJobState(ref.recordId);
    if (LIVE_STATES.has(state)) return false;
    // The record may have been persisted since it was read: its job just finished. Look again.
    if (stillPending && !(await stillPending())) return false;
    if (state === 'completed' || state === 'failed') await this.queue.remove(ref.recordId);
    const data: RecordJobData = { ...ref, database: await this.database.get(), maxBackoffMs: this.config.maxBackoffMs };
    const added = await enqueueWithin(this.queue, RECORD_JOB, data, recordJobOptions(ref.recordId, delayMs, this.config), this.config.enqueueTimeoutMs);
    if (!added)
      throw new Error(`Redis did not take the job of service call ${ref.recordId} within ${this.config.enqueueTimeoutMs} ms; the sweeper will enqueue it`);
    this.logger.debug(`Enqueued service call ${ref.recordId} (its job was ${state})`);
    return true;
  }
}
