import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { counter } from '../observability/metric';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../auth/request-context';
import { valuesClause } from '../persistence/insert-statement';
import { DomainEventEnvelope, NewDomainEvent } from './event-catalog';

const listenerFailures = counter({
  name: 'domain_event_listener_failures_total',
  help: 'Domain event listeners that threw, by event type',
  labelNames: ['event'],
});

const COLUMNS = 'tenant_id, actor_id, correlation_id, type, aggregate_type, aggregate_id, aggregate_version, payload';

/** An event with the context it happened in. */
export interface ContextualEvent {
  context: RequestContext;
  event: NewDomainEvent;
}

/** What the database assigns to an event row. */
export interface StoredEvent {
  id: string;
  occurredAt: Date | string;
}

/**
 * Writes domain events into `domain_events` inside the caller's transaction (or statement) and,
 * once that has committed, hands them to the in-process listeners. Use it through `UnitOfWork`.
 */
@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);

  constructor(private readonly emitter: EventEmitter2) {}

  /** `INSERT INTO domain_events … RETURNING id, occurred_at, aggregate_id`; parameters appended to `params`. */
  insertStatement(context: RequestContext, events: NewDomainEvent[], params: unknown[]): string {
    return this.insertEachStatement(
      events.map((event) => ({ context, event })),
      params,
    );
  }

  /** The same for events of several contexts (a batch of several tenants' work): each row its own tenant, actor and correlation id. */
  insertEachStatement(entries: ContextualEvent[], params: unknown[]): string {
    const rows = entries.map(({ context, event }) => [
      context.tenantId,
      context.actorId,
      context.correlationId,
      event.type,
      event.aggregateType,
      event.aggregateId,
      event.aggregateVersion,
      JSON.stringify(event.payload),
    ]);
    return `INSERT INTO domain_events (${COLUMNS}) VALUES ${valuesClause(rows, params)} RETURNING id, occurred_at, aggregate_id`;
  }

  async append(manager: EntityManager, context: RequestContext, events: NewDomainEvent[]): Promise<DomainEventEnvelope[]> {
    return this.appendEach(
      manager,
      events.map((event) => ({ context, event })),
    );
  }

  /** Inserts events of several contexts in one statement (the caller's scope must see every tenant among them). */
  async appendEach(manager: EntityManager, entries: ContextualEvent[]): Promise<DomainEventEnvelope[]> {
    if (entries.length === 0) return [];
    const params: unknown[] = [];
    const stored: { id: string; occurred_at: Date }[] = await manager.query(this.insertEachStatement(entries, params), params);
    return entries.map(({ context, event }, index) => this.envelope(context, event, { id: stored[index].id, occurredAt: stored[index].occurred_at }));
  }

  envelope(context: RequestContext, event: NewDomainEvent, stored: StoredEvent): DomainEventEnvelope {
    return {
      ...event,
      id: String(stored.id),
      tenantId: context.tenantId,
      actorId: context.actorId,
      correlationId: context.correlationId,
      occurredAt: new Date(stored.occurredAt).toISOString(),
    };
  }

  /** Runs every matching listener; a failure is logged and counted, never rethrown. */
  async publish(events: DomainEventEnvelope[]): Promise<void> {
    for (const event of events) {
      const listeners = this.emitter.listeners(event.type);
      if (listeners.length === 0) continue;
      const outcomes = await Promise.allSettled(listeners.map(async (listener) => listener.call(this.emitter, event)));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        listenerFailures.inc({ event: event.type });
        this.logger.error({ err: outcome.reason, eventId: event.id, correlationId: event.correlationId }, `A listener of ${event.type} failed`);
      }
    }
  }
}
