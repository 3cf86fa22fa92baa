import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Global, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { redisConfig, RedisConfig } from '../../config/redis.config';
import { RedisEndpoint, redisOptionsFromUrl } from '../../redis/local-redis-server';
import { REDIS_ENDPOINT } from '../../redis/redis.module';
import { PERSISTENCE_QUEUE } from './queue-names';
import { exposeQueueDepth } from './queue-metrics';

/** Exposes queue depth on /metrics, and logs (instead of printing) connection errors of the queues. */
@Injectable()
class QueueObserver implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private lastWarning = 0;

  constructor(@InjectQueue(PERSISTENCE_QUEUE) private readonly persistence: Queue) {}

  onModuleInit(): void {
    exposeQueueDepth([this.persistence]);
    for (const queue of [this.persistence]) {
      queue.on('error', (error) => {
        if (Date.now() - this.lastWarning < 10_000) return;
        this.lastWarning = Date.now();
        this.logger.warn(`Queue ${queue.name}: ${error.message}`);
      });
    }
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
    BullModule.registerQueue({ name: PERSISTENCE_QUEUE }),
  ],
  providers: [QueueObserver],
  exports: [BullModule],
})
export class QueuesModule {}
