import { Inject, Injectable, Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { RequestContext } from '../../common/auth/request-context';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { isUniqueViolation } from '../../common/persistence/unique-violation';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { CreateServiceCallDto } from './dto/create-service-call.dto';
import { DomainObjectRef } from './dto/service-call.response';
import { HandlerRegistry } from './handler-registry';
import { IntakeOutcome, IntakeVerdict, judgeResult } from './intake-verdict';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { CallIdConflictError, NothingToRedriveError, ServiceCallNotFoundError } from './outbox.errors';
import { OutboxEvents } from './outbox.events';
import { sweepGraceMs } from './outbox.jobs';
import { intakeRefusedResults, intakeWakeFailures } from './outbox.metrics';
import { IntakeKey, KeyHolder, OutboxRepository, ServiceCallFilters } from './outbox.repository';
import { PersistedChunk } from './persisted-chunk.entity';
import { ServiceCallRecord } from './service-call-record.entity';
import { createdBy } from '../../common/persistence/new-row';

/** Intake and inspection of service-call results; processing is OutboxPersister's. */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly records: OutboxRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly registry: HandlerRegistry,
    private readonly enqueuer: OutboxEnqueuer,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  /**
   * Stores the result with its `persistence.received` event in one statement, then wakes the
   * workers. The same (callId, schema) again returns the first record (`duplicate`) when it holds
   * the same namespace and result, and is refused (CALL_ID_CONFLICT) when it does not: the unique
   * key decides, so a new result costs one statement and a repeat one more read. A result that
   * does not match its handler's schema takes the bulk path (it is stored dead-lettered).
   */
  async accept(ctx: RequestContext, input: CreateServiceCallDto): Promise<IntakeEntry> {
    const verdict = await judgeResult(this.registry, input.namespace, input.schema, input.result);
    if (verdict.reason !== null) return (await this.acceptVerdicts(ctx, [input], [verdict]))[0];
    const context = Object.assign({}, ctx, { correlationId: input.correlationId ?? ctx.correlationId });
    try {
      const [record] = await this.unitOfWork.insert(context, ServiceCallRecord, [this.newRow(ctx, input, verdict)], receivedEvent);
      await this.wake([record]);
      return { record, verdict, outcome: 'accepted' };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The key is taken (a repeat, or a concurrent request that won): compare with its record.
      const [holder] = await this.records.holdersOf(ctx.tenantId, [keyOf(input)]);
      if (!holder) throw error;
      return { record: firstOf(holder), verdict, outcome: 'duplicate' };
    }
  }

  /**
   * Stores up to MAX_BULK_SERVICE_CALLS results in one transaction: one statement for the records,
   * one for their events, then one wake-up. Answers one entry per item, in order. A conflicting
   * item (see `accept`) refuses the whole request and nothing is stored.
   */
  async acceptMany(ctx: RequestContext, items: CreateServiceCallDto[]): Promise<IntakeEntry[]> {
    const verdicts = await Promise.all(items.map((item) => judgeResult(this.registry, item.namespace, item.schema, item.result)));
    return this.acceptVerdicts(ctx, items, verdicts);
  }

  private async acceptVerdicts(ctx: RequestContext, items: CreateServiceCallDto[], verdicts: IntakeVerdict[]): Promise<IntakeEntry[]> {
    const firsts = firstOccurrences(items);
    const { entries, inserted } = await this.unitOfWork.run(ctx, async (tx) => {
      // Inserted in key order: two requests sharing keys lock them in one order, never in a cycle.
      const unique = [...new Set(firsts)].sort((a, b) => compareKeys(items[a], items[b]));
      const rows = unique.map((index) => this.newRow(ctx, items[index], verdicts[index]));
      const stored = await this.records.insertNew(tx.manager, rows);
      const byKey = new Map(stored.map((record) => [keyText(record.callId, record.schemaIdentity), record]));
      const taken = unique.filter((index) => !byKey.has(keyText(items[index].callId, items[index].schema)));
      for (const holder of await this.records.holdersOf(
        ctx.tenantId,
        taken.map((index) => keyOf(items[index])),
        tx.manager,
      )) {
        const index = taken.find((i) => items[i].callId === holder.record.callId && items[i].schema === holder.record.schemaIdentity)!;
        byKey.set(keyText(holder.record.callId, holder.record.schemaIdentity), firstOf(holder, items.length > 1 ? index : undefined));
      }
      const fresh = new Set(stored);
      for (const record of stored.sort((a, b) => (a.id < b.id ? -1 : 1))) this.recordIntakeEvents(tx, record);
      const entries = items.map((item, index): IntakeEntry => {
        const record = byKey.get(keyText(item.callId, item.schema));
        if (!record) throw new Error(`service call ${item.callId} (${item.schema}) was neither stored nor found`);
        const outcome = firsts[index] === index && fresh.has(record) ? (record.status === 'dead_lettered' ? 'dead_lettered' : 'accepted') : 'duplicate';
        return { record, verdict: verdicts[index], outcome };
      });
      return { entries, inserted: stored };
    });
    for (const entry of entries) if (entry.outcome === 'dead_lettered') intakeRefusedResults.inc({ handler: entry.verdict.handler ?? 'none' });
    await this.wake(inserted);
    return entries;
  }

  /** The record row of a new result: pending, or dead-lettered at once when it does not match its handler. */
  private newRow(ctx: RequestContext, input: CreateServiceCallDto, verdict: IntakeVerdict): NewRow<ServiceCallRecord> {
    return {
      id: uuidv7(),
      tenantId: ctx.tenantId,
      callId: input.callId,
      namespace: input.namespace,
      schemaIdentity: input.schema,
      result: input.result,
      status: verdict.reason === null ? 'pending' : 'dead_lettered',
      attempts: 0,
      lastError: verdict.reason,
      nextAttemptAt: new Date(Date.now() + sweepGraceMs(this.config)),
      persistedAt: null,
      correlationId: input.correlationId ?? ctx.correlationId,
      priority: input.priority ?? 0,
      ...createdBy(ctx),
    };
  }

  /** `persistence.received` for every new record, and `persistence.dead_lettered` after it for one refused at intake. */
  private recordIntakeEvents(tx: Transaction, record: ServiceCallRecord): void {
    tx.record(receivedEvent(record));
    if (record.status !== 'dead_lettered') return;
    tx.record({
      type: OutboxEvents.deadLettered,
      aggregateType: 'service_call',
      aggregateId: record.id,
      aggregateVersion: record.version,
      payload: { ...refOf(record), attempts: 0, reason: record.lastError ?? '' },
    });
  }

  /**
   * Wakes the workers for the pending records just committed. Redis being away does not fail the
   * request (the records are stored; the sweeper enqueues them later): logged and counted.
   */
  private async wake(records: ServiceCallRecord[]): Promise<void> {
    const pending = records.filter((record) => record.status === 'pending');
    try {
      await this.enqueuer.wake();
    } catch (error) {
      intakeWakeFailures.inc();
      this.logger.warn(`Could not wake the workers for ${pending.length} accepted service call(s): ${(error as Error).message}`);
    }
  }

  async get(ctx: RequestContext, id: string): Promise<{ record: ServiceCallRecord; domainObjects: DomainObjectRef[] }> {
    const record = await this.records.findById(ctx.tenantId, id);
    if (!record) throw new ServiceCallNotFoundError(id);
    return { record, domainObjects: await this.domainObjectsOf(record) };
  }

  /** A page of records, each with the domain objects it became. */
  async list(
    ctx: RequestContext,
    filters: ServiceCallFilters,
    page: PageRequest,
  ): Promise<Page<{ record: ServiceCallRecord; domainObjects: DomainObjectRef[] }>> {
    const records = await this.records.list(ctx.tenantId, filters, page);
    const persisted = records.items.filter((record) => record.status === 'persisted').map((record) => record.id);
    const chunks = new Map((await this.records.chunksOf(ctx.tenantId, persisted)).map((chunk) => [chunk.recordId, chunk]));
    return {
      items: records.items.map((record) => ({ record, domainObjects: refsOf(chunks.get(record.id)) })),
      nextCursor: records.nextCursor,
    };
  }

  /**
   * Puts a dead-lettered result back in line with its attempts reset. Redriving a result that is
   * already pending again changes nothing; a persisted or skipped one cannot be redriven.
   */
  redrive(ctx: RequestContext, id: string): Promise<ServiceCallRecord> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const record = await this.records.lock(tx.manager, id, ctx.tenantId);
      if (!record) throw new ServiceCallNotFoundError(id);
      if (record.status === 'pending') return record;
      if (record.status !== 'dead_lettered') throw new NothingToRedriveError(id, record.status);
      const redriven = await this.records.update(
        tx.manager,
        { tenantId: ctx.tenantId, id, expectedVersion: record.version },
        { status: 'pending', attempts: 0, lastError: null, nextAttemptAt: new Date(Date.now() + sweepGraceMs(this.config)) },
      );
      tx.record(redrivenEvent(redriven));
      return redriven;
    });
  }

  private async domainObjectsOf(record: ServiceCallRecord): Promise<DomainObjectRef[]> {
    return record.status === 'persisted' ? refsOf(await this.records.chunkOf(record)) : [];
  }
}

/** One answer of the intake: the record (for a duplicate, the first one), and what the intake concluded. */
export interface IntakeEntry {
  record: ServiceCallRecord;
  verdict: IntakeVerdict;
  outcome: IntakeOutcome;
}

function refOf(record: ServiceCallRecord): { recordId: string; callId: string; namespace: string; schema: string } {
  return { recordId: record.id, callId: record.callId, namespace: record.namespace, schema: record.schemaIdentity };
}

function receivedEvent(record: Pick<ServiceCallRecord, 'id' | 'callId' | 'namespace' | 'schemaIdentity' | 'priority'>): NewDomainEvent<'persistence.received'> {
  return {
    type: OutboxEvents.received,
    aggregateType: 'service_call',
    aggregateId: record.id,
    aggregateVersion: 1,
    payload: Object.assign(refOf(record as ServiceCallRecord), { priority: record.priority }),
  };
}

/** The audit record of a redrive; its actor is whoever redrove it. */
export function redrivenEvent(record: ServiceCallRecord): NewDomainEvent<'persistence.redriven'> {
  return { type: OutboxEvents.redriven, aggregateType: 'service_call', aggregateId: record.id, aggregateVersion: record.version, payload: refOf(record) };
}

const keyText = (callId: string, schema: string): string => `${schema}\u0000${callId}`;
const keyOf = (item: CreateServiceCallDto): IntakeKey => ({ callId: item.callId, schema: item.schema, namespace: item.namespace, result: item.result });
const compareKeys = (a: CreateServiceCallDto, b: CreateServiceCallDto): number => {
  const [x, y] = [keyText(a.callId, a.schema), keyText(b.callId, b.schema)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The record holding a key, if it holds the same result; CALL_ID_CONFLICT otherwise. */
function firstOf(holder: KeyHolder, item?: number): ServiceCallRecord {
  if (!holder.sameNamespace) throw CallIdConflictError.withRecord(holder.record, 'namespace', item);
  if (!holder.sameResult) throw CallIdConflictError.withRecord(holder.record, 'result', item);
  return holder.record;
}

/**
 * For each item, the index of the first item of the request with its (callId, schema): a later
 * one is a duplicate of it when it brings the same namespace and result, a conflict otherwise.
 */
function firstOccurrences(items: CreateServiceCallDto[]): number[] {
  const seen = new Map<string, number>();
  return items.map((item, index) => {
    const key = keyText(item.callId, item.schema);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      return index;
    }
    const earlier = items[first];
    if (earlier.namespace !== item.namespace) throw CallIdConflictError.withinRequest(item.callId, item.schema, first, index, 'namespace');
    if (!isDeepStrictEqual(earlier.result, item.result)) throw CallIdConflictError.withinRequest(item.callId, item.schema, first, index, 'result');
    return first;
  });
}

function refsOf(chunk: PersistedChunk | null | undefined): DomainObjectRef[] {
  return chunk?.domainType && chunk.domainId ? [{ type: chunk.domainType, id: chunk.domainId }] : [];
}
