import Redis from 'ioredis';
import { ApiKeyInvalidations, apiKeyInvalidationChannel } from '../common/auth/api-key-invalidations';
import { Config } from '../config';
import { findRunningRedis } from '../redis/local-redis-server';

/**
 * The command line's side of the announcement that a key changed: one short connection to the
 * Redis the servers use, and a line (in `lines`) saying whether running processes heard it.
 */
export class KeyInvalidationNotice extends ApiKeyInvalidations {
  readonly lines: string[] = [];

  constructor(private readonly config: Config) {
    super();
  }

  async publish(keyId: string): Promise<void> {
    const url = await findRunningRedis(this.config.redis, this.config.database.dataDir);
    const redis = url ? new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null }) : undefined;
    redis?.on('error', () => undefined);
    try {
      if (!redis) throw new Error('no Redis answers');
      await redis.connect();
      const processes = await redis.publish(apiKeyInvalidationChannel(this.config.redis), keyId);
      this.lines.push(`Announced over Redis: ${processes} running process(es) dropped the key from their cache.`);
    } catch {
      const where = url ? new URL(url).host : new URL(this.config.redis.url).host;
      this.lines.push(
        `Could not reach Redis at ${where}: running processes may still accept the key for up to ${this.config.app.apiKeyCacheTtlMs / 1000} s ` +
          '(the time they cache a verified key).',
      );
    } finally {
      redis?.disconnect();
    }
  }
}
