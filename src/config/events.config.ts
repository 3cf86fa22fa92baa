import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface EventsConfig {
  /** Live streams (`GET /events/stream`) one API key may hold open at once, across the API processes (see StreamSeats). */
  maxStreamsPerKey: number;
  /** A comment line is sent on an idle stream this often, so proxies and clients see it alive. */
  heartbeatMs: number;
  /**
   * How often every open stream re-reads the feed even without a wake-up: the bound on delivery
   * when a notification was lost (Redis away) or an event waited for an older transaction.
   */
  pollMs: number;
  /**
   * How long a read of the feed (`GET /events`) waits for the tenant's committed events that wait
   * behind an older transaction still running, so that what was written before the read is in it.
   */
  readWaitMs: number;
  /** Bytes a stream may have written that its client has not taken yet before it must wait. */
  bufferBytes: number;
  /** How long a stream waits for a slow client to take its buffer before dropping it. */
  stallMs: number;
}

export function readEventsConfig(reader: EnvReader): EventsConfig {
  return {
    maxStreamsPerKey: reader.int('EVENTS_MAX_STREAMS_PER_KEY', 10, 1, 10_000),
    heartbeatMs: reader.int('EVENTS_STREAM_HEARTBEAT_MS', 15_000, 100, 600_000),
    pollMs: reader.int('EVENTS_STREAM_POLL_MS', 1000, 50, 60_000),
    readWaitMs: reader.int('EVENTS_READ_WAIT_MS', 500, 0, 10_000),
    bufferBytes: reader.int('EVENTS_STREAM_BUFFER_BYTES', 1_048_576, 1024, 1_073_741_824),
    stallMs: reader.int('EVENTS_STREAM_STALL_MS', 10_000, 100, 600_000),
  };
}

export const eventsConfig = registerAs('events', (): EventsConfig => readEventsConfig(new EnvReader(process.env)));
