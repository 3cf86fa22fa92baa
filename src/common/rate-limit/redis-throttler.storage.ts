import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { Counter, register } from 'prom-client';

/**
 * One round trip per request: count the hit, start the window on the first one, and block the
 * caller for `blockMs` once it goes over the limit (the count starts afresh after the block).
 * KEYS: hits, block. ARGV: window ms, limit, block ms.
 * Returns { hits, ms until the window ends, blocked 0|1, ms until the block ends }.
 */
const INCREMENT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(ARGV[2]) + 1, blockLeft, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  if tonumber(ARGV[3]) > 0 then
    redis.call('DEL', KEYS[1])
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
    return {hits, windowLeft, 1, tonumber(ARGV[3])}
  end
  return {hits, windowLeft, 1, windowLeft}
end
return {hits, windowLeft, 0, 0}
`;

/** How long a request waits for Redis before it is served uncounted. */
export const RATE_LIMIT_REDIS_TIMEOUT_MS = 500;

const unavailable =
  (register.getSingleMetric('rate_limit_unavailable_total') as Counter | undefined) ??
  new Counter({
    name: 'rate_limit_unavailable_total',
    help: 'Requests served without a rate-limit check because Redis did not answer in time',
  });

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface RateLimitRedis extends Redis {
  rateLimitIncrement(hitsKey: string, blockKey: string, windowMs: number, limit: number, blockMs: number): Promise<number[]>;
}

/**
 * @nestjs/throttler storage in Redis, so every API process shares one count per caller. Fails
 * open: when Redis is away or slow the request is served uncounted (logged at most every 10 s and
 * counted in `rate_limit_unavailable_total`), because Redis is not where the data lives and an
 * outage of it must not become an outage of the API.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: RateLimitRedis;
  private lastWarning = 0;

  constructor(
    redis: Redis,
    /** Prepended to every key, e.g. `agent-ledger:rate-limit:`. */
    private readonly keyPrefix: string,
    private readonly timeoutMs = RATE_LIMIT_REDIS_TIMEOUT_MS,
  ) {
    if (!('rateLimitIncrement' in redis)) redis.defineCommand('rateLimitIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis = redis as RateLimitRedis;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    const keys = this.keysOf(key);
    const answer = await this.withinTimeout(() => this.redis.rateLimitIncrement(keys.hits, keys.block, ttl, limit, blockDuration));
    if (!answer) return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = answer;
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
    };
  }

  /** Ms until the block of `key` ends (0: not blocked), without counting a hit; fails open too. */
  async blockedForMs(key: string): Promise<number> {
    const left = await this.withinTimeout(() => this.redis.pttl(this.keysOf(key).block));
    return left !== undefined && left > 0 ? left : 0;
  }

  private keysOf(key: string): { hits: string; block: string } {
    // The hash tag keeps both keys of a caller in one slot of a Redis Cluster.
    const base = `${this.keyPrefix}{${key}}`;
    return { hits: `${base}:hits`, block: `${base}:block` };
  }

  /** The command's answer, or undefined (counted and logged) when Redis fails or is too slow. */
  private async withinTimeout<T>(command: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      this.failedOpen(error as Error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private failedOpen(error: Error): void {
    unavailable.inc();
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Redis did not answer the rate-limit check (${error.message}): serving requests without rate limits until it does`);
  }
}
