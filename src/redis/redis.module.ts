import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { redisConfig, RedisConfig } from '../config/redis.config';
import { RedisEndpoint, resolveRedisEndpoint } from './local-redis-server';

export const REDIS_ENDPOINT = Symbol('REDIS_ENDPOINT');
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_ENDPOINT) private readonly endpoint: RedisEndpoint,
    @Inject(REDIS_CLIENT) private readonly client: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
    await this.endpoint.stop();
  }
}

/** The Redis endpoint (found or started at boot) and one shared client for health checks and the like. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_ENDPOINT,
      inject: [redisConfig.KEY, databaseConfig.KEY],
      useFactory: (redis: RedisConfig, database: DatabaseConfig) => resolveRedisEndpoint(redis, database.dataDir),
    },
    {
      provide: REDIS_CLIENT,
      inject: [REDIS_ENDPOINT],
      useFactory: async (endpoint: RedisEndpoint) => {
        // Fails fast while Redis is away (health checks must answer), and reconnects by itself.
        const client = new Redis(endpoint.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
        client.on('error', (error) => logger.warn(`Redis client: ${error.message}`));
        // Connected before the first request (rate limits count from the first one), unless Redis is away.
        await new Promise<void>((resolve) => {
          client.once('ready', resolve);
          client.once('error', () => resolve());
          setTimeout(resolve, 2000).unref();
        });
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS_ENDPOINT, REDIS_CLIENT],
})
export class RedisModule {}
