import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface RateLimitConfig {
  /** Off: no request is counted (and none is refused for its rate). */
  enabled: boolean;
  /** Length of one counting window, in ms. */
  windowMs: number;
  /** Requests per window and caller on ordinary routes. */
  defaultLimit: number;
  /** Requests per window and caller on intake (`POST /service-calls`) and the `/bulk` routes together. */
  strictLimit: number;
  /**
   * Failed authentications per window and client IP; past it the address is answered 429 for a
   * window, before any key lookup in the database.
   */
  authFailureLimit: number;
}

export function readRateLimitConfig(reader: EnvReader): RateLimitConfig {
  return {
    enabled: reader.bool('RATE_LIMIT_ENABLED', true),
    windowMs: reader.int('RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    defaultLimit: reader.int('RATE_LIMIT_DEFAULT', 600, 1, 1_000_000_000),
    strictLimit: reader.int('RATE_LIMIT_STRICT', 120, 1, 1_000_000_000),
    authFailureLimit: reader.int('RATE_LIMIT_AUTH_FAILURES', 60, 1, 1_000_000_000),
  };
}

export const rateLimitConfig = registerAs('rateLimit', (): RateLimitConfig => readRateLimitConfig(new EnvReader(process.env)));
