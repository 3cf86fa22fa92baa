import { registerAs } from '@nestjs/config';
import { TENANT_ID_PATTERN } from './tenant-id';
import { EnvReader, isLoopbackHost } from './env-readers';

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `pretty`: one readable line per entry, for a person at a terminal; `json`: one JSON object per line, for log collectors. */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const AUTH_MODES = ['apikey', 'off'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AppConfig {
  port: number;
  host: string;
  role: AppRole;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** How the API authenticates callers; `authDefaulted` tells whether AUTH was left unset. */
  auth: AuthMode;
  authDefaulted: boolean;
  /** How long a process trusts a verified API key before it looks it up again (revocations also reach it at once over Redis). */
  apiKeyCacheTtlMs: number;
  /** How long a process remembers that a presented key is unknown, so that repeating it costs no lookup (`0`: never). */
  apiKeyNegativeCacheTtlMs: number;
  bodyLimitBytes: number;
  bulkBodyLimitBytes: number;
  /** The most content (UTF-8 bytes, all matches together) a search answer carries when asked for it. */
  searchContentLimitBytes: number;
  shutdownGraceMs: number;
  /** Tenants whose API keys may open the queue admin UI, which shows every tenant's jobs. */
  adminTenants: string[];
  /** The most dead letters one admin redrive changes (the rest: continue with its cursor). */
  adminRedriveLimit: number;
}

export function readAppConfig(reader: EnvReader): AppConfig {
  const host = reader.string('HOST', '127.0.0.1');
  const embedded = !reader.has('DATABASE_URL');
  const authDefault: AuthMode = embedded && isLoopbackHost(host) ? 'off' : 'apikey';
  const auth = reader.oneOf('AUTH', AUTH_MODES, authDefault);
  if (auth === 'off' && !isLoopbackHost(host)) {
    reader.problems.push(`AUTH=off is allowed only while HOST is a loopback address (got HOST=${host})`);
  }
  const adminTenants = reader
    .string('ADMIN_TENANTS', 'admin')
    .split(',')
    .map((tenant) => tenant.trim())
    .filter(Boolean);
  if (adminTenants.length === 0 || !adminTenants.every((tenant) => TENANT_ID_PATTERN.test(tenant))) {
    reader.problems.push('ADMIN_TENANTS must be a comma-separated list of tenant ids (a-z, 0-9, "-", "_")');
  }
  return {
    port: reader.int('PORT', 3000, 0, 65535),
    host,
    role: reader.oneOf('APP_ROLE', APP_ROLES, 'all'),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    // Readable lines on a terminal, JSON wherever the output is collected (a pipe, a file, production).
    logFormat: reader.oneOf('LOG_FORMAT', LOG_FORMATS, process.stdout.isTTY && reader.string('NODE_ENV', '') !== 'production' ? 'pretty' : 'json'),
    auth,
    authDefaulted: !reader.has('AUTH'),
    apiKeyCacheTtlMs: reader.int('API_KEY_CACHE_TTL_MS', 5000, 0, 300_000),
    apiKeyNegativeCacheTtlMs: reader.int('API_KEY_NEGATIVE_CACHE_TTL_MS', 5000, 0, 60_000),
    bodyLimitBytes: reader.int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    bulkBodyLimitBytes: reader.int('BULK_BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    searchContentLimitBytes: reader.int('SEARCH_CONTENT_LIMIT_BYTES', 1024 * 1024, 0, 64 * 1024 * 1024),
    shutdownGraceMs: reader.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    adminTenants,
    adminRedriveLimit: reader.int('ADMIN_REDRIVE_LIMIT', 10_000, 1, 10_000),
  };
}

export const appConfig = registerAs('app', (): AppConfig => readAppConfig(new EnvReader(process.env)));
