import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { CasKey, compareAndSet, Patch } from '../../common/persistence/compare-and-set';
import { hydrate, queryRows } from '../../common/persistence/hydrate';
import { insertStatement, valuesClause } from '../../common/persistence/insert-statement';
import { NewRow } from '../../common/persistence/unit-of-work';
import { decodeCursor, encodeCursor, Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { PersistedChunk } from './persisted-chunk.entity';
import { ServiceCallRecord, ServiceCallStatus } from './service-call-record.entity';

/** The handlers a worker process has: it claims only results it can persist (see claimDue). */
export interface HandledSchemas {
  /** `namespace/schema` of every handler, `core` ones included. */
  exact: string[];
  /** The schemas of the `core` handlers, which serve every namespace without a handler of its own. */
  core: string[];
}

/** How a drained record ends its transaction (one row of `finish`). */
export interface RecordFinish {
  record: ServiceCallRecord;
  status: 'pending' | 'persisted' | 'skipped' | 'dead_lettered';
  lastError: string | null;
  /** Counted attempt (persisted, failed, dead-lettered); a skip counts none. */
  counted: boolean;
  /** For a failure to be retried: when the record is due again, from now. */
  retryDelayMs?: number;
}

/** What `finish` stamps: the new version, and for a persisted record the time of its commit. */
export interface FinishedRecord {
  id: string;
  version: number;
  persistedAt: Date | null;
}

export interface ServiceCallFilters {
  status?: ServiceCallStatus;
  namespace?: string;
  schema?: string;
}

/** A new result as the intake compares it with the record that already holds its key. */
export interface IntakeKey {
  callId: string;
  schema: string;
  namespace: string;
  result: unknown;
}

/** The record holding a key, and whether it holds what a new item with that key brings. */
export interface KeyHolder {
  record: ServiceCallRecord;
  sameNamespace: boolean;
  sameResult: boolean;
}

/**
 * Which dead letters an operator means, across tenants. `namespaces`/`excludedNamespaces`/`schema`
 * come from a handler filter resolved by the registry (see OutboxAdminService).
 */
export interface DeadLetterFilter {
  tenant?: string;
  namespace?: string;
  schema?: string;
  /** Records of these namespaces only (a handler of its own namespace). */
  excludedNamespaces?: string[];
  since?: Date;
  ids?: string[];
}

/** A dead letter as the admin routes list it: no result (that stays in its tenant's scope). */
export type DeadLetterSummary = Pick<
  ServiceCallRecord,
  'id' | 'tenantId' | 'callId' | 'namespace' | 'schemaIdentity' | 'attempts' | 'lastError' | 'correlationId' | 'createdAt' | 'updatedAt'
>;

/** What operators watch of the outbox, across every tenant. */
export interface OutboxBacklog {
  deadLettered: number;
  pending: number;
  /** Age of the oldest pending record, in seconds; null when nothing is pending. */
  oldestPendingSeconds: number | null;
  /** Pending records of the tenants with the most, largest first. */
  pendingByTenant: { tenantId: string; pending: number }[];
}

/** Every query on the outbox tables (`service_call_records`, `persisted_chunks`). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts across tenants (functions of the database: the service role reads no other tenant's
   * rows): dead letters, pending records and the age of the oldest, and the `topTenants` tenants
   * with the largest backlog.
   */
  async backlog(topTenants: number): Promise<OutboxBacklog> {
    const [totals]: { dead_lettered: number; pending: number; oldest_pending_seconds: number | null }[] = await this.dataSource.query(
      'SELECT dead_lettered, pending, oldest_pending_seconds FROM outbox_totals()',
    );
    const byTenant: { tenant_id: string; pending: number }[] = await this.dataSource.query('SELECT tenant_id, pending FROM outbox_pending_by_tenant($1)', [
      topTenants,
    ]);
    return {
      deadLettered: Number(totals.dead_lettered),
      pending: Number(totals.pending),
      oldestPendingSeconds: totals.oldest_pending_seconds === null ? null : Math.max(0, Number(totals.oldest_pending_seconds)),
      pendingByTenant: byTenant.map((row) => ({ tenantId: row.tenant_id, pending: Number(row.pending) })),
    };
  }

  /** The tenant of a record known by its id only, whoever it belongs to (undefined when there is none). */
  async tenantOfRecord(id: string): Promise<string | undefined> {
    const [row]: { tenant: string | null }[] = await this.dataSource.query('SELECT outbox_record_tenant($1) AS tenant', [id]);
    return row?.tenant ?? undefined;
  }

  findById(tenantId: string, id: string): Promise<ServiceCallRecord | null> {
    return this.dataSource.manager.findOneBy(ServiceCallRecord, { tenantId, id });
  }

  findByKey(tenantId: string, callId: string, schemaIdentity: string): Promise<ServiceCallRecord | null> {
    return this.dataSource.manager.findOneBy(ServiceCallRecord, { tenantId, callId, schemaIdentity });
  }

  /**
   * Inserts the records whose (tenant, callId, schema) is free, in one statement; a key already
   * taken (earlier, or by a concurrent request that committed first) is skipped, not an error, so
   * the transaction goes on. Returns the rows inserted.
   */
  async insertNew(manager: EntityManager, rows: NewRow<ServiceCallRecord>[]): Promise<ServiceCallRecord[]> {
    const params: unknown[] = [];
    // Only what the database fills in comes back: the rest is what was sent (a result need not travel twice).
    const sql = `${insertStatement(manager, ServiceCallRecord, rows, params)}
      ON CONFLICT (tenant_id, call_id, schema_identity) DO NOTHING RETURNING id, version, created_at, updated_at`;
    const stored: { id: string; version: number; created_at: Date; updated_at: Date }[] = await manager.query(sql, params);
    const sent = new Map(rows.map((row) => [row.id, row]));
    return stored.map(({ id, version, created_at: createdAt, updated_at: updatedAt }) =>
      Object.assign(manager.create(ServiceCallRecord), sent.get(id), { version, createdAt, updatedAt }),
    );
  }

  /**
   * The records that hold these keys, each compared with the new item of its key in PostgreSQL
   * (jsonb equality: key order and number spelling do not matter, values do).
   */
  async holdersOf(tenantId: string, keys: IntakeKey[], manager: EntityManager = this.dataSource.manager): Promise<KeyHolder[]> {
    if (keys.length === 0) return [];
    const items = keys.map((key) => ({ call_id: key.callId, schema_identity: key.schema, namespace: key.namespace, result: key.result }));
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT record.*, record.namespace = item.namespace AS same_namespace_, record.result = item.result AS same_result_
       FROM jsonb_to_recordset($2::jsonb) AS item(call_id text, schema_identity text, namespace text, result jsonb)
       JOIN service_call_records record
         ON record.tenant_id = $1 AND record.call_id = item.call_id AND record.schema_identity = item.schema_identity`,
      [tenantId, JSON.stringify(items)],
    );
    return rows.map((row) => ({
      record: hydrate(manager, ServiceCallRecord, row),
      sameNamespace: row.same_namespace_ === true,
      sameResult: row.same_result_ === true,
    }));
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
    const query = this.dataSource.manager.createQueryBuilder(ServiceCallRecord, 'record').where('record.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('record.status = :status', { status: filters.status });
    if (filters.namespace) query.andWhere('record.namespace = :namespace', { namespace: filters.namespace });
    if (filters.schema) query.andWhere('record.schemaIdentity = :schema', { schema: filters.schema });
    return paginate(query, page);
  }

  /** Pending records whose time has come (any tenant): the sweeper's work list, oldest due first. */
  async due(limit: number): Promise<Pick<ServiceCallRecord, 'id' | 'tenantId' | 'callId' | 'schemaIdentity' | 'attempts'>[]> {
    const rows: { id: string; tenant_id: string; call_id: string; schema_identity: string; attempts: number }[] = await this.dataSource.query(
      'SELECT id, tenant_id, call_id, schema_identity, attempts FROM outbox_due($1)',
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      callId: row.call_id,
      schemaIdentity: row.schema_identity,
      attempts: Number(row.attempts),
    }));
  }

  /**
   * Locks up to `limit` fresh pending results (never failed: a failed one belongs to its own retry
   * job until it is dead-lettered or redriven) that this process has a handler for, skipping those
   * another transaction holds. Results with a priority first (1 before 2), then the rest; oldest
   * first within each. A batch may span tenants: `outbox_claim` (a function of the database) finds
   * and locks them and says only their ids and tenants; each tenant's records are then read in its
   * own scope. Returned in claim order.
   */
  async claimDue(manager: EntityManager, limit: number, handled: HandledSchemas): Promise<ServiceCallRecord[]> {
    const claimed: { id: string; tenant_id: string }[] = await manager.query('SELECT id, tenant_id FROM outbox_claim($1, $2, $3)', [
      limit,
      handled.exact,
      handled.core,
    ]);
    const records = new Map<string, ServiceCallRecord>();
    for (const [tenantId, ofTenant] of groupByTenant(claimed, (row) => row.tenant_id)) {
      const ids = ofTenant.map((row) => row.id);
      const rows: Record<string, unknown>[] = await TenantScope.run(tenantId, () =>
        manager.query('SELECT * FROM service_call_records WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [tenantId, ids]),
      );
      for (const row of rows) records.set(String(row.id), hydrate(manager, ServiceCallRecord, row));
    }
    return claimed.flatMap(({ id }) => records.get(id) ?? []);
  }

  /** Fresh pending results (any tenant) that no handler of this process takes (the sweeper skips them once they are overdue). */
  async dueWithoutHandler(limit: number, handled: HandledSchemas): Promise<Pick<ServiceCallRecord, 'id' | 'tenantId'>[]> {
    const rows: { id: string; tenant_id: string }[] = await this.dataSource.query('SELECT id, tenant_id FROM outbox_due_without_handler($1, $2, $3)', [
      limit,
      handled.exact,
      handled.core,
    ]);
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }

  /**
   * Ends the drain of these records in one statement per tenant (each in its tenant's scope), the
   * last of the transaction, so that `persisted_at` (clock_timestamp(), not the transaction's start)
   * is the time of the commit or within a few statements of it.
   */
  async finish(manager: EntityManager, finishes: RecordFinish[]): Promise<Map<string, FinishedRecord>> {
    const finished = new Map<string, FinishedRecord>();
    for (const [tenantId, ofTenant] of groupByTenant(finishes, (f) => f.record.tenantId)) {
      for (const record of await TenantScope.run(tenantId, () => this.finishOfTenant(manager, ofTenant))) finished.set(record.id, record);
    }
    return finished;
  }

  private async finishOfTenant(manager: EntityManager, finishes: RecordFinish[]): Promise<FinishedRecord[]> {
    const params: unknown[] = [];
    const values = valuesClause(
      finishes.map((f) => [f.record.id, f.record.tenantId, f.status, f.lastError, f.counted, f.retryDelayMs ?? null]),
      params,
      ['uuid', 'text', 'text', 'text', 'boolean', 'int'],
    );
    const rows = await queryRows(
      manager,
      `UPDATE service_call_records r SET
         status = v.status,
         attempts = r.attempts + CASE WHEN v.counted THEN 1 ELSE 0 END,
         last_error = v.last_error,
         next_attempt_at = CASE WHEN v.delay_ms IS NULL THEN r.next_attempt_at ELSE now() + v.delay_ms * interval '1 millisecond' END,
         persisted_at = CASE WHEN v.status = 'persisted' THEN clock_timestamp() ELSE r.persisted_at END,
         version = r.version + 1,
         updated_at = now()
       FROM (VALUES ${values}) AS v(id, tenant_id, status, last_error, counted, delay_ms)
       WHERE r.id = v.id AND r.tenant_id = v.tenant_id
       RETURNING r.id, r.version, r.persisted_at`,
      params,
    );
    return rows.map((row) => ({ id: String(row.id), version: Number(row.version), persistedAt: (row.persisted_at as Date | null) ?? null }));
  }

  /** Claims the idempotency keys of these records (one statement); returns the ids whose key was free. */
  async claimChunks(manager: EntityManager, claims: { record: ServiceCallRecord; handlerIdentity: string }[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const params: unknown[] = [];
    const values = valuesClause(
      claims.map(({ record, handlerIdentity }) => [record.tenantId, record.callId, record.schemaIdentity, record.id, handlerIdentity]),
      params,
    );
    const rows: { record_id: string }[] = await manager.query(
      `INSERT INTO persisted_chunks (tenant_id, call_id, schema_identity, record_id, handler_identity)
       VALUES ${values} ON CONFLICT DO NOTHING RETURNING record_id`,
      params,
    );
    return new Set(rows.map((row) => row.record_id));
  }

  /** Points the idempotency keys at the domain objects their results became (one statement). */
  async linkChunks(manager: EntityManager, links: { record: ServiceCallRecord; domainType: string; domainId: string }[]): Promise<void> {
    if (links.length === 0) return;
    const params: unknown[] = [];
    const values = valuesClause(
      links.map(({ record, domainType, domainId }) => [record.tenantId, record.callId, record.schemaIdentity, domainType, domainId]),
      params,
      ['text', 'text', 'text', 'text', 'uuid'],
    );
    await manager.query(
      `UPDATE persisted_chunks c SET domain_type = v.domain_type, domain_id = v.domain_id
       FROM (VALUES ${values}) AS v(tenant_id, call_id, schema_identity, domain_type, domain_id)
       WHERE c.tenant_id = v.tenant_id AND c.call_id = v.call_id AND c.schema_identity = v.schema_identity`,
      params,
    );
  }

  /** The idempotency keys of records an earlier attempt already persisted (one statement). */
  chunksOfRecords(manager: EntityManager, records: ServiceCallRecord[]): Promise<PersistedChunk[]> {
    if (records.length === 0) return Promise.resolve([]);
    return manager.findBy(PersistedChunk, { recordId: In(records.map((record) => record.id)) });
  }

  async isPending(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM service_call_records WHERE id = $1 AND status = 'pending'`, [id]);
    return rows.length === 1;
  }

  /**
   * Pushes the sweeper's next look at records (any tenant) that turned out to have a live job. A
   * scheduling hint, not a change of the record: no version bump, no event.
   */
  async postpone(ids: string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('SELECT outbox_postpone($1::uuid[], $2)', [ids, delayMs]);
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
    await manager.update(PersistedChunk, { tenantId: record.tenantId, callId: record.callId, schemaIdentity: record.schemaIdentity }, { domainType, domainId });
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

  /** A page of dead letters of every tenant, oldest first. */
  async deadLetters(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterSummary>> {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor);
    const rows: Record<string, unknown>[] = await this.dataSource.query('SELECT * FROM outbox_dead_letters($1, $2, $3, $4, $5, $6, $7, $8)', [
      ...deadLetterArguments(filter),
      after,
      page.limit + 1,
    ]);
    const items = rows.slice(0, page.limit).map((row) => hydrate(this.dataSource.manager, ServiceCallRecord, row));
    return { items, nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1].id) : null };
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    const [row]: { count: number }[] = await this.dataSource.query(
      'SELECT outbox_dead_letter_count($1, $2, $3, $4, $5, $6) AS count',
      deadLetterArguments(filter),
    );
    return Number(row.count);
  }

  /** Ids and tenants of up to `limit` dead letters after `cursor`, and the cursor after them when more remain. */
  async deadLetterKeys(
    filter: DeadLetterFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ keys: { id: string; tenantId: string }[]; nextCursor: string | null }> {
    const page = await this.deadLetters(filter, { limit, cursor });
    return { keys: page.items.map(({ id, tenantId }) => ({ id, tenantId })), nextCursor: page.nextCursor };
  }

  /**
   * Puts a tenant's dead letters back in line in one statement: attempts reset, priority kept.
   * Only rows still dead-lettered change (a concurrent redrive of the same record changes it once).
   */
  async redriveMany(manager: EntityManager, tenantId: string, ids: string[], nextAttemptAt: Date): Promise<ServiceCallRecord[]> {
    const rows = await queryRows(
      manager,
      `UPDATE service_call_records
       SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = $3, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND status = 'dead_lettered'
       RETURNING *`,
      [tenantId, ids, nextAttemptAt],
    );
    return rows.map((row) => hydrate(manager, ServiceCallRecord, row));
  }
}

/** Items grouped by tenant, tenants in the order they first appear. */
function groupByTenant<T>(items: T[], tenantOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(tenantOf(item), [...(groups.get(tenantOf(item)) ?? []), item]);
  return groups;
}

/** The arguments of the dead-letter functions (`outbox_dead_letters`, `outbox_dead_letter_count`) for a filter: NULL for none. */
function deadLetterArguments(filter: DeadLetterFilter): unknown[] {
  return [
    filter.tenant ?? null,
    filter.namespace ?? null,
    filter.schema ?? null,
    filter.excludedNamespaces?.length ? filter.excludedNamespaces : null,
    filter.since ?? null,
    filter.ids ?? null,
  ];
}
