import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { isUniqueViolation } from '../../common/persistence/unique-violation';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { CreateServiceCallDto } from './dto/create-service-call.dto';
import { DomainObjectRef } from './dto/service-call.response';
import { NothingToRedriveError, ServiceCallNotFoundError } from './outbox.errors';
import { OutboxEvents } from './outbox.events';
import { sweepGraceMs } from './outbox.jobs';
import { PersistedChunk } from './persisted-chunk.entity';
import { ServiceCallRecord } from './service-call-record.entity';
import { ServiceCallFilters, OutboxRepository } from './outbox.repository';

/** Intake and inspection of service-call results; processing is OutboxPersister's. */
@Injectable()
export class OutboxService {
  constructor(
    private readonly records: OutboxRepository,
    private readonly unitOfWork: UnitOfWork,
    @Inject(queuesConfig.KEY) private readonly config: QueuesConfig,
  ) {}

  /**
   * Stores the result (pending) with its `persistence.received` event in one statement; the job is
   * enqueued after commit by a listener. The same (callId, schema) again returns the first record:
   * the unique key decides, so a new result costs one statement and a repeat one more read.
   */
  async accept(ctx: RequestContext, input: CreateServiceCallDto): Promise<{ record: ServiceCallRecord; created: boolean }> {
    const context = { ...ctx, correlationId: input.correlationId ?? ctx.correlationId };
    const row = {
      id: uuidv7(),
      tenantId: ctx.tenantId,
      callId: input.callId,
      namespace: input.namespace,
      schemaIdentity: input.schema,
      result: input.result,
      status: 'pending' as const,
      attempts: 0,
      lastError: null,
      nextAttemptAt: new Date(Date.now() + sweepGraceMs(this.config)),
      persistedAt: null,
      correlationId: context.correlationId,
      priority: input.priority ?? 0,
      createdBy: ctx.actorId,
    };
    try {
      const [record] = await this.unitOfWork.insert(context, ServiceCallRecord, [row], (r) => ({
        type: OutboxEvents.received,
        aggregateType: 'service_call',
        aggregateId: r.id,
        aggregateVersion: 1,
        payload: { recordId: r.id, callId: r.callId, namespace: r.namespace, schema: r.schemaIdentity, priority: r.priority },
      }));
      return { record, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The key is taken (a repeat, or a concurrent request that won): answer with its record.
      const winner = await this.records.findByKey(ctx.tenantId, input.callId, input.schema);
      if (!winner) throw error;
      return { record: winner, created: false };
    }
  }

  async get(ctx: RequestContext, id: string): Promise<{ record: ServiceCallRecord; domainObjects: DomainObjectRef[] }> {
    const record = await this.records.findById(ctx.tenantId, id);
    if (!record) throw new ServiceCallNotFoundError(id);
    return { record, domainObjects: await this.domainObjectsOf(record) };
  }

  /** A page of records, each with the domain objects it became. */
  async list(ctx: RequestContext, filters: ServiceCallFilters, page: PageRequest): Promise<Page<{ record: ServiceCallRecord; domainObjects: DomainObjectRef[] }>> {
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
      tx.record({
        type: OutboxEvents.redriven,
        aggregateType: 'service_call',
        aggregateId: id,
        aggregateVersion: redriven.version,
        payload: { recordId: id, callId: record.callId, namespace: record.namespace, schema: record.schemaIdentity },
      });
      return redriven;
    });
  }

  private async domainObjectsOf(record: ServiceCallRecord): Promise<DomainObjectRef[]> {
    return record.status === 'persisted' ? refsOf(await this.records.chunkOf(record)) : [];
  }
}

function refsOf(chunk: PersistedChunk | null | undefined): DomainObjectRef[] {
  return chunk?.domainType && chunk.domainId ? [{ type: chunk.domainType, id: chunk.domainId }] : [];
}
