import { OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { FailOpen, RATE_LIMIT_REDIS_TIMEOUT_MS } from './fail-open';

/**
 * Takes up to ARGV[3] requests of a caller's budget for its current window, which every process
 * sharing the Redis agrees on: it starts at the first request after the previous one ended (by
 * Redis's clock) and lasts ARGV[1] ms. Never grants past the limit (ARGV[2]) in a window.
 * KEYS: the caller's hash { w: start of the window, n: requests granted in it }.
 * Returns { granted, ms until the window ends, its start, requests granted in it so far }.
 */
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local length = tonumber(ARGV[1])
local stored = redis.call('HMGET', KEYS[1], 'w', 'n')
local window = tonumber(stored[1])
local used = tonumber(stored[2]) or 0
if not window or now >= window + length then
  window = now
  used = 0
end
local granted = math.max(0, math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) - used))
if granted > 0 then
  redis.call('HSET', KEYS[1], 'w', window, 'n', used + granted)
  redis.call('PEXPIREAT', KEYS[1], window + length)
end
return {granted, window + length - now, window, used + granted}
`;

/** Gives ARGV[2] unused requests back to window ARGV[1], if that window is still the current one. */
const GIVE_BACK_SCRIPT = `
local stored = redis.call('HMGET', KEYS[1], 'w', 'n')
if tonumber(stored[1]) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'n', math.max(0, tonumber(stored[2]) - tonumber(ARGV[2])))
return 1
`;

/** The most requests one process reserves at a time. */
export const MAX_BLOCK = 100;
/** A process gives back the unused part of a block that has not been used for this long. */
export const GIVE_BACK_AFTER_MS = 1000;
/** A process that Redis refused asks again at most this often (until the window ends). */
export const REFUSED_RECHECK_MS = 1000;

/** The block a process reserves: a 20th of the limit, between 1 and MAX_BLOCK requests. */
export function blockSize(limit: number): number {
  return Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / 20)));
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the window for this caller, as far as this process knows (at most this many). */
  remaining: number;
  /** Ms until the window ends. */
  resetMs: number;
}

/** What one process holds of one caller's budget in the current window. */
interface Bucket {
  window: number;
  /** Local time at which the window ends. */
  endsAt: number;
  /** Reserved in Redis and not used yet. */
  tokens: number;
  /** Requests granted in the window, every process together, when this one last asked. */
  grantedInWindow: number;
  /** Until when a refusal by Redis is repeated without asking again. */
  refusedUntil: number;
  lastUsedAt: number;
  /** The reservation under way: true once answered, false when Redis did not answer. */
  reserving?: Promise<boolean>;
}

interface RateLimitRedis extends Redis {
  rateLimitReserve(key: string, windowMs: number, limit: number, wanted: number): Promise<number[]>;
  rateLimitGiveBack(key: string, window: number, count: number): Promise<number>;
}

/**
 * Per-caller request budgets shared by every process through Redis, without a Redis round trip
 * per request: each process reserves a block of a caller's budget at a time (RESERVE_SCRIPT, which
 * never grants past the limit), serves requests from it locally, and gives back what it has not
 * used once the caller goes quiet there. Every process together therefore admits at most the limit
 * per window (overshoot 0 while Redis answers); what a process holds unused (under a block) may be
 * refused elsewhere for up to GIVE_BACK_AFTER_MS + REFUSED_RECHECK_MS. A window starts with a caller's
 * first request and is fixed, so a burst across a window's end may reach twice the limit within
 * one window's length. Fails open (see
 * FailOpen) when Redis is away or slow.
 */
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: RateLimitRedis;
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly failOpen: FailOpen;

  constructor(
    redis: Redis,
    /** Prepended to every key, e.g. `agent-ledger:rate-limit:`. */
    private readonly keyPrefix: string,
    timeoutMs = RATE_LIMIT_REDIS_TIMEOUT_MS,
  ) {
    this.failOpen = new FailOpen(timeoutMs);
    if (!('rateLimitReserve' in redis)) {
      redis.defineCommand('rateLimitReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
      redis.defineCommand('rateLimitGiveBack', { numberOfKeys: 1, lua: GIVE_BACK_SCRIPT });
    }
    this.redis = redis as RateLimitRedis;
    this.sweeper = setInterval(() => void this.giveBackIdle(Date.now() - GIVE_BACK_AFTER_MS), GIVE_BACK_AFTER_MS / 2);
    this.sweeper.unref();
  }

  /** Counts one request of `key` against `limit` per `windowMs`. */
  async admit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    for (;;) {
      const now = Date.now();
      let bucket = this.buckets.get(key);
      if (bucket && now < bucket.endsAt) {
        bucket.lastUsedAt = now;
        if (bucket.tokens > 0) {
          bucket.tokens--;
          return { allowed: true, limit, remaining: Math.max(0, limit - bucket.grantedInWindow + bucket.tokens), resetMs: bucket.endsAt - now };
        }
        if (now < bucket.refusedUntil) return { allowed: false, limit, remaining: 0, resetMs: bucket.endsAt - now };
      }
      if (!bucket) {
        bucket = { window: -1, endsAt: 0, tokens: 0, grantedInWindow: 0, refusedUntil: 0, lastUsedAt: now };
        this.buckets.set(key, bucket);
      }
      // One reservation at a time per caller and process: the requests meanwhile wait for it.
      bucket.reserving ??= this.reserve(key, bucket, limit, windowMs).finally(() => (bucket.reserving = undefined));
      if (!(await bucket.reserving)) return { allowed: true, limit, remaining: limit, resetMs: windowMs };
    }
  }

  /** Gives back every unused reservation (at shutdown: the other processes may use them). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.giveBackIdle(Infinity);
  }

  /** Reserves a block of `key`'s budget into `bucket`; false when Redis did not answer (served uncounted). */
  private async reserve(key: string, bucket: Bucket, limit: number, windowMs: number): Promise<boolean> {
    const asked = Date.now();
    const answer = await this.failOpen.run(() => this.redis.rateLimitReserve(this.redisKey(key), windowMs, limit, blockSize(limit)));
    if (!answer) return false;
    const [granted, windowLeftMs, window, grantedInWindow] = answer;
    // Tokens of an earlier window expired with it.
    bucket.tokens = (bucket.window === window ? bucket.tokens : 0) + granted;
    bucket.window = window;
    bucket.endsAt = asked + windowLeftMs;
    bucket.grantedInWindow = grantedInWindow;
    bucket.refusedUntil = granted > 0 ? 0 : Math.min(bucket.endsAt, Date.now() + REFUSED_RECHECK_MS);
    return true;
  }

  /** Forgets the buckets of ended windows, and gives back the unused tokens of those idle since `idleSince`. */
  private async giveBackIdle(idleSince: number): Promise<void> {
    const now = Date.now();
    const returns: Promise<unknown>[] = [];
    for (const [key, bucket] of this.buckets) {
      if (bucket.reserving) continue;
      if (now >= bucket.endsAt) {
        this.buckets.delete(key);
      } else if (bucket.lastUsedAt <= idleSince) {
        this.buckets.delete(key);
        if (bucket.tokens > 0) returns.push(this.failOpen.run(() => this.redis.rateLimitGiveBack(this.redisKey(key), bucket.window, bucket.tokens)));
      }
    }
    await Promise.all(returns);
  }

  private redisKey(key: string): string {
    // The hash tag keeps a caller's key in one slot of a Redis Cluster.
    return `${this.keyPrefix}{${key}}:budget`;
  }
}
