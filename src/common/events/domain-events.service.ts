import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Counter, register } from 'prom-client';
import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { RequestContext } from '../auth/request-context';
import { DomainEventEntity } from './domain-event.entity';
import { DomainEventEnvelope, NewDomainEvent } from './event-catalog';

const listenerFailures =
  (register.getSingleMetric('domain_event_listener_failures_total') as Counter<'event'> | undefined) ??
  new Counter({
    name: 'domain_event_listener_failures_total',
    help: 'Domain event listeners that threw, by event type',
    labelNames: ['event'],
  });

/**
 * Writes domain events into `domain_events` inside the caller's transaction and, once that
 * transaction has committed, hands them to the in-process listeners. Use it through
 * `UnitOfWork`, which calls `append` before commit and `publish` after.
 */
@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);

  constructor(private readonly emitter: EventEmitter2) {}

  async append(manager: EntityManager, context: RequestContext, events: NewDomainEvent[]): Promise<DomainEventEnvelope[]> {
    if (events.length === 0) return [];
    const rows = events.map((event) => ({
      tenantId: context.tenantId,
      actorId: context.actorId,
      correlationId: context.correlationId,
      type: event.type,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      aggregateVersion: event.aggregateVersion,
      payload: event.payload as unknown as Record<string, unknown>,
    }));
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(DomainEventEntity)
      .values(rows as QueryDeepPartialEntity<DomainEventEntity>[])
      .returning('id, occurred_at')
      .updateEntity(false)
      .execute();
    const generated = result.raw as { id: string; occurred_at: Date }[];
    return events.map((event, index) => ({
      ...event,
      id: String(generated[index].id),
      tenantId: context.tenantId,
      actorId: context.actorId,
      correlationId: context.correlationId,
      occurredAt: new Date(generated[index].occurred_at).toISOString(),
    }));
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
        this.logger.error(
          { err: outcome.reason, eventId: event.id, correlationId: event.correlationId },
          `A listener of ${event.type} failed`,
        );
      }
    }
  }
}
