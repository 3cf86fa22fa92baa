import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { eventsConfig, EventsConfig } from '../../config/events.config';
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
    @Inject(eventsConfig.KEY) private readonly config: EventsConfig,
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

  /**
   * A page as `GET /events` serves it: when committed events the read asks for wait behind an older
   * transaction still running (in this database, or one that ended as the read looked), the read is
   * made again, at growing intervals, until the page holds every event committed before the first
   * read, the page is full, or `EVENTS_READ_WAIT_MS` has passed. Then a caller reads its own writes
   * whenever the transactions before them end within that time; past it, it gets what is readable.
   */
  async settledPage(tenantId: string, after: FeedPosition, filters: EventFilters, limit: number): Promise<FeedPage> {
    let page = await this.page(tenantId, after, filters, limit);
    const target = page.heldBackTo;
    if (target === null) return page;
    const deadline = Date.now() + this.config.readWaitMs;
    for (let pause = 1; !page.hasMore && page.scannedTo.xid <= target && Date.now() < deadline; pause = Math.min(pause * 2, 50)) {
      await sleep(Math.min(pause, deadline - Date.now()));
      page = await this.page(tenantId, after, filters, limit);
    }
    return page;
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
