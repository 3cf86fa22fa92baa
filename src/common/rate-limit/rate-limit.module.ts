import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { rateLimitConfig, RateLimitConfig } from '../../config/rate-limit.config';
import { redisConfig, RedisConfig } from '../../config/redis.config';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { AuthFailureBudget } from './auth-failure-budget';
import { RateLimiter } from './rate-limiter';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Rate limits per API key, shared through Redis so that every API process enforces one limit
 * (RateLimiter, used by RequestGate), and the budget of failed authentications per client IP
 * (AuthFailureBudget, used by ApiKeyAuthenticator).
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [rateLimitConfig.KEY, redisConfig.KEY, REDIS_CLIENT],
      useFactory: (config: RateLimitConfig, redis: RedisConfig, client: Redis) => ({
        // Only the storage is used (by AuthFailureBudget); requests are counted by RateLimiter.
        throttlers: [{ name: 'default', ttl: config.windowMs, limit: config.defaultLimit }],
        storage: new RedisThrottlerStorage(client, `${redis.queuePrefix}:rate-limit:`),
      }),
    }),
  ],
  providers: [
    {
      provide: RateLimiter,
      inject: [redisConfig.KEY, REDIS_CLIENT],
      useFactory: (redis: RedisConfig, client: Redis) => new RateLimiter(client, `${redis.queuePrefix}:rate-limit:`),
    },
    AuthFailureBudget,
  ],
  exports: [AuthFailureBudget, RateLimiter],
})
export class RateLimitModule {}
