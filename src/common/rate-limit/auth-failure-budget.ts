import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage } from '@nestjs/throttler';
import { rateLimitConfig, RateLimitConfig } from '../../config/rate-limit.config';
import { RateLimitedError } from '../errors';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Failed authentications per client IP, counted in the rate-limit store (Redis, shared by every
 * API process): past `RATE_LIMIT_AUTH_FAILURES` in a window the address is answered 429 for a
 * window, before any key lookup, so that guessing keys neither costs the database a query each
 * nor goes on for long. Only failures count: a key that authenticates costs nothing here.
 */
@Injectable()
export class AuthFailureBudget {
  constructor(
    // RateLimitModule builds the throttler's storage as a RedisThrottlerStorage.
    @InjectThrottlerStorage() private readonly storage: RedisThrottlerStorage,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  /** Throws RateLimitedError while the address is over its budget. */
  async assertWithin(clientIp: string): Promise<void> {
    if (!this.config.enabled) return;
    const blockedForMs = await this.storage.blockedForMs(this.key(clientIp));
    if (blockedForMs > 0) throw this.exceeded(Math.ceil(blockedForMs / 1000));
  }

  /** Counts one failed authentication; throws RateLimitedError when it takes the address over its budget. */
  async recordFailure(clientIp: string): Promise<void> {
    if (!this.config.enabled) return;
    const { windowMs, authFailureLimit } = this.config;
    const record = await this.storage.increment(this.key(clientIp), windowMs, authFailureLimit, windowMs, 'auth-failures');
    if (record.isBlocked) throw this.exceeded(record.timeToBlockExpire);
  }

  private key(clientIp: string): string {
    return `auth-failures:ip:${clientIp}`;
  }

  private exceeded(retryAfterSeconds: number): RateLimitedError {
    return new RateLimitedError(this.config.authFailureLimit, this.config.windowMs, retryAfterSeconds, 'failed authentications');
  }
}
