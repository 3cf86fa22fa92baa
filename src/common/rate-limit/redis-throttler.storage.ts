import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { FailOpen, RATE_LIMIT_REDIS_TIMEOUT_MS } from './fail-open';

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

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface RateLimitRedis extends Redis {
  rateLimitIncrement(hitsKey: string, blockKey: string, windowMs: number, limit: number, blockMs: number): Promise<number[]>;
}

/**
 * @nestjs/throttler storage in Redis, so every API process shares one count per caller: the
 * budget of failed authentications per address (requests that authenticate are counted by
 * RateLimiter instead, without a round trip each). Fails open (see FailOpen).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: RateLimitRedis;
  private readonly failOpen: FailOpen;

  constructor(
    redis: Redis,
    /** Prepended to every key, e.g. `agent-ledger:rate-limit:`. */
    private readonly keyPrefix: string,
    timeoutMs = RATE_LIMIT_REDIS_TIMEOUT_MS,
  ) {
    this.failOpen = new FailOpen(timeoutMs);
    if (!('rateLimitIncrement' in redis)) redis.defineCommand('rateLimitIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis = redis as RateLimitRedis;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    const keys = this.keysOf(key);
    const answer = await this.failOpen.run(() => this.redis.rateLimitIncrement(keys.hits, keys.block, ttl, limit, blockDuration));
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
    const left = await this.failOpen.run(() => this.redis.pttl(this.keysOf(key).block));
    return left !== undefined && left > 0 ? left : 0;
  }

  private keysOf(key: string): { hits: string; block: string } {
    // The hash tag keeps both keys of a caller in one slot of a Redis Cluster.
    const base = `${this.keyPrefix}{${key}}`;
    return { hits: `${base}:hits`, block: `${base}:block` };
  }
}
