import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createAppDataSource } from '../../../src/data-source';
import { migrations } from '../../../src/migrations';

const TABLES = [
  'action_logs',
  'agent_metrics',
  'agents',
  'api_keys',
  'domain_events',
  'health_records',
  'idempotency_keys',
  'insights',
  'integrated_objects',
  'job_results',
  'legacy_imports',
  'messages',
  'patterns',
  'persisted_chunks',
  'service_call_records',
  'system_metrics',
  'task_dependencies',
  'tasks',
  'workflows',
];

async function userTables(dataSource: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('migrations', 'typeorm_metadata') ORDER BY 1`,
  );
  return rows.map((row) => row.table_name);
}

/** Pending schema changes between the entities and the database (what migration:generate would write). */
async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

async function upDownUp(dataSource: DataSource): Promise<void> {
  await dataSource.runMigrations({ transaction: 'each' });
  expect(await userTables(dataSource)).toEqual(TABLES);
  expect(await schemaDrift(dataSource)).toEqual([]);

  for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
  expect(await userTables(dataSource)).toEqual([]);

  await dataSource.runMigrations({ transaction: 'each' });
  expect(await userTables(dataSource)).toEqual(TABLES);
  expect(await schemaDrift(dataSource)).toEqual([]);
}

describe('migrations', () => {
  it('run up, down and up again on an empty PostgreSQL database, matching the entities', async () => {
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `agent_ledger_migrations_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const dataSource = createAppDataSource({ profile: 'server', url: url.toString(), poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false });
    try {
      await dataSource.initialize();
      await upDownUp(dataSource);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });

  it('run up, down and up again on the embedded database (PGlite), matching the entities', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-migrations-'));
    const dataSource = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { migrationsRun: false, logging: false });
    try {
      await dataSource.initialize();
      await upDownUp(dataSource);
    } finally {
      await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000); // PGlite runs every migration three times on one CPU-bound connection
});
