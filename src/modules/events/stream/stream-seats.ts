import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { eventsConfig, EventsConfig } from '../../../config/events.config';
import { redisConfig, RedisConfig } from '../../../config/redis.config';
import { settleWithin } from '../../../common/queues/enqueue';
import { deploymentChannel } from '../../../redis/deployment-channel';
import { REDIS_CLIENT } from '../../../redis/redis.module';

/** How long admission waits for Redis before it counts this process's streams only. */
const REDIS_TIMEOUT_MS = 500;

/**
 * Takes a seat when the holder has fewer than `limit` live ones: seats whose lease ran out (their
 * process died) are dropped first. The server's clock decides, so process clocks do not matter.
 * KEYS[1] the holder's seats; ARGV: seat id, limit, lease in ms. Returns 1 (taken) or 0.
 */
const TAKE_SEAT = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/** Extends the leases of the seats this process holds for one holder. KEYS[1]; ARGV: lease in ms, seat ids… */
const RENEW_SEATS = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ms + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

/**
 * The live streams each API key holds, counted across every API process of the deployment: a seat
 * per stream in a Redis sorted set per key, leased for three heartbeats and renewed on each, so
 * that the seats of a process that died free themselves. When Redis does not answer in time, a
 * process admits within its own count (the limit then holds per process) rather than refuse.
 */
@Injectable()
export class StreamSeats {
  private readonly logger = new Logger('EventStreams');
  /** holder → the seats this process holds for it. */
  private readonly held = new Map<string, Set<string>>();
  private readonly prefix: string;
  private readonly leaseMs: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) redisSettings: RedisConfig,
    @Inject(eventsConfig.KEY) private readonly config: EventsConfig,
  ) {
    this.prefix = deploymentChannel(redisSettings, 'stream-seats');
    this.leaseMs = 3 * config.heartbeatMs;
  }

  /** A seat for the holder, or undefined when it already holds `EVENTS_MAX_STREAMS_PER_KEY`; the seat's release. */
  async take(holder: string): Promise<(() => void) | undefined> {
    const seat = randomUUID();
    const local = this.held.get(holder) ?? new Set<string>();
    const shared = await this.withinTimeout(() => this.redis.eval(TAKE_SEAT, 1, this.keyOf(holder), seat, this.config.maxStreamsPerKey, this.leaseMs));
    const taken = shared === undefined ? local.size < this.config.maxStreamsPerKey : shared === 1;
    if (!taken) return undefined;
    local.add(seat);
    this.held.set(holder, local);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      local.delete(seat);
      if (local.size === 0 && this.held.get(holder) === local) this.held.delete(holder);
      this.redis.zrem(this.keyOf(holder), seat).catch(() => undefined);
    };
  }

  /** Renews the leases of every seat this process holds (called on each heartbeat). */
  async renew(): Promise<void> {
    for (const [holder, seats] of this.held) {
      if (seats.size === 0) continue;
      await this.withinTimeout(() => this.redis.eval(RENEW_SEATS, 1, this.keyOf(holder), this.leaseMs, ...seats));
    }
  }

  private keyOf(holder: string): string {
    return `${this.prefix}:${holder}`;
  }

  private async withinTimeout<T>(command: () => Promise<T>): Promise<T | undefined> {
    try {
      const answer = await settleWithin(command(), REDIS_TIMEOUT_MS);
      if (answer) return answer.value;
      this.logger.warn(`Redis did not answer for the stream seats within ${REDIS_TIMEOUT_MS} ms: counting this process's streams only`);
    } catch (error) {
      this.logger.warn(`Redis did not answer for the stream seats (${(error as Error).message}): counting this process's streams only`);
    }
    return undefined;
  }
}
