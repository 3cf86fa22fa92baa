import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { eventsConfig, EventsConfig } from '../../../config/events.config';
import { FeedPosition } from '../event-cursor';
import { EventFeed } from '../event-feed.service';
import { TooManyStreamsError } from '../events.errors';
import { EventFilters } from '../events.repository';
import { CoalescedReads } from './coalesced-reads';
import { EventSubscription } from './event-subscription';
import { EventWakeups } from './event-wakeups';
import { SseChannel } from './sse-channel';
import { StreamSeats } from './stream-seats';

/** Events read from the feed per round trip while a stream catches up. */
const PAGE_SIZE = 200;
/** How soon a tenant's streams look again when its events wait behind an older transaction. */
const HELD_BACK_RETRY_MS = 25;

export interface StreamRequest {
  tenantId: string;
  filters: EventFilters;
  /** The stream sends the events after this position. */
  after: FeedPosition;
}

/**
 * The live streams of this process: admits them within the per-key limit (StreamSeats), wakes those of a tenant
 * when it has new events (and all of them on a timer), keeps idle ones alive with heartbeats, and
 * closes them at shutdown.
 */
@Injectable()
export class EventStreams implements OnModuleDestroy {
  private readonly byTenant = new Map<string, Set<EventSubscription>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly reads: CoalescedReads;
  /** One pending re-read per tenant, so that its streams read together (and share the query). */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly feed: EventFeed,
    wakeups: EventWakeups,
    private readonly seats: StreamSeats,
    @Inject(eventsConfig.KEY) private readonly config: EventsConfig,
  ) {
    this.reads = new CoalescedReads(feed, PAGE_SIZE);
    wakeups.onWake((tenantId) => this.wake(tenantId));
  }

  /** Takes a place for the holder (across the deployment's API processes), or throws TooManyStreamsError; returns its release. */
  async admit(holder: string): Promise<() => void> {
    const release = await this.seats.take(holder);
    if (!release) throw new TooManyStreamsError(this.config.maxStreamsPerKey);
    return release;
  }

  /** Serves one admitted stream on `out` until the client leaves; `release` is called then. */
  serve(request: StreamRequest, out: Writable, release: () => void): void {
    this.startTimers();
    const channel = new SseChannel(out, this.config);
    const subscription = new EventSubscription(request.tenantId, request.filters, request.after, this.feed, this.reads, channel, () =>
      this.retrySoon(request.tenantId),
    );
    const streams = this.byTenant.get(request.tenantId) ?? new Set();
    streams.add(subscription);
    this.byTenant.set(request.tenantId, streams);
    channel.onClose(() => {
      streams.delete(subscription);
      if (streams.size === 0 && this.byTenant.get(request.tenantId) === streams) this.byTenant.delete(request.tenantId);
      release();
    });
    void subscription.run();
  }

  get openStreams(): number {
    let count = 0;
    for (const streams of this.byTenant.values()) count += streams.size;
    return count;
  }

  onModuleDestroy(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const streams of this.byTenant.values()) {
      for (const subscription of streams) {
        subscription.channel.close({
          event: 'closing',
          data: JSON.stringify({ reason: 'shutdown', detail: 'The server is shutting down: reconnect with Last-Event-ID to resume.' }),
        });
      }
    }
  }

  private wake(tenantId: string | undefined): void {
    const groups = tenantId === undefined ? [...this.byTenant.values()] : [this.byTenant.get(tenantId) ?? []];
    for (const streams of groups) for (const subscription of streams) subscription.wake();
  }

  private retrySoon(tenantId: string): void {
    if (this.retries.has(tenantId)) return;
    const timer = setTimeout(() => {
      this.retries.delete(tenantId);
      this.wake(tenantId);
    }, HELD_BACK_RETRY_MS);
    timer.unref();
    this.retries.set(tenantId, timer);
  }

  private startTimers(): void {
    if (this.timers.length > 0) return;
    this.timers.push(setInterval(() => this.wake(undefined), this.config.pollMs).unref(), setInterval(() => this.heartbeat(), this.config.heartbeatMs).unref());
  }

  private heartbeat(): void {
    for (const streams of this.byTenant.values()) for (const subscription of streams) subscription.channel.comment('heartbeat');
    void this.seats.renew();
  }
}
