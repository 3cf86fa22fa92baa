import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export type DatabaseConfig =
  { profile: 'server'; url: string; poolSize: number; migrationsRun: boolean; dataDir: string } | { profile: 'embedded'; dataDir: string; migrationsRun: true };

export function readDatabaseConfig(reader: EnvReader): DatabaseConfig {
  const dataDir = resolve(reader.string('DATA_DIR', './data'));
  const url = reader.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const poolSize = reader.int('DATABASE_POOL_SIZE', 10, 1, 1000);
  const migrationsRun = reader.bool('MIGRATIONS_RUN', false);
  if (url) return { profile: 'server', url, poolSize, migrationsRun, dataDir };
  // Embedded: pending migrations always run at start-up so `npm start` works on an empty directory.
  return { profile: 'embedded', dataDir, migrationsRun: true };
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => readDatabaseConfig(new EnvReader(process.env)));
