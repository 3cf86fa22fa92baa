import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { RequestContext } from '../auth/request-context';
import { DomainEvents, EVENT_TIME, StoredEvent } from '../events/domain-events.service';
import { DomainEventType, NewDomainEvent } from '../events/event-catalog';
import { TenantScope } from '../tenancy/tenant-scope';
import { retryOnContention } from './contention';
import { hydrate } from './hydrate';
import { autocommitWrite, transactionClaiming } from './idempotency-claim';
import { insertReturning, insertStatement, kept, queryPrepared, Statement } from './insert-statement';
import { AnyRecordEvent, RECORDS_RETURNING, recordEventOf, recordEventsStatement } from './record-events';
import { TenantOwnedEntity } from './versioned.entity';

/** The handle a unit of work gets: the transaction's EntityManager and a place to record events. */
export interface Transaction {
  readonly manager: EntityManager;
  readonly context: RequestContext;
  record<K extends DomainEventType>(event: NewDomainEvent<K>): void;
}

/** A new aggregate as inserted: everything but what the database fills in. */
export type NewRow<T> = Omit<T, 'version' | 'createdAt' | 'updatedAt'> & Partial<Pick<T & { version: number }, 'version'>>;

/** An append-only record (a log line, a measurement) as inserted: identity and tenant, no version. */
export type AppendedRow = ObjectLiteral & { id: string; tenantId: string };

/**
 * Commits changes together with the domain events that describe them, and publishes those
 * events to listeners only after the commit: a rolled-back write leaves no event row and wakes
 * no listener. A transaction PostgreSQL aborts for contention (deadlock, serialization failure)
 * runs again from the start, a few times, before the caller hears 503 with Retry-After: this is
 * the one place that retries, so the work given to `run` must only touch the database.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Runs `work` in one transaction, in the context's tenant scope (row-level security); the
   * events it records are inserted before COMMIT, and the request's Idempotency-Key, if it has
   * one to claim, first of all (see idempotency-claim.ts). Retried as a whole on contention (see above).
   */
  run<T>(context: RequestContext, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return TenantScope.run(context.tenantId, () => retryOnContention(() => this.runScoped(context, work)));
  }

  private async runScoped<T>(context: RequestContext, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const recorded: NewDomainEvent[] = [];
    const { result, committed } = await transactionClaiming(this.dataSource, async (manager) => {
      const tx: Transaction = { manager, context, record: (event) => void recorded.push(event) };
      const result = await work(tx);
      const committed = await this.events.append(manager, context, recorded);
      return { result, committed };
    });
    await this.events.publish(committed);
    return result;
  }

  /**
   * Inserts new aggregates (version 1) with one creation event each: the one way rows are created.
   * Given a request's context, rows and events are a single SQL statement, atomic without
   * BEGIN/COMMIT, so a create costs one round trip to the database (a request with an
   * Idempotency-Key to claim pays for a transaction that inserts the key first). Given a
   * transaction, the rows are one statement of it and the events go to its log, committed with it.
   */
  insert<T extends TenantOwnedEntity>(
    scope: WriteScope,
    target: EntityTarget<T>,
    rows: NewRow<T>[],
    creationEvent: (row: NewRow<T>) => NewDomainEvent,
  ): Promise<T[]> {
    const versioned = rows.map((row) => versionOne<T>(row));
    return this.write(scope, target, versioned, creationEvent, (context) => {
      // Each row's event is built once: the statement stores it, the listeners get the same one.
      const events = new Map(versioned.map((row) => [row.id, creationEvent(row)]));
      return {
        statement: (params) => {
          const insertSql = insertStatement(this.dataSource.manager, target, versioned as Partial<T>[], params);
          const eventsSql = this.events.insertStatement(context, [...events.values()], params);
          return versioned.length === 1 ? oneRowWithEvents(insertSql, eventsSql) : insertWithEventsStatement(insertSql, eventsSql);
        },
        of: (stored) => events.get(stored.id)!,
      };
    });
  }

  /**
   * Inserts append-only records (no version) with their event, declared by `event` (see
   * RecordEvent): given a context, the database derives one event per inserted row in the
   * insert's own statement, so every record of a bulk request has its event, or none is stored;
   * given a transaction, the events go to its log.
   */
  append<T extends AppendedRow>(scope: WriteScope, target: EntityTarget<T>, rows: T[], event: AnyRecordEvent<T>): Promise<T[]> {
    return this.write(
      scope,
      target,
      rows,
      (row) => recordEventOf(event, row),
      (context) => ({
        statement: (params) => appendStatement(this.dataSource.manager, target, rows, context, event, params),
        of: (stored) => recordEventOf(event, stored),
      }),
    );
  }

  /**
   * Inserts one new aggregate (version 1) per item in ONE multi-row statement of the items' shared
   * transaction, and records each creation event in its own item's log. Returns the rows in the
   * order of `items`. The batch counterpart of a service's `…In(tx, input)` operation.
   */
  insertEachIn<T extends TenantOwnedEntity, I>(
    target: EntityTarget<T>,
    items: BatchRow<I>[],
    newRow: (ctx: RequestContext, input: I) => NewRow<T>,
    creationEvent: (row: NewRow<T>) => NewDomainEvent,
  ): Promise<T[]> {
    return insertRecorded(
      target,
      items.map(({ tx, input }) => ({ tx, row: versionOne<T>(newRow(tx.context, input)) })),
      creationEvent,
    );
  }

  /**
   * Runs ONE statement that changes rows and inserts the events describing them (its CTE from
   * derivedEventsStatement), in the context's tenant scope: atomic without BEGIN/COMMIT, so a change costs
   * one round trip, and prepared once per connection (its text must not vary with the input).
   * `read` turns its rows into the result and the events they say were stored, which are
   * published once it has run. Retried as a whole on contention, like `run`.
   */
  statement<T>(context: RequestContext, statement: Statement, read: (rows: Record<string, unknown>[]) => StatementOutcome<T>): Promise<T> {
    return TenantScope.run(context.tenantId, async () => {
      const { result, events } = await retryOnContention(async () => read(await queryPrepared(this.dataSource, statement.sql, statement.params)));
      await this.events.publish(events.map(({ event, stored }) => this.events.envelope(context, event, stored)));
      return result;
    });
  }

  /**
   * The rows and their events: in the transaction given (the rows one statement of it, `event` of
   * each row to its log), or, given a context, as the one statement `onTheirOwn` describes.
   */
  private write<T extends AppendedRow>(
    scope: WriteScope,
    target: EntityTarget<T>,
    rows: T[],
    event: (row: T) => NewDomainEvent,
    onTheirOwn: (context: RequestContext) => StatementEvents<T>,
  ): Promise<T[]> {
    if (isTransaction(scope))
      return insertRecorded(
        target,
        rows.map((row) => ({ tx: scope, row })),
        event,
      );
    return TenantScope.run(scope.tenantId, () => retryOnContention(() => this.insertWithEvents(scope, target, rows, onTheirOwn(scope))));
  }

  /** The rows and their events in one statement, on their own; the events are published once it has run. */
  private async insertWithEvents<T extends AppendedRow>(context: RequestContext, target: EntityTarget<T>, rows: T[], events: StatementEvents<T>): Promise<T[]> {
    if (rows.length === 0) return [];
    const manager = this.dataSource.manager;
    const params: unknown[] = [];
    const sql = events.statement(params);
    // A single create has one shape: prepared once per connection. A bulk insert varies in size.
    const stored: Record<string, unknown>[] =
      rows.length === 1 ? await queryPrepared(this.dataSource, sql, params) : await autocommitWrite(manager, (m) => m.query(sql, params));
    const byId = new Map(stored.map((row) => [String(row.id), row]));
    const inserted = rows.map((row) => {
      const raw = byId.get(row.id)!;
      return { raw, entity: hydrate(manager, target, raw) };
    });
    await this.events.publish(
      inserted.map(({ raw, entity }) =>
        this.events.envelope(context, events.of(entity), { id: String(raw.event_id_), occurredAt: raw.event_occurred_at_ as string }),
      ),
    );
    return inserted.map(({ entity }) => entity);
  }
}

/** Rows inserted on their own with their events: the one statement (see insertWithEventsStatement), and each row's event for the listeners. */
interface StatementEvents<T> {
  /** The statement, its parameters appended to `params`. */
  statement(params: unknown[]): string;
  of(stored: T): NewDomainEvent;
}

/**
 * The statement `append` sends for records on their own: the rows, and the events the database
 * derives from them. Without `event`, the same statement without its events (what the record
 * bench compares it with). Parameters are appended to `params`.
 */
export function appendStatement<T extends AppendedRow>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T[],
  context: RequestContext,
  event: AnyRecordEvent<T> | undefined,
  params: unknown[],
): string {
  const insertSql = insertStatement(manager, target, rows as Partial<T>[], params);
  if (!event) return `WITH inserted AS (${insertSql} RETURNING *) SELECT inserted.* FROM inserted`;
  return `WITH inserted AS (${insertSql} ${RECORDS_RETURNING}),
      events AS (${recordEventsStatement(manager, target, event, context, params)})
      SELECT inserted.*, ${EVENT_TIME} AS event_occurred_at_ FROM inserted`;
}

/** A one-row create's statement by the texts of its parts (each kept per shape, see insertStatement). */
const oneRowCreates = new Map<string, Map<string, string>>();

/** insertWithEventsStatement of a one-row create, kept per shape (see kept). */
function oneRowWithEvents(insertSql: string, eventsSql: string): string {
  return kept(
    kept(oneRowCreates, insertSql, () => new Map()),
    eventsSql,
    () => insertWithEventsStatement(insertSql, eventsSql),
  );
}

/**
 * The one statement of a create on its own: `insertSql` (a multi-row INSERT) and `eventsSql`
 * (inserting their events), answering every row as stored with its event's id and time.
 */
function insertWithEventsStatement(insertSql: string, eventsSql: string): string {
  return `WITH inserted AS (${insertSql} RETURNING *),
      events AS (${eventsSql})
      SELECT inserted.*, events.id AS event_id_, events.occurred_at AS event_occurred_at_
      FROM inserted JOIN events ON events.aggregate_id = inserted.id`;
}

/** What a statement answered (see UnitOfWork.statement): the caller's result and the events the statement stored. */
export interface StatementOutcome<T> {
  result: T;
  events: { event: NewDomainEvent; stored: StoredEvent }[];
}

/**
 * Where new rows are written: as the request of a context, on their own (one statement with their
 * events), or in a transaction already open (its manager, its event log).
 */
export type WriteScope = RequestContext | Transaction;

function isTransaction(scope: WriteScope): scope is Transaction {
  return 'record' in scope;
}

/** One new row of a batch written inside a shared transaction, with the handle of the work it belongs to. */
export interface BatchRow<I> {
  /** Its own context and event log (see OutboxPersister): the manager is the same for every row. */
  tx: Transaction;
  input: I;
}

function versionOne<T extends TenantOwnedEntity>(row: NewRow<T>): T {
  // Not `{ ...row, version: 1 }`: a spread followed by a property is V8's slow path (see newAuditedRow).
  return Object.assign({}, row, { version: 1 }) as unknown as T;
}

/**
 * Inserts the rows in ONE multi-row statement of their entries' shared transaction and records
 * each row's event in its own entry's log. Returns the rows as stored, in the order of `entries`.
 */
async function insertRecorded<T extends AppendedRow>(
  target: EntityTarget<T>,
  entries: { tx: Transaction; row: T }[],
  event: (row: T) => NewDomainEvent,
): Promise<T[]> {
  if (entries.length === 0) return [];
  const stored = await insertReturning(
    entries[0].tx.manager,
    target,
    entries.map(({ row }) => row as Partial<T>),
  );
  const byId = new Map(stored.map((row) => [row.id, row]));
  return entries.map(({ tx, row }) => {
    const inserted = byId.get(row.id)!;
    tx.record(event(inserted));
    return inserted;
  });
}
