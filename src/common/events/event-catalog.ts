/**
 * The typed catalog of domain events: event type → payload. Each module augments it in its
 * `*.events.ts` file with `declare module`, so a type name or a payload field that does not
 * exist is a compile error wherever an event is recorded or handled.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by each module's events file (declaration merging needs an interface)
export interface DomainEventCatalog {}

// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- `keyof` may also yield number | symbol in general; `& string` states that event types are strings
export type DomainEventType = keyof DomainEventCatalog & string;

/** What a service records inside a transaction. Tenant, actor and correlation id come from the context. */
export interface NewDomainEvent<K extends DomainEventType = DomainEventType> {
  type: K;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number | null;
  payload: DomainEventCatalog[K];
}

/** What listeners receive once the transaction committed, and what `GET /events` returns. Plain data. */
export interface DomainEventEnvelope<K extends DomainEventType = DomainEventType> extends NewDomainEvent<K> {
  /** Position in the event log (bigserial, as a string). */
  id: string;
  tenantId: string;
  /** Who acted, as labelled (X-Actor-Id or the key's name). */
  actorId: string;
  /** The API key that authenticated the change (its id); null without one. */
  keyId: string | null;
  correlationId: string | null;
  occurredAt: string;
}
