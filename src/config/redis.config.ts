import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisConfig {
  url: string;
  /** True when REDIS_URL was left unset: then a private redis-server may be started if nothing answers. */
  defaulted: boolean;
  /** Key prefix for every queue, so several deployments can share one Redis. */
  queuePrefix: string;
  /** Directories searched for a redis-server binary (the process PATH). */
  serverSearchPath: string;
}

export function readRedisConfig(reader: EnvReader): RedisConfig {
  const url = reader.url('REDIS_URL', ['redis:', 'rediss:']);
  return {
    url: url ?? DEFAULT_REDIS_URL,
    defaulted: !reader.has('REDIS_URL'),
    queuePrefix: reader.string('QUEUE_PREFIX', 'agent-ledger'),
    serverSearchPath: reader.string('PATH', ''),
  };
}

export const redisConfig = registerAs('redis', (): RedisConfig => readRedisConfig(new EnvReader(process.env)));
