import { AppConfig, appConfig, readAppConfig } from './app.config';
import { DatabaseConfig, databaseConfig, readDatabaseConfig } from './database.config';
import { Env, EnvReader, InvalidConfigError } from './env-readers';
import { EventsConfig, eventsConfig, readEventsConfig } from './events.config';
import { HttpConfig, httpConfig, readHttpConfig } from './http.config';
import { IdempotencyConfig, idempotencyConfig, readIdempotencyConfig } from './idempotency.config';
import { MetricsConfig, metricsConfig, readMetricsConfig } from './metrics.config';
import { QueuesConfig, queuesConfig, readQueuesConfig } from './queues.config';
import { RateLimitConfig, rateLimitConfig, readRateLimitConfig } from './rate-limit.config';
import { RedisConfig, readRedisConfig, redisConfig } from './redis.config';

export * from './app.config';
export * from './database.config';
export * from './events.config';
export * from './http.config';
export * from './idempotency.config';
export * from './metrics.config';
export * from './queues.config';
export * from './rate-limit.config';
export * from './redis.config';
export { InvalidConfigError, isLoopbackHost } from './env-readers';

export const configLoaders = [
  appConfig,
  databaseConfig,
  redisConfig,
  queuesConfig,
  rateLimitConfig,
  httpConfig,
  idempotencyConfig,
  eventsConfig,
  metricsConfig,
];

export interface Config {
  app: AppConfig;
  database: DatabaseConfig;
  redis: RedisConfig;
  queues: QueuesConfig;
  rateLimit: RateLimitConfig;
  http: HttpConfig;
  idempotency: IdempotencyConfig;
  events: EventsConfig;
  metrics: MetricsConfig;
}

/** Reads and validates the whole configuration; throws one error listing every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const reader = new EnvReader(env);
  const config = {
    app: readAppConfig(reader),
    database: readDatabaseConfig(reader),
    redis: readRedisConfig(reader),
    queues: readQueuesConfig(reader),
    rateLimit: readRateLimitConfig(reader),
    http: readHttpConfig(reader),
    idempotency: readIdempotencyConfig(reader),
    events: readEventsConfig(reader),
    metrics: readMetricsConfig(reader),
  };
  if (reader.problems.length > 0) throw new InvalidConfigError(reader.problems);
  return config;
}

/** `ConfigModule.forRoot({ validate })` hook: fails boot on any bad value. */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  loadConfig(env as Env);
  return env;
}
