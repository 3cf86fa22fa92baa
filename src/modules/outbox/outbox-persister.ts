import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { DomainError, ErrorCode } from '../../common/errors';
import { DomainEvents, ContextualEvent } from '../../common/events/domain-events.service';
import { DomainEventEnvelope, NewDomainEvent } from '../../common/events/event-catalog';
import { Transaction } from '../../common/persistence/unit-of-work';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { backoffDelay } from '../../common/queues/backoff';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { HandlerRegistry, InvalidResultError, ResolvedHandler } from './handler-registry';
import { intakeToPersisted, persistenceOutcomes } from './outbox.metrics';
import { OutboxEvents } from './outbox.events';
import { DrainReport } from './outbox.jobs';
import { PermanentPersistenceError, PersistContext, PersistedObject } from './persistence-handler';
import { ChunkLink, DrainedRecord, FinishedRecord, HandledSchemas, OutboxRepository, RecordFinish } from './outbox.repository';

export type ProcessOutcome =
  | { status: 'persisted'; domainType: string; domainId: string; attempts: number; latencyMs: number }
  | { status: 'already_done'; current: string; lastError: string | null }
  | { status: 'skipped'; reason: string }
  | { status: 'retrying'; attempts: number; error: string; delayMs: number }
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
 * error's name and message (a result that does not match its schema: the message alone), except
 * that a database error keeps only its SQLSTATE (its message may name constraints, or values of
 * rows the tenant cannot see); the log has it in full.
 */
function describe(error: unknown): string {
  // Worded as the intake words it: a record dead-lettered there and one dead-lettered here read alike.
  if (error instanceof InvalidResultError) return error.message;
  if (isDatabaseError(error)) {
    return `${error.name}: the database refused a statement (SQLSTATE ${error.driverError?.code ?? error.code ?? 'unknown'}); the service log has the details`;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 2000 ? `${message.slice(0, 2000)}…` : message;
}

/** The transaction itself is gone (a savepoint could not be rolled back to): the whole batch fails. */
class BatchAbortedError extends Error {
  constructor(readonly broken: unknown) {
    super(`the drain transaction broke: ${(broken as Error)?.message ?? String(broken)}`);
    this.name = 'BatchAbortedError';
  }
}

/** What a batch waited for before its claim failed (see `drain`): no batch ran, none failed. */
class NotReady extends Error {
  constructor(readonly reason: unknown) {
    super(`the batch could not start: ${(reason as Error)?.message ?? String(reason)}`);
    this.name = 'NotReady';
  }
}

type ItemOutcome =
  | { kind: 'persisted'; handler: string; domain: PersistedObject; written: boolean }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; handler: string; error: unknown };

/** One claimed record in the drain's transaction: its own context, events and, in the end, outcome. */
interface Item {
  record: DrainedRecord;
  context: RequestContext;
  events: NewDomainEvent[];
  tx: Transaction;
  outcome?: ItemOutcome;
  /** Decided once from the outcome (a retry's delay is random). */
  finish?: RecordFinish;
}

/** The records of a batch that one handler persists (its `persistMany` takes them at once). */
interface Group {
  resolved: ResolvedHandler;
  entries: { item: Item; result: unknown }[];
}

/** What one drain transaction did, once committed. */
interface BatchResult {
  items: Item[];
  finished: Map<string, FinishedRecord>;
}

/**
 * How a transaction isolates failing records. Absent: the fast path, no savepoint per group or
 * record; the first failure rolls the batch back to the savepoint taken after its claim
 * (ReplayBatch). Present: savepoints, a group at once when its handler has `persistMany` (record
 * by record for the handlers in `byRecord`, by identity), and a record whose handler already
 * failed in the fast path (`failed`) fails again without a second call.
 */
interface Isolation {
  failed?: { recordId: string; error: unknown };
  byRecord?: Set<string>;
}

/** A handler's `persist` threw for this item (the record it failed on is known). */
class HandlerFailed extends Error {
  constructor(
    readonly item: Item,
    readonly error: unknown,
  ) {
    super('a persistence handler failed');
  }
}

/** The fast path met a failure: the batch rolls back to its savepoint and is replayed with savepoints. */
class ReplayBatch extends Error {
  constructor(readonly isolation: Isolation) {
    super('a record of the batch failed: replaying it with savepoints');
    this.name = 'ReplayBatch';
  }
}

/**
 * Turns pending service-call records into domain rows, exactly once, a batch per transaction:
 * claim one tenant's records (FOR UPDATE SKIP LOCKED, or one record by id for its own job),
 * reading with them whether their idempotency keys (persisted_chunks) are taken, validate each
 * result, run the handlers of those whose key is free (`persistMany` for the records of one
 * handler when it has one), then, in one statement, write their keys with the domain objects they
 * became, every event and the end of every record. A batch is of one tenant, and everything after
 * its claim runs in that tenant's scope.
 *
 * A key is (tenant, callId, schema), the record's own unique key, and the record is locked from
 * its claim to COMMIT: no other transaction can write that key meanwhile, so a key read as free
 * at the claim is still free at the end. (Should one be taken after all, its INSERT fails the
 * transaction, which then writes nothing: the records are due again and their keys read taken.)
 * A key is taken when an earlier transaction persisted the result, e.g. of a record deleted and
 * submitted again: that result is reported persisted with what it became, and not written twice.
 *
 * A handler that throws fails only its own record. A batch first runs with one savepoint, taken
 * after its claim, and none per group or record; if a handler (or a statement of its group)
 * fails, the batch rolls back to that savepoint (its records stay locked) and is replayed with a
 * savepoint per group (record by record for a group whose `persistMany` failed, and for handlers
 * without it), so that only the failing record fails; a record whose `persist` failed is not
 * called again. The failure is counted on the record in the
 * same transaction (retried with jittered exponential backoff through its own job, or
 * dead-lettered). A record's own job (its retries) runs with savepoints from the start.
 */
@Injectable()
export class OutboxPersister {
  private readonly logger = new Logger(OutboxPersister.name);
  /**
   * The tenant of the last batch: the next batch runs in its scope, so that its claim
   * also reads that tenant's records and the connection keeps its scope (no round trip to change it).
   */
  private expectedTenant: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
    private readonly records: OutboxRepository,
    private readonly registry: HandlerRegistry,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  /**
   * Claims up to PERSIST_BATCH_SIZE due results of one tenant and persists them in one
   * transaction. The claim waits for `ready` (work begun meanwhile: the transaction's start); if
   * that fails, the transaction ends with its error and no batch is counted as failed. `onMore` is
   * called as soon as they are claimed if other due results remain (of this tenant or of another),
   * so that a neighbour can claim the next batch while this one is persisted.
   */
  async drain(ready?: Promise<unknown>, onMore?: () => void): Promise<DrainReport> {
    // Its failure is handled below, once the transaction has begun: not an unhandled rejection meanwhile.
    ready?.catch(() => undefined);
    const handled = this.handledSchemas();
    const scope = this.expectedTenant;
    const batch = await this.run(async (manager) => {
      await ready?.catch((reason: unknown) => {
        throw new NotReady(reason);
      });
      const { records: claimed, more } = await this.records.claimDue(manager, this.config.batchSize, handled, scope);
      if (more) onMore?.();
      if (claimed.length === 0) return [];
      this.expectedTenant = claimed[0].tenantId;
      // One savepoint after the claim: a failure rolls back to it, the records still locked.
      await manager.query('SAVEPOINT outbox_batch');
      const items = claimed.map((record) => this.itemOf(manager, record));
      try {
        await this.persistAll(manager, items);
        return items;
      } catch (error) {
        if (!(error instanceof ReplayBatch)) throw error;
        try {
          await manager.query('ROLLBACK TO SAVEPOINT outbox_batch');
        } catch (rollback) {
          throw new BatchAbortedError(rollback);
        }
        const replayed = claimed.map((record) => this.itemOf(manager, record));
        await this.persistAll(manager, replayed, error.isolation);
        return replayed;
      }
    }, scope);
    const report: DrainReport = { claimed: batch.items.length, persisted: 0, skipped: 0, retrying: 0, deadLettered: 0 };
    for (const item of batch.items) {
      const outcome = this.outcomeOf(item, batch.finished);
      if (outcome.status === 'persisted') report.persisted++;
      else if (outcome.status === 'skipped') report.skipped++;
      else if (outcome.status === 'retrying') report.retrying++;
      else if (outcome.status === 'dead_lettered') report.deadLettered++;
    }
    return report;
  }

  /**
   * Processes one record (its own job, or a direct call), through the same transaction as a batch,
   * with savepoints. Without a tenant the record's tenant is looked up first, across tenants.
   */
  async process(recordId: string, tenantId?: string): Promise<ProcessOutcome> {
    const tenant = tenantId ?? (await this.records.tenantOfRecord(recordId));
    if (tenant === undefined) return { status: 'missing' };
    let found: DrainedRecord | undefined;
    const batch = await this.run(async (manager) => {
      [found] = await this.records.lockDrained(manager, tenant, [recordId]);
      const items = found?.status === 'pending' ? [this.itemOf(manager, found)] : [];
      await this.persistAll(manager, items, {});
      return items;
    }, tenant);
    if (!found) return { status: 'missing' };
    if (batch.items.length === 0) return { status: 'already_done', current: found.status, lastError: found.lastError };
    return this.outcomeOf(batch.items[0], batch.finished);
  }

  /** The schemas this process has handlers for: it claims nothing else (another process may have them). */
  handledSchemas(): HandledSchemas {
    const exact = this.registry.identities();
    return { exact, core: exact.filter((identity) => identity.startsWith('core/')).map((identity) => identity.slice('core/'.length)) };
  }

  /**
   * One drain transaction, in the scope of `scope` when given (the claim's: the batch's tenant
   * may be another, whose scope the rest of the batch runs in). `work` claims the records and
   * persists them, setting every item's outcome; the events and the end of every record are then
   * one statement, the last before COMMIT. Events are published and metrics counted after COMMIT
   * only, outside any scope. If the transaction itself fails (the database went away), nothing is
   * counted on the records: they are due again at once, and the caller's job is retried by BullMQ.
   */
  private async run(work: (manager: EntityManager) => Promise<Item[]>, scope?: string): Promise<BatchResult> {
    let committed: DomainEventEnvelope[] = [];
    let result: BatchResult;
    const transaction = () =>
      this.dataSource.transaction(async (manager) => {
        const items = await work(manager);
        if (items.length === 0) return { items, finished: new Map<string, FinishedRecord>() };
        const ended = await this.end(manager, items);
        committed = ended.committed;
        return { items, finished: ended.finished };
      });
    try {
      result = await (scope === undefined ? transaction() : TenantScope.run(scope, transaction));
    } catch (error) {
      if (error instanceof NotReady) throw error.reason;
      persistenceOutcomes.inc({ handler: 'unknown', outcome: 'failed' });
      throw error instanceof BatchAbortedError ? error.broken : error;
    }
    this.countCommitted(result);
    await this.events.publish(committed);
    return result;
  }

  /**
   * Decides how every record ends, then in one statement, in the batch's tenant's scope: links the
   * keys of the results written now, inserts the events (each item's own, then its outcome's) and
   * ends the records. Returns the events as stored, in order, and the ended records.
   */
  private async end(manager: EntityManager, items: Item[]): Promise<{ committed: DomainEventEnvelope[]; finished: Map<string, FinishedRecord> }> {
    const tenantId = tenantOf(items);
    const links: ChunkLink[] = [];
    for (const item of items) {
      item.finish = this.finishOf(item);
      const { record, outcome } = item;
      if (outcome?.kind === 'persisted' && outcome.written)
        links.push({ record, handler: outcome.handler, domainType: outcome.domain.type, domainId: outcome.domain.id });
    }
    const entries = this.eventsOf(items);
    const params: unknown[] = [];
    const eventsInsert = this.events.insertEachStatement(entries, params);
    const finishes = items.map((item) => item.finish!);
    const stored = await TenantScope.run(tenantId, () => this.records.finish(manager, tenantId, { links, finishes, eventsInsert, params }));
    if (stored.events.length !== entries.length) throw new Error(`stored ${stored.events.length} events of ${entries.length}`);
    const committed = entries.map(({ context, event }, i) => this.events.envelope(context, event, stored.events[i]));
    return { committed, finished: new Map(stored.finished.map((record) => [record.id, record])) };
  }

  private itemOf(manager: EntityManager, record: DrainedRecord): Item {
    // The result's rows and events name whoever submitted it: its actor and the key that authenticated it.
    const context: RequestContext = { tenantId: record.tenantId, actorId: record.createdBy, keyId: record.createdByKeyId, correlationId: record.correlationId };
    const events: NewDomainEvent[] = [];
    return { record, context, events, tx: { manager, context, record: (event) => void events.push(event) } };
  }

  /**
   * Validates every result and persists them by handler, in the batch's tenant's scope; sets every
   * item's outcome. Without `isolation` (the fast path) a failing group throws ReplayBatch.
   */
  private async persistAll(manager: EntityManager, items: Item[], isolation?: Isolation): Promise<void> {
    if (items.length === 0) return;
    const groups = new Map<string, Group>();
    for (const item of items) {
      const { record } = item;
      const resolved = this.registry.resolve(record.namespace, record.schemaIdentity);
      if (!resolved) {
        item.outcome = { kind: 'skipped', reason: `no handler for ${record.namespace}/${record.schemaIdentity}` };
        continue;
      }
      if (isolation?.failed?.recordId === record.id) {
        item.outcome = { kind: 'failed', handler: resolved.identity, error: isolation.failed.error };
        continue;
      }
      try {
        const result = await this.registry.validate(resolved, record.result);
        let group = groups.get(resolved.identity);
        if (!group) groups.set(resolved.identity, (group = { resolved, entries: [] }));
        group.entries.push({ item, result });
      } catch (error) {
        item.outcome = { kind: 'failed', handler: resolved.identity, error };
      }
    }
    await TenantScope.run(tenantOf(items), async () => {
      for (const group of groups.values()) await (isolation ? this.persistGroup(manager, group, isolation) : this.persistFast(manager, group));
    });
  }

  /** A group without savepoint: on failure, the batch is replayed with savepoints (see Isolation). */
  private async persistFast(manager: EntityManager, group: Group): Promise<void> {
    try {
      await this.persistEntries(manager, group, group.entries);
    } catch (error) {
      const isolation: Isolation =
        error instanceof HandlerFailed ? { failed: { recordId: error.item.record.id, error: error.error } } : { byRecord: new Set([group.resolved.identity]) };
      throw new ReplayBatch(isolation);
    }
  }

  /**
   * All of a group at once in one savepoint when its handler has `persistMany`; if that fails (or
   * without it), record by record, each in its own savepoint, so one bad result fails alone.
   */
  private async persistGroup(manager: EntityManager, group: Group, isolation: Isolation): Promise<void> {
    if (group.entries.length > 1 && group.resolved.handler.persistMany && !isolation.byRecord?.has(group.resolved.identity)) {
      try {
        await inSavepoint(manager, 'outbox_group', () => this.persistEntries(manager, group, group.entries));
        return;
      } catch (error) {
        if (error instanceof BatchAbortedError) throw error;
        for (const { item } of group.entries) item.events.length = 0;
      }
    }
    for (const entry of group.entries) {
      try {
        await inSavepoint(manager, 'outbox_record', () => this.persistEntries(manager, group, [entry]));
      } catch (error) {
        if (error instanceof BatchAbortedError) throw error;
        entry.item.events.length = 0;
        entry.item.outcome = { kind: 'failed', handler: group.resolved.identity, error: error instanceof HandlerFailed ? error.error : error };
      }
    }
  }

  /**
   * Writes the domain rows of the entries whose idempotency key is free (their keys are written,
   * linked to those rows, when the batch ends); an entry whose key an earlier transaction took is
   * reported with what that transaction wrote, and nothing is written for it.
   */
  private async persistEntries(manager: EntityManager, group: Group, entries: Group['entries']): Promise<void> {
    const { resolved } = group;
    const toWrite = entries.filter(({ item }) => !item.record.keyTaken);
    const written = await this.runHandler(resolved, toWrite);
    toWrite.forEach(({ item }, i) => (item.outcome = { kind: 'persisted', handler: resolved.identity, domain: written[i], written: true }));
    if (toWrite.length === entries.length) return;
    const done = entries.filter(({ item }) => item.record.keyTaken).map(({ item }) => item);
    const keys = await this.records.keysOf(
      manager,
      tenantOf(done),
      done.map((item) => item.record),
    );
    const byKey = new Map(keys.map((key) => [`${key.callId}\u0000${key.schemaIdentity}`, key]));
    for (const item of done) {
      const key = byKey.get(`${item.record.callId}\u0000${item.record.schemaIdentity}`);
      const domain = { type: key?.domainType ?? 'none', id: key?.domainId ?? item.record.id };
      item.outcome = { kind: 'persisted', handler: resolved.identity, domain, written: false };
    }
  }

  private async runHandler(resolved: ResolvedHandler, entries: Group['entries']): Promise<PersistedObject[]> {
    if (entries.length === 0) return [];
    const { handler } = resolved;
    if (entries.length > 1 && handler.persistMany) {
      const objects = await handler.persistMany(entries.map(({ item, result }) => ({ result, ctx: this.persistContextOf(item) })));
      if (objects.length !== entries.length)
        throw new Error(`${resolved.identity}: persistMany returned ${objects.length} objects for ${entries.length} results`);
      return objects;
    }
    const objects: PersistedObject[] = [];
    for (const { item, result } of entries) {
      try {
        objects.push(await handler.persist(result, this.persistContextOf(item)));
      } catch (error) {
        throw new HandlerFailed(item, error);
      }
    }
    return objects;
  }

  private persistContextOf(item: Item): PersistContext {
    const { record } = item;
    return { tx: item.tx, recordId: record.id, callId: record.callId, namespace: record.namespace, schema: record.schemaIdentity };
  }

  /** How the item's record ends: persisted, skipped, back to pending with a delay, or dead-lettered. */
  private finishOf(item: Item): RecordFinish {
    const outcome = item.outcome!;
    const { record } = item;
    if (outcome.kind === 'persisted') return { record, status: 'persisted', lastError: null, counted: true };
    if (outcome.kind === 'skipped') return { record, status: 'skipped', lastError: outcome.reason, counted: false };
    const attempts = record.attempts + 1;
    const reason = describe(outcome.error);
    if (isPermanent(outcome.error) || attempts >= this.config.maxAttempts) return { record, status: 'dead_lettered', lastError: reason, counted: true };
    const retryDelayMs = backoffDelay(attempts, this.config.backoffMs, this.config.maxBackoffMs);
    return { record, status: 'pending', lastError: reason, counted: true, retryDelayMs };
  }

  /** Each item's events in order: what its handler recorded, then what became of the record. */
  private eventsOf(items: Item[]): ContextualEvent[] {
    const entries: ContextualEvent[] = [];
    const now = Date.now();
    for (const item of items) {
      for (const event of item.events) entries.push({ context: item.context, event });
      entries.push({ context: item.context, event: this.outcomeEvent(item, item.finish!, now) });
    }
    return entries;
  }

  private outcomeEvent(item: Item, finish: RecordFinish, now: number): NewDomainEvent {
    const { record } = item;
    const outcome = item.outcome!;
    const attempts = record.attempts + (finish.counted ? 1 : 0);
    const aggregateVersion = record.version + 1;
    const { id: recordId, callId, namespace, schemaIdentity: schema } = record;
    if (outcome.kind === 'persisted') {
      const payload = {
        recordId,
        callId,
        namespace,
        schema,
        handler: outcome.handler,
        domainType: outcome.domain.type,
        domainId: outcome.domain.id,
        attempts,
        latencyMs: now - record.createdAt.getTime(),
      };
      return { type: OutboxEvents.persisted, aggregateType: 'service_call', aggregateId: recordId, aggregateVersion, payload };
    }
    const base = { aggregateType: 'service_call', aggregateId: recordId, aggregateVersion };
    const ref = { recordId, callId, namespace, schema };
    if (outcome.kind === 'skipped') return { ...base, type: OutboxEvents.skipped, payload: { ...ref, reason: outcome.reason } };
    if (finish.status === 'dead_lettered') return { ...base, type: OutboxEvents.deadLettered, payload: { ...ref, attempts, reason: finish.lastError! } };
    const nextAttemptAt = new Date(now + finish.retryDelayMs!).toISOString();
    return { ...base, type: OutboxEvents.failed, payload: { ...ref, attempts, error: finish.lastError!, nextAttemptAt } };
  }

  private outcomeOf(item: Item, finished: Map<string, FinishedRecord>): ProcessOutcome {
    const outcome = item.outcome!;
    const { record } = item;
    const finish = item.finish!;
    const attempts = record.attempts + (finish.counted ? 1 : 0);
    if (outcome.kind === 'persisted') {
      const persistedAt = finished.get(record.id)?.persistedAt ?? new Date();
      return {
        status: 'persisted',
        domainType: outcome.domain.type,
        domainId: outcome.domain.id,
        attempts,
        latencyMs: persistedAt.getTime() - record.createdAt.getTime(),
      };
    }
    if (outcome.kind === 'skipped') return { status: 'skipped', reason: outcome.reason };
    if (finish.status === 'dead_lettered') return { status: 'dead_lettered', attempts, reason: finish.lastError! };
    return { status: 'retrying', attempts, error: finish.lastError!, delayMs: finish.retryDelayMs! };
  }

  /** Metrics and logs of a transaction that committed (counted after COMMIT, so a failed one is counted once, as failed). */
  private countCommitted({ items, finished }: BatchResult): void {
    const persistedBy = new Map<string, number>();
    for (const item of items) {
      const outcome = item.outcome!;
      const { record } = item;
      if (outcome.kind === 'persisted') {
        persistedBy.set(outcome.handler, (persistedBy.get(outcome.handler) ?? 0) + 1);
        const persistedAt = finished.get(record.id)?.persistedAt;
        if (persistedAt) intakeToPersisted.observe({ handler: outcome.handler }, (persistedAt.getTime() - record.createdAt.getTime()) / 1000);
        continue;
      }
      const log = { recordId: record.id, correlationId: record.correlationId };
      if (outcome.kind === 'skipped') {
        persistenceOutcomes.inc({ handler: 'none', outcome: 'skipped' });
        this.logger.warn(log, `Skipped service call ${record.id}: ${outcome.reason}`);
        continue;
      }
      if (isDatabaseError(outcome.error)) this.logger.warn({ ...log, err: outcome.error }, `Service call ${record.id} failed in the database`);
      const finish = item.finish!;
      if (finish.status === 'dead_lettered') {
        persistenceOutcomes.inc({ handler: outcome.handler, outcome: 'dead_lettered' });
        this.logger.error(log, `Dead-lettered service call ${record.id}: ${finish.lastError}`);
      } else {
        persistenceOutcomes.inc({ handler: outcome.handler, outcome: 'failed' });
      }
    }
    for (const [handler, n] of persistedBy) persistenceOutcomes.inc({ handler, outcome: 'persisted' }, n);
  }
}

/** The tenant of a batch's items: a batch is of one tenant (see OutboxRepository.claimDue). */
function tenantOf(items: Item[]): string {
  const tenantId = items[0].record.tenantId;
  if (items.some((item) => item.record.tenantId !== tenantId)) throw new Error('a drain batch holds records of several tenants');
  return tenantId;
}

/**
 * Runs `work` in a savepoint of the current transaction: rolled back to on failure (the error is
 * rethrown), released on success. If even the rollback fails, the transaction is gone: that is
 * a BatchAbortedError, which fails the whole batch.
 */
async function inSavepoint(manager: EntityManager, name: string, work: () => Promise<void>): Promise<void> {
  await manager.query(`SAVEPOINT ${name}`);
  try {
    await work();
  } catch (error) {
    try {
      await manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
    } catch (rollback) {
      throw new BatchAbortedError(rollback);
    }
    throw error;
  }
  try {
    await manager.query(`RELEASE SAVEPOINT ${name}`);
  } catch (release) {
    throw new BatchAbortedError(release);
  }
}
