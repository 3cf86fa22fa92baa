import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource, QueryFailedError } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { DomainError, ErrorCode } from '../../common/errors';
import { Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { backoffDelay } from '../../common/queues/backoff';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { HandlerRegistry, ResolvedHandler } from './handler-registry';
import { intakeToPersisted, persistenceOutcomes } from './outbox.metrics';
import { OutboxEvents } from './outbox.events';
import { PermanentPersistenceError, PersistedObject } from './persistence-handler';
import { sweepGraceMs } from './outbox.jobs';
import { ServiceCallRecord } from './service-call-record.entity';
import { OutboxRepository } from './outbox.repository';

export type ProcessOutcome =
  | { status: 'persisted'; domainType: string; domainId: string; attempts: number; latencyMs: number }
  | { status: 'already_done'; current: string }
  | { status: 'skipped'; reason: string }
  | { status: 'dead_lettered'; attempts: number; reason: string }
  | { status: 'missing' };

/** Domain errors that no retry can fix: the result itself is wrong for the current state. */
const PERMANENT_CODES = new Set<ErrorCode>([ErrorCode.ValidationFailed, ErrorCode.BadRequest, ErrorCode.Unprocessable]);

export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentPersistenceError || error instanceof UnrecoverableError) return true;
  return error instanceof DomainError && PERMANENT_CODES.has(error.code);
}

/** An error of PostgreSQL (through TypeORM or pg): its message names tables, constraints and values. */
function isDatabaseError(error: unknown): error is Error & { code?: string; driverError?: { code?: string } } {
  return error instanceof QueryFailedError || (error instanceof Error && 'severity' in error && 'code' in error);
}

/**
 * What a failure says in last_error and in the failure events, both read by the tenant: the
 * message of the error, except that a database error keeps only its SQLSTATE (its message may
 * name constraints, or values of rows the tenant cannot see); the log has it in full.
 */
function describe(error: unknown): string {
  if (isDatabaseError(error)) {
    return `${error.name}: the database refused a statement (SQLSTATE ${error.driverError?.code ?? error.code ?? 'unknown'}); the service log has the details`;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 2000 ? `${message.slice(0, 2000)}…` : message;
}

/**
 * Turns one pending service-call record into domain rows, exactly once. In ONE transaction: lock
 * the record, validate its result, claim its idempotency key (persisted_chunks), run the handler,
 * link the key to the domain object, mark the record persisted and record the event. A failure is
 * counted in its own transaction: retried (the error is rethrown for BullMQ's backoff) or
 * dead-lettered.
 */
@Injectable()
export class OutboxPersister {
  private readonly logger = new Logger(OutboxPersister.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly records: OutboxRepository,
    private readonly registry: HandlerRegistry,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  /**
   * Processes one record as its tenant, in one transaction that starts by locking the record. A
   * job carries the tenant, so a worker reads nothing outside it; without one (a direct call) the
   * record's tenant is looked up first, across tenants.
   */
  async process(recordId: string, tenantId?: string): Promise<ProcessOutcome> {
    let locked: ServiceCallRecord | undefined;
    let handler = 'unknown';
    try {
      const tenant = tenantId ?? (await this.tenantOf(recordId));
      if (tenant === undefined) return { status: 'missing' };
      // The record's own author and correlation id are known once it is locked: the context
      // starts with its tenant and takes the rest from the row, before anything is written.
      const context: RequestContext = { tenantId: tenant, actorId: '', correlationId: null };
      const outcome = await this.unitOfWork.run(context, async (tx) => {
        const record = await this.records.lock(tx.manager, recordId, tenant);
        if (!record) return { status: 'missing' } as const;
        if (record.status !== 'pending') return { status: 'already_done', current: record.status } as const;
        locked = record;
        Object.assign(context, contextOf(record));
        const resolved = this.registry.resolve(record.namespace, record.schemaIdentity);
        if (!resolved) return this.skip(tx, record, `no handler for ${record.namespace}/${record.schemaIdentity}`);
        handler = resolved.identity;
        const result = await this.registry.validate(resolved, record.result);
        return this.persist(tx, record, resolved, result);
      });
      this.countCommitted(outcome, handler);
      return outcome;
    } catch (error) {
      // Failed after the record was locked: counted on the record (retried or dead-lettered).
      if (locked) return this.fail(locked, handler, error);
      persistenceOutcomes.inc({ handler, outcome: 'failed' });
      throw error; // the database is unreachable: BullMQ retries after its backoff
    }
  }

  private async tenantOf(recordId: string): Promise<string | undefined> {
    const record = await TenantScope.system(() => this.dataSource.manager.findOneBy(ServiceCallRecord, { id: recordId }));
    return record?.tenantId;
  }

  /** Writes the domain rows of a locked pending record, exactly once, in the caller's transaction. */
  private async persist(tx: Transaction, locked: ServiceCallRecord, resolved: ResolvedHandler, result: unknown): Promise<ProcessOutcome> {
    const attempts = locked.attempts + 1;
    const fresh = await this.records.claimChunk(tx.manager, locked, resolved.identity);
    let domain: PersistedObject;
    if (fresh) {
      domain = await resolved.handler.persist(result, {
        tx,
        recordId: locked.id,
        callId: locked.callId,
        namespace: locked.namespace,
        schema: locked.schemaIdentity,
      });
      await this.records.linkChunk(tx.manager, locked, domain.type, domain.id);
    } else {
      // An earlier attempt wrote the domain rows: report them, write nothing new.
      const chunk = await this.records.chunkOf(locked, tx.manager);
      domain = { type: chunk?.domainType ?? 'none', id: chunk?.domainId ?? locked.id };
    }
    const persisted = await this.records.update(
      tx.manager,
      { tenantId: locked.tenantId, id: locked.id, expectedVersion: locked.version },
      { status: 'persisted', attempts, lastError: null, persistedAt: new Date() },
    );
    const latencyMs = persisted.persistedAt!.getTime() - locked.createdAt.getTime();
    tx.record({
      type: OutboxEvents.persisted,
      aggregateType: 'service_call',
      aggregateId: locked.id,
      aggregateVersion: persisted.version,
      payload: {
        recordId: locked.id,
        callId: locked.callId,
        namespace: locked.namespace,
        schema: locked.schemaIdentity,
        handler: resolved.identity,
        domainType: domain.type,
        domainId: domain.id,
        attempts,
        latencyMs,
      },
    });
    return { status: 'persisted', domainType: domain.type, domainId: domain.id, attempts, latencyMs };
  }

  /** Metrics of a transaction that committed (counted after COMMIT, so a failed one is counted once, as failed). */
  private countCommitted(outcome: ProcessOutcome, handler: string): void {
    if (outcome.status === 'persisted') {
      persistenceOutcomes.inc({ handler, outcome: 'persisted' });
      intakeToPersisted.observe({ handler }, outcome.latencyMs / 1000);
    } else if (outcome.status === 'skipped') {
      persistenceOutcomes.inc({ handler: 'none', outcome: 'skipped' });
    }
  }

  /** Marks a locked pending record skipped (no handler takes it), in the caller's transaction. */
  private async skip(tx: Transaction, locked: ServiceCallRecord, reason: string): Promise<ProcessOutcome> {
    this.logger.warn({ recordId: locked.id, correlationId: locked.correlationId }, `Skipped service call ${locked.id}: ${reason}`);
    const skipped = await this.records.update(
      tx.manager,
      { tenantId: locked.tenantId, id: locked.id, expectedVersion: locked.version },
      { status: 'skipped', lastError: reason },
    );
    tx.record({
      type: OutboxEvents.skipped,
      aggregateType: 'service_call',
      aggregateId: locked.id,
      aggregateVersion: skipped.version,
      payload: { recordId: locked.id, callId: locked.callId, namespace: locked.namespace, schema: locked.schemaIdentity, reason },
    });
    return { status: 'skipped', reason };
  }

  /**
   * Counts a failed attempt. Returns the dead-letter outcome when the error is permanent or the
   * attempts are used up; otherwise rethrows so the job is retried after its backoff. If even the
   * bookkeeping fails (the database is down), the original error goes back to BullMQ as it is.
   */
  private async fail(record: ServiceCallRecord, handler: string, error: unknown): Promise<ProcessOutcome> {
    const reason = describe(error);
    if (isDatabaseError(error)) {
      this.logger.warn({ err: error, recordId: record.id, correlationId: record.correlationId }, `Service call ${record.id} failed in the database`);
    }
    const outcome = await this.unitOfWork
      .run(contextOf(record), async (tx) => {
        const locked = await this.records.lock(tx.manager, record.id, record.tenantId);
        if (!locked || locked.status !== 'pending') return { status: 'already_done', current: locked?.status ?? 'missing' } as const;
        const attempts = locked.attempts + 1;
        const key = { tenantId: locked.tenantId, id: locked.id, expectedVersion: locked.version };
        const ref = { recordId: locked.id, callId: locked.callId, namespace: locked.namespace, schema: locked.schemaIdentity };
        if (isPermanent(error) || attempts >= this.config.maxAttempts) {
          const dead = await this.records.update(tx.manager, key, { status: 'dead_lettered', attempts, lastError: reason });
          tx.record({ type: OutboxEvents.deadLettered, aggregateType: 'service_call', aggregateId: locked.id, aggregateVersion: dead.version, payload: { ...ref, attempts, reason } });
          return { status: 'dead_lettered', attempts, reason } as const;
        }
        const delay = backoffDelay(attempts, this.config.backoffMs, this.config.maxBackoffMs) + sweepGraceMs(this.config);
        const nextAttemptAt = new Date(Date.now() + delay);
        const failed = await this.records.update(tx.manager, key, { attempts, lastError: reason, nextAttemptAt });
        tx.record({
          type: OutboxEvents.failed,
          aggregateType: 'service_call',
          aggregateId: locked.id,
          aggregateVersion: failed.version,
          payload: { ...ref, attempts, error: reason, nextAttemptAt: nextAttemptAt.toISOString() },
        });
        return undefined;
      })
      .catch((bookkeeping: Error) => {
        this.logger.warn(`Could not record the failure of service call ${record.id}: ${bookkeeping.message}`);
        return undefined;
      });
    if (outcome?.status === 'dead_lettered') {
      persistenceOutcomes.inc({ handler, outcome: 'dead_lettered' });
      this.logger.error({ recordId: record.id, correlationId: record.correlationId }, `Dead-lettered service call ${record.id}: ${reason}`);
      return outcome;
    }
    if (outcome) return outcome;
    persistenceOutcomes.inc({ handler, outcome: 'failed' });
    throw error;
  }
}

function contextOf(record: ServiceCallRecord): RequestContext {
  return { tenantId: record.tenantId, actorId: record.createdBy, correlationId: record.correlationId };
}
