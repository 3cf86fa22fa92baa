import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { redisConfig, RedisConfig } from '../../config/redis.config';
import { deploymentChannel } from '../../redis/deployment-channel';
import { RedisEndpoint } from '../../redis/local-redis-server';
import { REDIS_CLIENT, REDIS_ENDPOINT } from '../../redis/redis.module';

/** The pub/sub channel on which a process announces that a key was revoked or rotated. */
export function apiKeyInvalidationChannel(redis: RedisConfig): string {
  return deploymentChannel(redis, 'api-keys:invalidated');
}

/**
 * Tells every process sharing the Redis that a key changed, so that each drops it from its cache
 * of verified keys at once instead of trusting it until the cache entry ends.
 */
export abstract class ApiKeyInvalidations {
  abstract publish(keyId: string): Promise<void>;

  /** `forget(id)` for each key invalidated anywhere; `forget(undefined)` when some may have been missed. */
  subscribe(_forget: (keyId: string | undefined) => void): void {}
}

const SUBSCRIBE_WAIT_MS = 2000;

/** The app's side: publishes on the shared client, listens on a connection of its own. */
@Injectable()
export class RedisApiKeyInvalidations extends ApiKeyInvalidations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly channel: string;
  private readonly listeners: ((keyId: string | undefined) => void)[] = [];
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS_ENDPOINT) private readonly endpoint: RedisEndpoint,
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    @Inject(redisConfig.KEY) redis: RedisConfig,
  ) {
    super();
    this.channel = apiKeyInvalidationChannel(redis);
  }

  async publish(keyId: string): Promise<void> {
    await this.client.publish(this.channel, keyId).catch((error: Error) => {
      this.logger.warn(`Could not announce the change of API key ${keyId} (${error.message}): other processes may accept it until their cache entry ends`);
    });
  }

  override subscribe(forget: (keyId: string | undefined) => void): void {
    this.listeners.push(forget);
  }

  async onModuleInit(): Promise<void> {
    const subscriber = new Redis(this.endpoint.url, { maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    let connectedBefore = false;
    subscriber.on('error', () => undefined); // the shared client already reports Redis outages
    subscriber.on('message', (_channel, keyId) => this.notify(keyId));
    subscriber.on('ready', () => {
      // Announcements made while the connection was down are lost: forget every cached key once.
      if (connectedBefore) this.notify(undefined);
      connectedBefore = true;
    });
    // Subscribed before the first request when Redis answers; without Redis the app starts anyway.
    await Promise.race([subscriber.subscribe(this.channel).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  private notify(keyId: string | undefined): void {
    for (const forget of this.listeners) forget(keyId);
  }
}
