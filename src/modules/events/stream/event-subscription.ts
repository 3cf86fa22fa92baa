import { Logger } from '@nestjs/common';
import { FeedPosition } from '../event-cursor';
import { EventFeed } from '../event-feed.service';
import { EventFilters } from '../events.repository';
import { CoalescedReads } from './coalesced-reads';
import { ChannelClosedError, SlowConsumerError, SseChannel } from './sse-channel';

const logger = new Logger('EventStreams');

/**
 * One open stream: reads the tenant's feed from its position whenever it is woken, writes what it
 * finds as SSE frames (each with its cursor as `id`), and waits for the client when the client is
 * behind. Wake-ups that arrive while it reads are folded into one more read.
 */
export class EventSubscription {
  private woken = true;
  private wakeUp?: () => void;
  /** The cursor of the last event sent (or the one the client resumed from). */
  private lastSent: string;

  constructor(
    readonly tenantId: string,
    private readonly filters: EventFilters,
    /** Server-side position: may run ahead of the last event sent, past events the filters skip. */
    private position: FeedPosition,
    feed: EventFeed,
    private readonly reads: CoalescedReads,
    readonly channel: SseChannel,
    /** Asks for a wake-up soon: events of the tenant wait behind an older transaction, and no commit will announce them. */
    private readonly heldBack: () => void,
  ) {
    this.lastSent = feed.cursorOf(tenantId, position);
    channel.onClose(() => this.wake());
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Runs until the client leaves or is dropped. */
  async run(): Promise<void> {
    // Control frames carry no id: an SSE id marks an event (clients take every frame with one as an event).
    this.channel.send({ event: 'ready', data: JSON.stringify({ after: this.lastSent }) });
    try {
      while (!this.channel.closed) {
        await this.nextWake();
        if (this.channel.closed) break;
        await this.deliver();
      }
    } catch (error) {
      if (error instanceof ChannelClosedError) return;
      if (error instanceof SlowConsumerError) {
        this.channel.close({
          event: 'dropped',
          data: JSON.stringify({
            reason: 'slow_consumer',
            detail: `Dropped: ${error.message}. Reconnect with Last-Event-ID to resume.`,
            resumeAfter: this.lastSent,
          }),
        });
        return;
      }
      logger.error({ err: error, tenantId: this.tenantId }, 'An event stream failed');
      this.channel.close({
        event: 'dropped',
        data: JSON.stringify({ reason: 'server_error', detail: 'Reconnect with Last-Event-ID to resume.', resumeAfter: this.lastSent }),
      });
    }
  }

  private async deliver(): Promise<void> {
    for (;;) {
      const page = await this.reads.page(this.tenantId, this.position, this.filters);
      for (const event of page.items) {
        // Waits while the client is behind: at most the buffer and one event are ever held for it.
        await this.channel.ready();
        const frame = this.reads.frame(event);
        this.channel.send(frame);
        this.lastSent = frame.id;
        this.position = event.position;
      }
      this.position = page.scannedTo;
      if (page.hasMore) continue;
      if (page.heldBackTo !== null) this.heldBack();
      return;
    }
  }

  private nextWake(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
    });
  }
}
