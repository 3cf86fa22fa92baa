import { Injectable } from '@nestjs/common';
import { DomainEventResponse } from './dto/domain-event.response';
import { EventCursorCodec, FeedPosition, START } from './event-cursor';
import { InvalidEventCursorError } from './events.errors';
import { EventFilters, EventsRepository, FeedEvent, FeedPage } from './events.repository';

/** The feed as tenants see it: positions go out and come back only as sealed cursors. */
@Injectable()
export class EventFeed {
  constructor(
    private readonly events: EventsRepository,
    private readonly cursors: EventCursorCodec,
  ) {}

  /** The position a cursor given by the caller stands for; the start when none was given. */
  positionOf(tenantId: string, cursor: string | undefined, source: 'after' | 'Last-Event-ID' = 'after'): FeedPosition {
    if (cursor === undefined) return START;
    const position = this.cursors.open(tenantId, cursor);
    if (!position) throw new InvalidEventCursorError(source);
    return position;
  }

  cursorOf(tenantId: string, position: FeedPosition): string {
    return this.cursors.seal(tenantId, position);
  }

  page(tenantId: string, after: FeedPosition, filters: EventFilters, limit: number): Promise<FeedPage> {
    return this.events.page(tenantId, after, filters, limit);
  }

  /** Where "from now on" starts for a tenant: its newest readable event. */
  head(tenantId: string): Promise<FeedPosition> {
    return this.events.head(tenantId);
  }

  toResponse(event: FeedEvent): DomainEventResponse {
    return {
      id: this.cursorOf(event.tenantId, event.position),
      type: event.type,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      aggregateVersion: event.aggregateVersion,
      tenantId: event.tenantId,
      actorId: event.actorId,
      keyId: event.keyId,
      correlationId: event.correlationId,
      payload: event.payload,
      occurredAt: event.occurredAt.toISOString(),
    };
  }
}
