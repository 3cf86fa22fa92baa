import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { counter } from '../observability/metric';
import { types } from 'pg';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../auth/request-context';
import { kept, placeholders } from '../persistence/insert-statement';
import { TenantScope } from '../tenancy/tenant-scope';
import { DomainEventEnvelope, DomainEventType, NewDomainEvent } from './event-catalog';
import { jsonRows, JsonRowsColumn, jsonRowsSelect } from '../persistence/json-rows';

const listenerFailures = counter({
  name: 'domain_event_listener_failures_total',
  help: 'Domain event listeners that threw, by event type',
  labelNames: ['event'],
});

/**
 * What an event insert answers: its id, and its time as text. The events of one statement share
 * their time (`now()`), so a thousand of them are parsed once (see isoTime), not once each.
 */
const RETURNING = 'RETURNING id, occurred_at::text AS occurred_at, aggregate_id';

const COLUMNS = 'tenant_id, actor_id, key_id, correlation_id, type, aggregate_type, aggregate_id, aggregate_version, payload';

/** The text of a one-event insert, kept by the number of its first parameter (see kept). */
const oneEventTexts = new Map<number, string>();

/** An event's values in the order of COLUMNS, its payload last (as given: an object, or its JSON text). */
function eventRow({ context, event }: ContextualEvent, payload: unknown = event.payload): unknown[] {
  return [
    context.tenantId,
    context.actorId,
    context.keyId,
    context.correlationId,
    event.type,
    event.aggregateType,
    event.aggregateId,
    event.aggregateVersion,
    payload,
  ];
}

/** The columns of an event as its row is sent in a JSON array of events (their table's types). */
const JSON_COLUMNS: JsonRowsColumn[] = [
  ['tenant_id', 'text'],
  ['actor_id', 'text'],
  ['key_id', 'uuid'],
  ['correlation_id', 'text'],
  ['type', 'text'],
  ['aggregate_type', 'text'],
  ['aggregate_id', 'uuid'],
  ['aggregate_version', 'int'],
  ['payload', 'jsonb'],
];

/**
 * The next event id, as the column's default draws it: for a statement that numbers its events in
 * the rows they describe (`RETURNING *, NEXT_EVENT_ID AS event_id_`), so that it reads their ids
 * there and the events' insert needs no RETURNING (see DerivedEvent.id).
 */
export const NEXT_EVENT_ID = `nextval('domain_events_id_seq')`;

/**
 * An event's time as text, once for the statement: its column's default, `now()`, the
 * transaction's time, the same for every event of the statement.
 */
export const EVENT_TIME = '(SELECT now()::text)';

/** An event with the context it happened in. */
export interface ContextualEvent {
  context: RequestContext;
  event: NewDomainEvent;
}

/**
 * An event a statement writes about the rows it changed, as SQL over those rows (`source`): its
 * aggregate id and version and its payload (`jsonb`; a NULL payload writes no event for that row).
 */
export interface DerivedEvent {
  /** SQL of its id, drawn beforehand from NEXT_EVENT_ID; by default the table draws one. */
  id?: string;
  type: DomainEventType;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: string;
  payload: string;
}

/** The text of each derived-events statement, by its events (see derivedEventsStatement), then by its source and first parameter. */
const derivedTexts = new WeakMap<readonly DerivedEvent[], Map<string, string>>();

/**
 * `INSERT INTO domain_events … SELECT` of `events` for every row of `source` (a CTE of the same
 * statement, with its alias: the rows an INSERT or UPDATE returned), in the context's tenant,
 * actor, key and correlation id: a change and its events in one statement, whatever the number of
 * rows. With one event per row the events follow the rows of `source`; with several, the events
 * of one row go in the order of `events` (ids ascending). `RETURNING id, occurred_at (as text),
 * aggregate_id, type`; parameters appended to `params`. Events whose ids `source` carries
 * (`id`) have no RETURNING: their ids are known where they were drawn, and their time is EVENT_TIME.
 *
 * Only the parameters depend on the call: the text is built once for the same `events` array (a
 * constant of the caller, never changed), source and position in `params`, and is then the same
 * string each time (a statement prepared by its text finds its name without reading it again).
 */
export function derivedEventsStatement(context: RequestContext, source: string, events: readonly DerivedEvent[], params: unknown[]): string {
  const first = params.length + 1;
  params.push(context.tenantId, context.actorId, context.keyId, context.correlationId);
  for (const event of events) params.push(event.type, event.aggregateType);
  const texts = kept(derivedTexts, events, () => new Map<string, string>());
  return kept(texts, `${first} ${source}`, () => derivedEventsText(source, events, first));
}

/** The text of derivedEventsStatement, its parameters from `$first`: tenant, actor, key, correlation id, then each event's type and aggregate type. */
function derivedEventsText(source: string, events: readonly DerivedEvent[], first: number): string {
  const numbered = events.filter((event) => event.id !== undefined).length;
  if (numbered !== 0 && (numbered !== 1 || events.length !== 1)) throw new Error('Only a single derived event may carry its id');
  const known = `$${first}::text, $${first + 1}::text, $${first + 2}::uuid, $${first + 3}::text`;
  const rows = events.map((event, n) => ({ ...event, n, type: `$${first + 4 + 2 * n}::text`, aggregateType: `$${first + 5 + 2 * n}::text` }));
  const returning = `${RETURNING}, type`;
  if (numbered === 1) {
    const [e] = rows;
    // No filter on the payload: an id drawn for a row is an event the caller publishes, so a NULL
    // payload fails the statement (the column is NOT NULL) rather than leave that event unwritten.
    return `INSERT INTO domain_events (id, ${COLUMNS})
      SELECT ${e.id}, ${known}, ${e.type}, ${e.aggregateType}, ${e.aggregateId}, ${e.aggregateVersion}, ${e.payload} FROM ${source}`;
  }
  if (rows.length === 1) {
    const [e] = rows;
    // OFFSET 0 keeps the subquery whole: flattened, its payload was built twice per row (once for the filter).
    return `INSERT INTO domain_events (${COLUMNS})
      SELECT * FROM (SELECT ${known}, ${e.type}, ${e.aggregateType}, ${e.aggregateId}, ${e.aggregateVersion}, ${e.payload} AS payload FROM ${source} OFFSET 0) e
      WHERE e.payload IS NOT NULL ${returning}`;
  }
  const values = rows.map((e) => `(${e.n}, ${e.type}, ${e.aggregateType}, ${e.aggregateId}, ${e.aggregateVersion}, ${e.payload})`);
  return `INSERT INTO domain_events (${COLUMNS})
      SELECT ${known}, e.type, e.aggregate_type, e.aggregate_id, e.aggregate_version, e.payload
      FROM ${source} CROSS JOIN LATERAL (VALUES ${values.join(', ')}) AS e (n, type, aggregate_type, aggregate_id, aggregate_version, payload)
      WHERE e.payload IS NOT NULL ORDER BY e.n
      ${returning}`;
}

/** What the database assigns to an event row; its time as a Date, or as the text PostgreSQL wrote (see RETURNING). */
export interface StoredEvent {
  id: string;
  occurredAt: Date | string;
}

const parseTimestamptz = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date | null;
let lastTime: { text: string; iso: string } | undefined;

/** The ISO form of an event's time; text is converted once for a run of equal values (the events of one statement). */
function isoTime(time: Date | string): string {
  if (typeof time !== 'string') return time.toISOString();
  if (lastTime?.text !== time) lastTime = { text: time, iso: (parseTimestamptz(time) ?? new Date(time)).toISOString() };
  return lastTime.iso;
}

/**
 * Writes domain events into `domain_events` inside the caller's transaction (or statement) and,
 * once that has committed, hands them to the in-process listeners. Use it through `UnitOfWork`.
 */
@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);

  constructor(private readonly emitter: EventEmitter2) {}

  /** `INSERT INTO domain_events … RETURNING id, occurred_at (as text), aggregate_id`; parameters appended to `params`. */
  insertStatement(context: RequestContext, events: NewDomainEvent[], params: unknown[]): string {
    return this.insertEachStatement(
      events.map((event) => ({ context, event })),
      params,
    );
  }

  /**
   * The same for events of several contexts (a batch of several tenants' work): each row its own
   * tenant, actor and correlation id. One event is a VALUES row of fixed shape (a single create's
   * statement, prepared once per connection). Several are ONE parameter, a JSON array of rows
   * (see jsonRows) that PostgreSQL expands: a bulk write of 1000 records would otherwise send 8000
   * parameters, each payload serialised on its own, and a 1000-row VALUES list for PostgreSQL to
   * parse and plan, nearly as costly as inserting the records themselves.
   */
  insertEachStatement(entries: ContextualEvent[], params: unknown[]): string {
    if (entries.length === 1) {
      const row = eventRow(entries[0], JSON.stringify(entries[0].event.payload));
      const first = params.length + 1;
      params.push(...row);
      return kept(oneEventTexts, first, () => `INSERT INTO domain_events (${COLUMNS}) VALUES (${placeholders(first, row.length)}) ${RETURNING}`);
    }
    params.push(jsonRows(entries.map((entry) => eventRow(entry))));
    return `INSERT INTO domain_events (${COLUMNS}) SELECT ${COLUMNS} FROM ${jsonRowsSelect(`$${params.length}`, JSON_COLUMNS)} AS e ${RETURNING}`;
  }

  async append(manager: EntityManager, context: RequestContext, events: NewDomainEvent[]): Promise<DomainEventEnvelope[]> {
    return this.appendEach(
      manager,
      events.map((event) => ({ context, event })),
    );
  }

  /**
   * Inserts events of several contexts: one statement per tenant, each in that tenant's scope (a
   * session sees one tenant's rows at a time). Envelopes come back in the order of `entries`.
   */
  async appendEach(manager: EntityManager, entries: ContextualEvent[]): Promise<DomainEventEnvelope[]> {
    const byTenant = new Map<string, number[]>();
    entries.forEach(({ context }, index) => byTenant.set(context.tenantId, [...(byTenant.get(context.tenantId) ?? []), index]));
    const envelopes: DomainEventEnvelope[] = new Array(entries.length);
    for (const [tenantId, indexes] of byTenant) {
      const params: unknown[] = [];
      const sql = this.insertEachStatement(
        indexes.map((index) => entries[index]),
        params,
      );
      const stored: { id: string; occurred_at: string }[] = await TenantScope.run(tenantId, () => manager.query(sql, params));
      indexes.forEach((index, i) => {
        const { context, event } = entries[index];
        envelopes[index] = this.envelope(context, event, { id: stored[i].id, occurredAt: stored[i].occurred_at });
      });
    }
    return envelopes;
  }

  envelope(context: RequestContext, event: NewDomainEvent, stored: StoredEvent): DomainEventEnvelope {
    // Field by field, not `...event`: a bulk write makes a thousand of these, and spreading cost
    // several times more.
    return {
      type: event.type,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      aggregateVersion: event.aggregateVersion,
      payload: event.payload,
      id: String(stored.id),
      tenantId: context.tenantId,
      actorId: context.actorId,
      keyId: context.keyId,
      correlationId: context.correlationId,
      occurredAt: isoTime(stored.occurredAt),
    };
  }

  /**
   * Runs every matching listener, event after event; a failure is logged and counted, never
   * rethrown. An event's asynchronous listeners are awaited before the next event is published;
   * synchronous ones cost no wait (a bulk write publishes a thousand events).
   */
  async publish(events: DomainEventEnvelope[]): Promise<void> {
    const byType = new Map<string, ReturnType<EventEmitter2['listeners']>>();
    for (const event of events) {
      let listeners = byType.get(event.type);
      if (!listeners) byType.set(event.type, (listeners = this.emitter.listeners(event.type)));
      const pending: Promise<unknown>[] = [];
      for (const listener of listeners) {
        try {
          const result: unknown = listener.call(this.emitter, event);
          if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function')
            pending.push(Promise.resolve(result).catch((error: unknown) => this.failed(event, error)));
        } catch (error) {
          this.failed(event, error);
        }
      }
      if (pending.length > 0) await Promise.all(pending);
    }
  }

  private failed(event: DomainEventEnvelope, error: unknown): void {
    listenerFailures.inc({ event: event.type });
    this.logger.error({ err: error, eventId: event.id, correlationId: event.correlationId }, `A listener of ${event.type} failed`);
  }
}
