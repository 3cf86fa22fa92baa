import { RedisConfig } from '../config/redis.config';

/** The Redis db a URL selects (`redis://host:6379/3` → 3; none → 0). */
export function redisDb(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return /^\d+$/.test(path) ? Number(path) : 0;
}

/**
 * The name of a pub/sub channel of this deployment. Channels, unlike keys, are shared by every db
 * of a Redis server, so the name carries both halves of the deployment's identity: the queue
 * prefix (which separates deployments within one db) and the db.
 */
export function deploymentChannel(redis: Pick<RedisConfig, 'url' | 'queuePrefix'>, name: string): string {
  return `${redis.queuePrefix}:db${redisDb(redis.url)}:${name}`;
}
