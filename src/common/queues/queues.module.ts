import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { redisConfig, RedisConfig } from '../../config/redis.config';
import { RedisEndpoint, redisOptionsFromUrl } from '../../redis/local-redis-server';
import { REDIS_ENDPOINT } from '../../redis/redis.module';
import { DEAD_LETTER_QUEUE, PERSISTENCE_QUEUE } from './queue-names';
import { exposeQueueDepth } from './queue-metrics';

@Injectable()
class QueueMetrics implements OnModuleInit {
  constructor(
    @InjectQueue(PERSISTENCE_QUEUE) private readonly persistence: Queue,
    @InjectQueue(DEAD_LETTER_QUEUE) private readonly deadLetters: Queue,
  ) {}

  onModuleInit(): void {
    exposeQueueDepth([this.persistence, this.deadLetters]);
  }
}

/** BullMQ on the Redis found at boot, with the configured key prefix, and the outbox queues. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [REDIS_ENDPOINT, redisConfig.KEY],
      useFactory: (endpoint: RedisEndpoint, redis: RedisConfig) => ({
        connection: { ...redisOptionsFromUrl(endpoint.url), maxRetriesPerRequest: null },
        prefix: redis.queuePrefix,
      }),
    }),
    BullModule.registerQueue({ name: PERSISTENCE_QUEUE }, { name: DEAD_LETTER_QUEUE }),
  ],
  providers: [QueueMetrics],
  exports: [BullModule],
})
export class QueuesModule {}
