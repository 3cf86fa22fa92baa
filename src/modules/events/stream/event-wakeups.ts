import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainEventEnvelope } from '../../../common/events/event-catalog';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator';
import { appConfig, AppConfig } from '../../../config/app.config';
import { redisConfig, RedisConfig } from '../../../config/redis.config';
import { deploymentChannel } from '../../../redis/deployment-channel';
import { RedisEndpoint } from '../../../redis/local-redis-server';
import { REDIS_CLIENT, REDIS_ENDPOINT } from '../../../redis/redis.module';

/** `wake(tenantId)` when that tenant has new events; `wake(undefined)` when any tenant may have. */
export type WakeListener = (tenantId: string | undefined) => void;

const SUBSCRIBE_WAIT_MS = 2000;
/** Announcements to the other processes are gathered for this long: one message per tenant, not per commit. */
export const ANNOUNCE_EVERY_MS = 10;

/**
 * Tells the streams of every API process that a tenant has new committed events. It carries no
 * event, only a tenant id: streams then read the feed, which stays the one truth. Events committed
 * in this process wake its own streams at once (coalesced per tick); the tenants with new commits
 * are also published on the deployment's Redis channel for the other processes, gathered over
 * ANNOUNCE_EVERY_MS so that a busy process sends one message per tenant every few milliseconds
 * rather than one per commit. A lost message costs latency, not events: every stream re-reads the
 * feed on a timer as well.
 */
@Injectable()
export class EventWakeups implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventStreams');
  private readonly channel: string;
  /** Marks this process's own announcements, which it has already acted on. */
  private readonly origin = randomUUID();
  private readonly listeners: WakeListener[] = [];
  private readonly pending = new Set<string>();
  private readonly unannounced = new Set<string>();
  private flushScheduled = false;
  private announcing?: NodeJS.Timeout;
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS_ENDPOINT) private readonly endpoint: RedisEndpoint,
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    @Inject(redisConfig.KEY) redis: RedisConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    this.channel = deploymentChannel(redis, 'events:committed');
  }

  onWake(listener: WakeListener): void {
    this.listeners.push(listener);
  }

  /** Called by DomainEvents after every commit, for each event. */
  @OnDomainEvent('**')
  onCommitted(event: DomainEventEnvelope): void {
    this.pending.add(event.tenantId);
    this.unannounced.add(event.tenantId);
    this.announcing ??= setTimeout(() => this.announce(), ANNOUNCE_EVERY_MS).unref();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  async onModuleInit(): Promise<void> {
    // A worker serves no streams: it only announces what it commits.
    if (this.app.role === 'worker') return;
    const subscriber = new Redis(this.endpoint.url, { maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    let connectedBefore = false;
    subscriber.on('error', () => undefined); // the shared client already reports Redis outages
    subscriber.on('message', (_channel, message: string) => {
      const [origin, tenantId] = message.split(' ');
      if (origin !== this.origin && tenantId) this.notify(tenantId);
    });
    subscriber.on('ready', () => {
      // Messages sent while the connection was down are lost: every stream looks once.
      if (connectedBefore) this.notify(undefined);
      connectedBefore = true;
    });
    await Promise.race([subscriber.subscribe(this.channel).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
  }

  onApplicationShutdown(): void {
    if (this.announcing) {
      clearTimeout(this.announcing);
      this.announce();
    }
    this.subscriber?.disconnect();
  }

  /** Wakes this process's streams. */
  private flush(): void {
    this.flushScheduled = false;
    const tenants = [...this.pending];
    this.pending.clear();
    for (const tenantId of tenants) this.notify(tenantId);
  }

  /** Tells the other processes. */
  private announce(): void {
    this.announcing = undefined;
    const tenants = [...this.unannounced];
    this.unannounced.clear();
    for (const tenantId of tenants) {
      this.client.publish(this.channel, `${this.origin} ${tenantId}`).catch((error: Error) => {
        this.logger.debug(`Could not announce new events of ${tenantId} (${error.message}): other processes find them on their next poll`);
      });
    }
  }

  private notify(tenantId: string | undefined): void {
    for (const listener of this.listeners) listener(tenantId);
  }
}
