import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface MetricsConfig {
  /** `/metrics` answers only to METRICS_TOKEN as a bearer token or to a key of an admin tenant. */
  auth: boolean;
  /** A bearer token for the Prometheus scraper (needs no database to check); undefined: keys only. */
  token: string | undefined;
}

const MIN_TOKEN_LENGTH = 16;

export function readMetricsConfig(reader: EnvReader): MetricsConfig {
  const production = reader.string('NODE_ENV', '') === 'production';
  const token = reader.string('METRICS_TOKEN');
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    reader.problems.push(`METRICS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long (for example: openssl rand -hex 32)`);
  }
  return { auth: reader.bool('METRICS_AUTH', production), token };
}

export const metricsConfig = registerAs('metrics', (): MetricsConfig => readMetricsConfig(new EnvReader(process.env)));
