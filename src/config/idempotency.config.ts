import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface IdempotencyConfig {
  /** How long an Idempotency-Key and the answer it replays are kept (IDEMPOTENCY_TTL, e.g. `24h`). */
  ttlMs: number;
  /** How long a repeat waits for the answer of the first request with its key before answering 409. */
  waitMs: number;
  /** How often a worker process deletes expired keys. */
  purgeIntervalMs: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_TTL_MS = 1000;
const MAX_TTL_MS = 30 * UNIT_MS.d;

/** A duration with its unit (`90s`, `30m`, `24h`, `7d`), from 1 s to 30 days. */
function readDuration(reader: EnvReader, name: string, fallbackMs: number): number {
  const raw = reader.string(name);
  if (raw === undefined) return fallbackMs;
  const match = /^(\d{1,7})([smhd])$/.exec(raw);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
  if (!(ms >= MIN_TTL_MS && ms <= MAX_TTL_MS)) {
    reader.problems.push(`${name} must be a duration from 1s to 30d with its unit, e.g. 90s, 30m, 24h, 7d (got "${raw}")`);
    return fallbackMs;
  }
  return ms;
}

export function readIdempotencyConfig(reader: EnvReader): IdempotencyConfig {
  return {
    ttlMs: readDuration(reader, 'IDEMPOTENCY_TTL', 24 * UNIT_MS.h),
    waitMs: reader.int('IDEMPOTENCY_WAIT_MS', 2000, 0, 60_000),
    purgeIntervalMs: reader.int('IDEMPOTENCY_PURGE_INTERVAL_MS', 600_000, 1000, 86_400_000),
  };
}

export const idempotencyConfig = registerAs('idempotency', (): IdempotencyConfig => readIdempotencyConfig(new EnvReader(process.env)));
