import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { StoredEvent } from '../../common/events/domain-events.service';
import { CasKey, compareAndSet, Patch } from '../../common/persistence/compare-and-set';
import { hydrate, queryRows } from '../../common/persistence/hydrate';
import { insertStatement, queryPreparedIn } from '../../common/persistence/insert-statement';
import { jsonRows, JsonRowsColumn, jsonRowsSelect } from '../../common/persistence/json-rows';
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

/**
 * What the drain reads of a claimed record: the columns it needs, from a raw row (no entity), and
 * whether its idempotency key is taken (an earlier transaction persisted its result).
 */
export type DrainedRecord = { keyTaken: boolean } & Pick<
  ServiceCallRecord,
  | 'id'
  | 'tenantId'
  | 'callId'
  | 'namespace'
  | 'schemaIdentity'
  | 'result'
  | 'status'
  | 'attempts'
  | 'version'
  | 'createdAt'
  | 'createdBy'
  | 'createdByKeyId'
  | 'correlationId'
  | 'lastError'
>;

/**
 * A row of the claim: a claimed record's id, tenant and place in the claim, whether other due
 * results remain, and its columns when it was read in the same statement.
 */
type ClaimedRow = { claimed_id: string; claimed_tenant: string; claimed_more: boolean; claimed_n?: string; id?: string | null } & Record<string, unknown>;

/** A claimed batch: one tenant's records in claim order, and whether other due results remain (of any tenant, perhaps held by another batch). */
export interface Claim {
  records: DrainedRecord[];
  more: boolean;
}

/** An idempotency key written by `finish`, as its row is sent (see jsonRows). */
const LINK_COLUMNS: JsonRowsColumn[] = [
  ['call_id', 'text'],
  ['schema_identity', 'text'],
  ['record_id', 'uuid'],
  ['handler_identity', 'text'],
  ['domain_type', 'text'],
  ['domain_id', 'uuid'],
];

/** How a drained record ends its transaction (one row of `finish`). */
export interface RecordFinish {
  record: DrainedRecord;
  status: 'pending' | 'persisted' | 'skipped' | 'dead_lettered';
  lastError: string | null;
  /** Counted attempt (persisted, failed, dead-lettered); a skip counts none. */
  counted: boolean;
  /** For a failure to be retried: when the record is due again, from now. */
  retryDelayMs?: number;
}

/** The idempotency key of a result persisted now, with the handler that wrote it and the domain object its result became. */
export interface ChunkLink {
  record: DrainedRecord;
  handler: string;
  domainType: string;
  domainId: string;
}

/** An idempotency key taken by an earlier transaction: the record that took it, and what its result became. */
export type TakenKey = Pick<PersistedChunk, 'callId' | 'schemaIdentity' | 'recordId' | 'domainType' | 'domainId'>;

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

/** A record of the sweeper's work list (see `due`). */
export type DueRecord = Pick<ServiceCallRecord, 'id' | 'tenantId' | 'callId' | 'namespace' | 'schemaIdentity' | 'attempts'>;

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
  async due(limit: number): Promise<DueRecord[]> {
    const rows: { id: string; tenant_id: string; call_id: string; namespace: string; schema_identity: string; attempts: number }[] =
      await this.dataSource.query('SELECT id, tenant_id, call_id, namespace, schema_identity, attempts FROM outbox_due($1)', [limit]);
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      callId: row.call_id,
      namespace: row.namespace,
      schemaIdentity: row.schema_identity,
      attempts: Number(row.attempts),
    }));
  }

  /**
   * Locks up to `limit` fresh pending results of one tenant (never failed: a failed one belongs to
   * its own retry job until it is dead-lettered or redriven) that this process has a handler for,
   * skipping those another transaction holds: the tenant of the first due result (results with a
   * priority first, 1 before 2, then the rest; oldest first within each), then that tenant's
   * results in the same order. `outbox_claim` (a function of the database) finds and locks them and
   * says only their ids and tenant, and whether other due results remain; the records are then
   * read in their tenant's scope. A batch is of one tenant because each of its statements runs in
   * one tenant's scope: a batch of twenty tenants' records took about sixty statements.
   *
   * Run in the scope of a tenant (`inScope`, the tenant the caller expects the batch to belong to),
   * the same statement also reads the claimed records when they are that tenant's: a batch costs
   * one statement. Otherwise (or for any the statement could not see, one inserted after it began)
   * they are read after it, in their tenant's scope. The read locks its rows again (held already,
   * so it never waits): it then returns their latest version, not the one of the statement's start.
   */
  async claimDue(manager: EntityManager, limit: number, handled: HandledSchemas, inScope?: string): Promise<Claim> {
    const args = [limit, handled.exact, handled.core];
    // The claim alone is prepared: its plan is a call of the function, whatever the table holds
    // (parsing and planning it cost the database about 0.3 ms a batch). The form that also reads
    // the records is planned at every batch, as `finish` is: prepared, its plan was kept until the
    // table's statistics changed, and made on a nearly empty table it read each record by a scan of
    // the table (a claim of 100 took 0.5–0.8 s with 50,000 records loaded after; see
    // test/integration/outbox/claim-plan.int-spec.ts).
    const claimed =
      inScope === undefined
        ? await queryPreparedIn<ClaimedRow>(
            manager,
            'SELECT id AS claimed_id, tenant_id AS claimed_tenant, more AS claimed_more FROM outbox_claim($1, $2, $3)',
            args,
          )
        : await manager.query<ClaimedRow[]>(
            `WITH claimed AS (SELECT c.id, c.tenant_id, c.more, c.n FROM outbox_claim($1, $2, $3) WITH ORDINALITY AS c(id, tenant_id, more, n))
             SELECT claimed.id AS claimed_id, claimed.tenant_id AS claimed_tenant, claimed.more AS claimed_more, claimed.n AS claimed_n, r.*
             FROM claimed LEFT JOIN LATERAL (
               SELECT ${DRAINED_COLUMNS} FROM service_call_records r
               WHERE r.tenant_id = claimed.tenant_id AND r.id = claimed.id FOR UPDATE
             ) r ON true`,
            args,
          );
    // In claim order, sorted here: sorted by PostgreSQL, every row would be copied with its result first.
    if (inScope !== undefined) claimed.sort((a, b) => Number(a.claimed_n) - Number(b.claimed_n));
    if (claimed.length === 0) return { records: [], more: false };
    const records = new Map<string, DrainedRecord>();
    const unread: string[] = [];
    for (const row of claimed) {
      if (row.id) records.set(row.id, drainedRecordOf(row));
      else unread.push(row.claimed_id);
    }
    if (unread.length > 0) {
      for (const record of await this.lockDrained(manager, claimed[0].claimed_tenant, unread)) records.set(record.id, record);
    }
    return { records: claimed.flatMap((row) => records.get(row.claimed_id) ?? []), more: claimed[0].claimed_more === true };
  }

  /** A tenant's records by id, read as the drain reads them and locked until the transaction ends, in the tenant's scope. */
  async lockDrained(manager: EntityManager, tenantId: string, ids: string[]): Promise<DrainedRecord[]> {
    const rows: Record<string, unknown>[] = await TenantScope.run(tenantId, () =>
      manager.query(`SELECT ${DRAINED_COLUMNS} FROM service_call_records r WHERE r.tenant_id = $1 AND r.id = ANY($2::uuid[]) FOR UPDATE`, [tenantId, ids]),
    );
    return rows.map(drainedRecordOf);
  }

  /**
   * Ends the drain of one tenant's records in its scope, in ONE statement, the last of the
   * transaction: writes the idempotency keys of the results persisted now, each with the domain
   * object its result became (a key taken meanwhile fails the statement, and so the whole
   * transaction: nothing is written twice; see OutboxPersister), inserts
   * the events (`eventsInsert`: an `INSERT INTO domain_events … RETURNING id, occurred_at, …`
   * whose parameters are already in `params`) and ends every record, so that `persisted_at`
   * (clock_timestamp(), not the transaction's start) is the time of the commit or within a
   * statement of it. Returns the stored events in the order they were given, and the records.
   * Not a prepared statement, although its text is the same for every batch of several events: its
   * generic plan, which PostgreSQL switches to after five runs and keeps until the table's
   * statistics change, is only as good as the statistics of that moment. Made on a table not yet
   * analyzed and nearly empty, it looked each record up by tenant alone, through the index of
   * (tenant, call id, schema), and so read every record of the tenant for each one: a batch of one
   * took 34 ms with 50,000 records in the table (the drain ran at half its rate). Parsing and
   * planning it at every batch costs the database about 0.75 ms a batch: at 50 results/s, prepared
   * (with a good plan), the median intake-to-persisted latency read 5.8 and 6.9 ms, against 7.2 and
   * 7.6 ms.
   */
  async finish(
    manager: EntityManager,
    tenantId: string,
    work: { links: ChunkLink[]; finishes: RecordFinish[]; eventsInsert: string; params: unknown[] },
  ): Promise<{ events: StoredEvent[]; finished: FinishedRecord[] }> {
    const { links, finishes, eventsInsert, params } = work;
    params.push(tenantId);
    const tenant = `$${params.length}`;
    params.push(
      jsonRows(links.map(({ record, handler, domainType, domainId }) => [record.callId, record.schemaIdentity, record.id, handler, domainType, domainId])),
    );
    const linkRows = jsonRowsSelect(`$${params.length}`, LINK_COLUMNS);
    // Records are looked up by their ends: objects read by jsonb_to_recordset, whose typed columns
    // keep the plan below (read from jsonb_array_elements, see jsonRowsSelect, the ids were casts
    // that PostgreSQL evaluated over and over, and a drain of 30,000 results stalled).
    params.push(
      JSON.stringify(
        finishes.map((f) => ({ id: f.record.id, status: f.status, last_error: f.lastError, counted: f.counted, retry_delay_ms: f.retryDelayMs ?? null })),
      ),
    );
    const finishRows = `$${params.length}`;
    const rows = await queryRows(
      manager,
      `WITH keys AS (
         INSERT INTO persisted_chunks (tenant_id, call_id, schema_identity, record_id, handler_identity, domain_type, domain_id)
         SELECT ${tenant}, l.call_id, l.schema_identity, l.record_id, l.handler_identity, l.domain_type, l.domain_id
         FROM ${linkRows} AS l
       ), stored AS (${eventsInsert}),
       ended AS (
         UPDATE service_call_records r SET
           status = v.status,
           attempts = r.attempts + CASE WHEN v.counted THEN 1 ELSE 0 END,
           last_error = v.last_error,
           next_attempt_at = CASE WHEN v.retry_delay_ms IS NULL THEN r.next_attempt_at ELSE now() + v.retry_delay_ms * interval '1 millisecond' END,
           persisted_at = CASE WHEN v.status = 'persisted' THEN clock_timestamp() ELSE r.persisted_at END,
           version = r.version + 1,
           updated_at = now()
         FROM jsonb_to_recordset(${finishRows}::jsonb) AS v(id uuid, status text, last_error text, counted boolean, retry_delay_ms int)
         -- Each record found by its key, one lookup per row (OFFSET 0 keeps it so), the key a typed
         -- column: under row-level security an index takes only conditions that cannot fail, and a
         -- cast can. Left to choose, the planner trusted statistics taken before the tenant grew (or
         -- never taken) and read every record of the tenant, batch after batch.
         CROSS JOIN LATERAL (SELECT x.ctid AS row_ FROM service_call_records x WHERE x.tenant_id = ${tenant} AND x.id = v.id OFFSET 0) found
         WHERE r.ctid = found.row_
         RETURNING r.id, r.version, r.persisted_at
       )
       (SELECT true AS event, id::text AS id, occurred_at AS occurred, NULL::timestamptz AS at, NULL::int AS version FROM stored ORDER BY stored.id)
       UNION ALL
       (SELECT false, id::text, NULL, persisted_at, version FROM ended)`,
      params,
    );
    const events: StoredEvent[] = [];
    const finished: FinishedRecord[] = [];
    for (const row of rows) {
      if (row.event === true) events.push({ id: String(row.id), occurredAt: row.occurred as string });
      else finished.push({ id: String(row.id), version: Number(row.version), persistedAt: (row.at as Date | null) ?? null });
    }
    return { events, finished };
  }

  /** The idempotency keys these records of one tenant hold, taken by an earlier transaction (one statement). */
  keysOf(manager: EntityManager, tenantId: string, records: Pick<DrainedRecord, 'callId' | 'schemaIdentity'>[]): Promise<TakenKey[]> {
    if (records.length === 0) return Promise.resolve([]);
    return manager.query(
      `SELECT c.call_id AS "callId", c.schema_identity AS "schemaIdentity", c.record_id AS "recordId", c.domain_type AS "domainType", c.domain_id AS "domainId"
       FROM persisted_chunks c JOIN unnest($2::text[], $3::text[]) AS k(call_id, schema_identity) USING (call_id, schema_identity)
       WHERE c.tenant_id = $1`,
      [tenantId, records.map((record) => record.callId), records.map((record) => record.schemaIdentity)],
    );
  }

  async isPending(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM service_call_records WHERE id = $1 AND status = 'pending'`, [id]);
    return rows.length === 1;
  }

  /**
   * Pushes the sweeper's next look at records (any tenant) that turned out to have a live job. A
   * scheduling hint, not a change of the record: no version bump, no event. A record another
   * transaction holds (a drain batch's) is left as it is, not waited for.
   */
  async postpone(ids: string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('SELECT outbox_postpone($1::uuid[], $2)', [ids, delayMs]);
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

/** The columns of a DrainedRecord, as `claimDue` reads them (table alias `r`). */
const DRAINED_COLUMNS = `r.id, r.tenant_id, r.call_id, r.namespace, r.schema_identity, r.result, r.status, r.attempts, r.version, r.created_at, r.created_by,
  r.created_by_key_id, r.correlation_id, r.last_error,
  EXISTS (SELECT 1 FROM persisted_chunks c WHERE c.tenant_id = r.tenant_id AND c.call_id = r.call_id AND c.schema_identity = r.schema_identity) AS key_taken`;

function drainedRecordOf(row: Record<string, unknown>): DrainedRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    callId: row.call_id as string,
    namespace: row.namespace as string,
    schemaIdentity: row.schema_identity as string,
    result: row.result,
    status: row.status as ServiceCallStatus,
    attempts: row.attempts as number,
    version: row.version as number,
    createdAt: row.created_at as Date,
    createdBy: row.created_by as string,
    createdByKeyId: row.created_by_key_id as string | null,
    correlationId: row.correlation_id as string | null,
    lastError: row.last_error as string | null,
    keyTaken: row.key_taken === true,
  };
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
