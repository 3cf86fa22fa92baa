import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createAppDataSource } from '../../../src/data-source';
import { migrations } from '../../../src/migrations';
import { IntegratedObjectsPerCompany1796552780638 } from '../../../src/migrations/1796552780638-IntegratedObjectsPerCompany';

const TABLES = [
  'action_logs',
  'agent_metrics',
  'agents',
  'api_keys',
  'database_identity',
  'domain_events',
  'event_cursor_keys',
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

/** Reverts every migration applied after `migration` (all are applied), leaving it the last one. */
async function undoAfter(dataSource: DataSource, migration: (typeof migrations)[number]): Promise<void> {
  const later = migrations.length - 1 - migrations.indexOf(migration);
  for (let i = 0; i < later; i++) await dataSource.undoLastMigration({ transaction: 'each' });
}

/** Runs `test` on a data source over a new, empty PostgreSQL database, dropped afterwards. */
async function withFreshDatabase(test: (dataSource: DataSource) => Promise<void>): Promise<void> {
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const name = `agent_ledger_migrations_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const dataSource = createAppDataSource({ profile: 'server', url: url.toString(), poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false });
  try {
    await dataSource.initialize();
    await test(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

describe('migrations', () => {
  it('run up, down and up again on an empty PostgreSQL database, matching the entities', async () => {
    await withFreshDatabase(upDownUp);
  });

  it('key integrated objects by company, keeping every existing row; a revert refuses while two companies share a key', async () => {
    await withFreshDatabase(async (dataSource) => {
      await dataSource.runMigrations({ transaction: 'each' });
      await undoAfter(dataSource, IntegratedObjectsPerCompany1796552780638);
      await dataSource.undoLastMigration({ transaction: 'each' }); // back to the key without the company
      const insert = (id: string, company: string | null, originalId = '123') =>
        dataSource.query(
          `INSERT INTO integrated_objects (id, tenant_id, platform, original_id, company_id, object_type, original_data, created_by, updated_by)
           VALUES ($1, 't', 'freshdesk', $3, $2, 'ticket', '{}', 'test', 'test')`,
          [id, company, originalId],
        );
      await insert('00000000-0000-7000-8000-000000000001', 'acme');
      await insert('00000000-0000-7000-8000-000000000002', null, '124');

      await dataSource.runMigrations({ transaction: 'each' });
      await undoAfter(dataSource, IntegratedObjectsPerCompany1796552780638);
      expect(await dataSource.query(`SELECT id, original_id, company_id FROM integrated_objects ORDER BY id`)).toEqual([
        { id: '00000000-0000-7000-8000-000000000001', original_id: '123', company_id: 'acme' },
        { id: '00000000-0000-7000-8000-000000000002', original_id: '124', company_id: null },
      ]);
      await insert('00000000-0000-7000-8000-000000000003', 'globex'); // another company's ticket "123"
      await expect(insert('00000000-0000-7000-8000-000000000004', 'acme')).rejects.toThrow(/duplicate key/);
      await dataSource.query(`UPDATE integrated_objects SET original_id = '123' WHERE company_id IS NULL`);
      await expect(insert('00000000-0000-7000-8000-000000000005', null)).rejects.toThrow(/duplicate key/); // no company: unique as before

      await expect(dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/key\(s\) have objects of more than one company/);
      expect(await dataSource.query(`SELECT count(*)::int AS n FROM integrated_objects`)).toEqual([{ n: 3 }]);
      await dataSource.query(`DELETE FROM integrated_objects WHERE company_id IS DISTINCT FROM 'acme'`);
      await dataSource.undoLastMigration({ transaction: 'each' });
      await expect(insert('00000000-0000-7000-8000-000000000006', 'globex')).rejects.toThrow(/duplicate key/);
    });
  });

  it('run up, down and up again on the embedded database (PGlite), matching the entities, with the per-company key of integrated objects', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-migrations-'));
    const dataSource = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { migrationsRun: false, logging: false });
    try {
      await dataSource.initialize();
      await upDownUp(dataSource);
      // The import's insert names the key in ON CONFLICT: another company's "123" is new, a second one without a company is not.
      const insert = (company: string | null) =>
        dataSource.query(
          `INSERT INTO integrated_objects (id, tenant_id, platform, original_id, company_id, object_type, original_data, created_by, updated_by)
           VALUES (gen_random_uuid(), 't', 'freshdesk', '123', $1, 'ticket', '{}', 'test', 'test')
           ON CONFLICT (tenant_id, platform, original_id, company_id) DO NOTHING RETURNING company_id`,
          [company],
        );
      expect([...(await insert('acme')), ...(await insert('globex')), ...(await insert(null)), ...(await insert(null)), ...(await insert('acme'))]).toEqual([
        { company_id: 'acme' },
        { company_id: 'globex' },
        { company_id: null },
      ]);
    } finally {
      await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000); // PGlite runs every migration three times on one CPU-bound connection
});
