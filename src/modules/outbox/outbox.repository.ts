import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { CasKey, compareAndSet, Patch } from '../../common/persistence/compare-and-set';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { PersistedChunk } from './persisted-chunk.entity';
import { ServiceCallRecord, ServiceCallStatus } from './service-call-record.entity';

export interface ServiceCallFilters {
  status?: ServiceCallStatus;
  namespace?: string;
  schema?: string;
}

/** Every query on the outbox tables (`service_call_records`, `persisted_chunks`). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string): Promise<ServiceCallRecord | null> {
    return this.dataSource.manager.findOneBy(ServiceCallRecord, { tenantId, id });
  }

  findByKey(tenantId: string, callId: string, schemaIdentity: string): Promise<ServiceCallRecord | null> {
    return this.dataSource.manager.findOneBy(ServiceCallRecord, { tenantId, callId, schemaIdentity });
  }

  /** Locks the record for this transaction: concurrent attempts on one record run one after the other. */
  lock(manager: EntityManager, id: string, tenantId?: string): Promise<ServiceCallRecord | null> {
    const query = manager.createQueryBuilder(ServiceCallRecord, 'record').where('record.id = :id', { id }).setLock('pessimistic_write');
    if (tenantId !== undefined) query.andWhere('record.tenantId = :tenantId', { tenantId });
    return query.getOne();
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<ServiceCallRecord>): Promise<ServiceCallRecord> {
    return compareAndSet(manager, ServiceCallRecord, key, patch);
  }

  list(tenantId: string, filters: ServiceCallFilters, page: PageRequest): Promise<Page<ServiceCallRecord>> {
    const query = this.dataSource.manager
      .createQueryBuilder(ServiceCallRecord, 'record')
      .where('record.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('record.status = :status', { status: filters.status });
    if (filters.namespace) query.andWhere('record.namespace = :namespace', { namespace: filters.namespace });
    if (filters.schema) query.andWhere('record.schemaIdentity = :schema', { schema: filters.schema });
    return paginate(query, page);
  }

  /** Pending records whose time has come (any tenant): the sweeper's work list, oldest due first. */
  due(limit: number): Promise<Pick<ServiceCallRecord, 'id' | 'tenantId' | 'priority'>[]> {
    return this.dataSource.manager
      .createQueryBuilder(ServiceCallRecord, 'record')
      .select(['record.id', 'record.tenantId', 'record.priority'])
      .where(`record.status = 'pending' AND record.nextAttemptAt <= now()`)
      .orderBy('record.nextAttemptAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  async isPending(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM service_call_records WHERE id = $1 AND status = 'pending'`, [id]);
    return rows.length === 1;
  }

  /**
   * Pushes the sweeper's next look at records that turned out to have a live job. A scheduling
   * hint, not a change of the record: no version bump, no event.
   */
  async postpone(ids: string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE service_call_records SET next_attempt_at = now() + ($2 * interval '1 millisecond')
       WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
      [ids, delayMs],
    );
  }

  /** Claims the idempotency key; false when a previous attempt already persisted this result. */
  async claimChunk(manager: EntityManager, record: ServiceCallRecord, handlerIdentity: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO persisted_chunks (tenant_id, call_id, schema_identity, record_id, handler_identity)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING record_id`,
      [record.tenantId, record.callId, record.schemaIdentity, record.id, handlerIdentity],
    );
    return rows.length === 1;
  }

  async linkChunk(manager: EntityManager, record: ServiceCallRecord, domainType: string, domainId: string): Promise<void> {
    await manager.update(
      PersistedChunk,
      { tenantId: record.tenantId, callId: record.callId, schemaIdentity: record.schemaIdentity },
      { domainType, domainId },
    );
  }

  /** The idempotency keys of these records (one query for a page of them). */
  chunksOf(tenantId: string, recordIds: string[]): Promise<PersistedChunk[]> {
    if (recordIds.length === 0) return Promise.resolve([]);
    return this.dataSource.manager.findBy(PersistedChunk, { tenantId, recordId: In(recordIds) });
  }

  chunkOf(record: ServiceCallRecord, manager: EntityManager = this.dataSource.manager): Promise<PersistedChunk | null> {
    return manager.findOneBy(PersistedChunk, {
      tenantId: record.tenantId,
      callId: record.callId,
      schemaIdentity: record.schemaIdentity,
    });
  }
}
