import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/create-data-source';

/**
 * Once per run: rebuild the test database's schema from the real migrations, and compile
 * `dist/` for the tests that start the server as a real process.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await client.end();

  const dataSource = createDataSource({ profile: 'server', url, poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();

  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
