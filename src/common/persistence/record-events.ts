import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { RequestContext } from '../auth/request-context';
import { DerivedEvent, derivedEventsStatement, NEXT_EVENT_ID } from '../events/domain-events.service';
import { DomainEventCatalog, DomainEventType, NewDomainEvent } from '../events/event-catalog';
import { kept } from './insert-statement';

/** The properties of `T` whose values may stand as a payload field of type `V`. */
type PropertyCarrying<T, V> = { [P in keyof T]-?: T[P] extends V ? P : never }[keyof T] & string;

/**
 * The event every append-only record gets (`action_log.recorded`, …): its type, and which of the
 * record's properties each payload field carries. Its aggregate is the record (its id, no
 * version). Declared rather than built, so that the database can derive the events of a bulk
 * write from the rows it has just inserted, in the insert's own statement (see
 * recordEventsStatement): nothing about them travels with the request. Listeners get the same
 * payload, built from the row as stored (recordEventOf).
 */
export interface RecordEvent<T extends { id: string }, K extends DomainEventType> {
  type: K;
  aggregateType: string;
  payload: { [F in keyof DomainEventCatalog[K]]-?: PropertyCarrying<T, DomainEventCatalog[K][F]> };
}

/** Any record event of rows `T`, whatever its type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event type is irrelevant where the spec is only read
export type AnyRecordEvent<T extends { id: string }> = RecordEvent<T, any>;

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The event of one stored record, as listeners (and a transaction's event log) receive it. */
export function recordEventOf<T extends { id: string }>(event: AnyRecordEvent<T>, row: T): NewDomainEvent {
  const payload: Record<string, unknown> = {};
  for (const field in event.payload) payload[field] = (row as Record<string, unknown>)[event.payload[field]];
  return { type: event.type as DomainEventType, aggregateType: event.aggregateType, aggregateId: row.id, aggregateVersion: null, payload: payload as never };
}

/**
 * What the insert of records returns: the rows, each with the id of its event, drawn there
 * (`event_id_`), so that the events' insert (recordEventsStatement) needs no RETURNING and the
 * statement no join of rows and events.
 */
export const RECORDS_RETURNING = `RETURNING *, ${NEXT_EVENT_ID} AS event_id_`;

/**
 * `INSERT INTO domain_events … SELECT … FROM <source>`: one event per row of `source` (a CTE of
 * the records just inserted, RECORDS_RETURNING), with the id drawn for it there and its payload
 * built by `jsonb_build_object` from the row's columns (see derivedEventsStatement): the context's
 * tenant, actor, key and correlation id and the event's type are the only parameters, however
 * many rows. No RETURNING: the ids are the rows' `event_id_`, the time EVENT_TIME.
 */
export function recordEventsStatement<T extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<T>,
  event: AnyRecordEvent<T>,
  context: RequestContext,
  params: unknown[],
  source = 'inserted',
): string {
  const derived = kept(derivedEvents, event, () => derivedEventOf(manager, target, event));
  return derivedEventsStatement(context, `${source} r`, derived, params);
}

/**
 * The derived event of each record event, made once: the same array each time, so that
 * derivedEventsStatement builds its text once too. A record event belongs to one entity (its
 * payload names that entity's properties), so its columns are those of the first target it met.
 */
const derivedEvents = new WeakMap<object, readonly DerivedEvent[]>();

function derivedEventOf<T extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<T>,
  event: AnyRecordEvent<T>,
): readonly DerivedEvent[] {
  const metadata = manager.connection.getMetadata(target);
  const fields = Object.entries(event.payload as Record<string, string>).map(([field, property]) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column || !FIELD.test(field)) throw new Error(`${event.type}: cannot carry ${metadata.targetName}.${property} as ${field}`);
    return `'${field}', r."${column.databaseName}"`;
  });
  return [
    {
      id: 'r.event_id_',
      type: event.type as DomainEventType,
      aggregateType: event.aggregateType,
      aggregateId: 'r.id',
      aggregateVersion: 'NULL::integer',
      payload: `jsonb_build_object(${fields.join(', ')})`,
    },
  ];
}
