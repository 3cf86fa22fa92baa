import { TenantScope } from '../../../common/tenancy/tenant-scope';
import { FeedPosition } from '../event-cursor';
import { EventFeed } from '../event-feed.service';
import { EventFilters, FeedEvent, FeedPage } from '../events.repository';

/**
 * Feed reads shared by the streams that ask for the same page at the same time: streams of one
 * tenant with the same filters that are up to date stand at the same position, are woken by the
 * same commit and so ask together, and one query serves them all. Each event's SSE frame is
 * encoded once for all of them too.
 */
export class CoalescedReads {
  private readonly inFlight = new Map<string, Promise<FeedPage>>();
  private readonly frames = new WeakMap<FeedEvent, { id: string; data: string }>();

  constructor(
    private readonly feed: EventFeed,
    private readonly pageSize: number,
  ) {}

  page(tenantId: string, after: FeedPosition, filters: EventFilters): Promise<FeedPage> {
    const key = JSON.stringify([tenantId, after.xid.toString(), after.id.toString(), filters.type ?? null, filters.aggregateId ?? null]);
    let read = this.inFlight.get(key);
    if (!read) {
      read = TenantScope.run(tenantId, () => this.feed.page(tenantId, after, filters, this.pageSize)).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, read);
    }
    return read;
  }

  /** The event as an SSE frame: its cursor as id, the event as GET /events shows it as data. */
  frame(event: FeedEvent): { id: string; data: string } {
    let frame = this.frames.get(event);
    if (!frame) {
      const response = this.feed.toResponse(event);
      frame = { id: response.id, data: JSON.stringify(response) };
      this.frames.set(event, frame);
    }
    return frame;
  }
}
