import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckAttempt, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '../../redis/redis.module';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  pingCheck<Key extends string>(key: Key): HealthCheckAttempt<Key> {
    return this.health.check(key).attempt(async () => {
      const answer = await this.redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${String(answer)}`);
    });
  }
}
