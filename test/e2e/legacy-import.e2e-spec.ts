import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { createAppDataSource } from '../../src/data-source';
import { holdingWorkflowId, legacyTargetId } from '../../src/cli/legacy-import/target-id';
import { createEmbeddedLegacyDir, createPostgresLegacyTable, createSqliteLegacyFile, SAMPLE_CREATED, sampleRows } from '../fixtures/legacy/legacy-fixture';
import { runCli } from '../utils/cli-process';
import { connect, expectRejections, importLegacy, tenantCounts, uniqueNames } from '../utils/legacy-import';

const rows = sampleRows();
const rejectedRows = rows.filter((row) => row.expect !== undefined);

/** Every invalid sample row is reported with its type, id and the expected reason; nothing else is. */
const expectSampleRejections = (stdout: string) =>
  expectRejections(
    stdout,
    rejectedRows.map((row) => ({ type: row.type, id: row.id, reason: row.expect! })),
  );

function expectSampleCreated(counts: Record<string, number>): void {
  expect(counts).toMatchObject({
    ...SAMPLE_CREATED,
    workflows: SAMPLE_CREATED.workflows + 1, // the holding workflow of tk-4
    task_dependencies: 1,
    legacy_imports: rows.length - rejectedRows.length,
  });
}

describe('npm run cli -- import-legacy', () => {
  let db: Client;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-import-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    db = await connect();
  });
  afterAll(async () => {
    await db.end();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the sample from a PostgreSQL table: valid rows become typed rows, invalid ones are reported with their reason, a re-run creates nothing', async () => {
    const { tenant, table } = uniqueNames('pg');
    const source = `legacy_src.${table}`;
    await createPostgresLegacyTable(process.env.TEST_DATABASE_URL!, source, rows);

    const first = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', source, '--tenant', tenant]);
    expect(first.code).toBe(1); // rows were rejected
    expectSampleRejections(first.stdout);
    expect(first.stdout).toMatch(/^total\s+35\s+22\s+0\s+13$/m);
    const counts = await tenantCounts(db, tenant);
    expectSampleCreated(counts);

    // Fields, references, legacy timestamps and authorship as documented.
    const idOf = (legacyId: string) => legacyTargetId(tenant, source, legacyId, new Date(rows.find((row) => row.id === legacyId)!.created_at));
    const {
      rows: [agent],
    } = await db.query('SELECT * FROM agents WHERE id = $1', [idOf('ag-2')]);
    expect(agent).toMatchObject({
      tenant_id: tenant,
      name: 'writer-1',
      role: 'writer',
      status: 'busy',
      description: 'drafts the reports',
      version: 1,
      created_by: 'legacy-import',
      updated_by: 'legacy-import',
    });
    expect(agent.created_at.toISOString()).toBe('2024-03-01T10:02:00.250Z');
    expect(agent.updated_at.toISOString()).toBe('2024-03-02T08:02:30.000Z');
    const { rows: tasks } = await db.query('SELECT id, workflow_id, agent_id, parent_task_id, status, priority, input FROM tasks WHERE tenant_id = $1', [
      tenant,
    ]);
    const task = (legacyId: string) => tasks.find((t) => t.id === idOf(legacyId));
    expect(task('tk-1')).toMatchObject({
      workflow_id: idOf('wf-1'),
      agent_id: idOf('ag-1'),
      parent_task_id: null,
      status: 'pending',
      priority: 5,
      input: { limit: 5 },
    });
    expect(task('tk-3')).toMatchObject({ workflow_id: idOf('wf-1'), parent_task_id: idOf('tk-1') }); // a subtask joins its parent's workflow
    expect(task('tk-4')).toMatchObject({ workflow_id: holdingWorkflowId(tenant, source) });
    const { rows: edges } = await db.query('SELECT task_id, depends_on_task_id FROM task_dependencies WHERE tenant_id = $1', [tenant]);
    expect(edges).toEqual([{ task_id: idOf('tk-2'), depends_on_task_id: idOf('tk-1') }]);
    const {
      rows: [message],
    } = await db.query('SELECT from_agent_id, to_agent_id, task_id, status, sent_at FROM messages WHERE id = $1', [idOf('ms-1')]);
    expect(message).toMatchObject({ from_agent_id: idOf('ag-1'), to_agent_id: idOf('ag-2'), task_id: idOf('tk-1'), status: 'sent' });
    expect(message.sent_at.toISOString()).toBe('2024-03-01T10:16:00.250Z');
    const { rows: events } = await db.query(`SELECT type, payload FROM domain_events WHERE tenant_id = $1 ORDER BY id`, [tenant]);
    expect(events.filter((e) => e.type === 'legacy.imported').map((e) => [e.payload.legacyType, e.payload.count])).toEqual([
      ['agent', 3],
      ['workflow', 2],
      ['task', 4],
      ['message', 2],
      ['job_result', 2],
      ['action_log', 3],
      ['insight', 2],
      ['pattern', 2],
      ['integrated_object', 2],
    ]);
    expect(events.filter((e) => e.type === 'workflow.created')).toHaveLength(1); // the holding workflow
    const {
      rows: [object],
    } = await db.query('SELECT * FROM integrated_objects WHERE id = $1', [idOf('io-1')]);
    expect(object).toMatchObject({
      platform: 'zendesk',
      original_id: '48213',
      object_type: 'ticket',
      company_id: 'acme-emea',
      original_data: { id: 48213, subject: 'Login fails', status: 'open' },
      integrated_content: 'Customer cannot log in since Monday.',
      metadata: { syncedBy: 'nightly' },
      summary: null,
      version: 1,
      created_by: 'legacy-import',
    });

    const second = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', source, '--tenant', tenant]);
    expect(second.stdout).toMatch(/^total\s+35\s+0\s+22\s+13$/m);
    expect(await tenantCounts(db, tenant)).toEqual(counts);
  });

  it('rejects a legacy pattern or integrated object whose unique key the tenant already has, leaving the existing row as it was', async () => {
    const { tenant, table } = uniqueNames('taken');
    const source = `legacy_src.${table}`;
    const at = '2024-03-01T00:00:00Z';
    await createPostgresLegacyTable(process.env.TEST_DATABASE_URL!, source, [
      { id: 'p', type: 'pattern', data: { trigger: 'daily report', steps: ['legacy'] }, created_at: at, updated_at: at },
      {
        id: 'o',
        type: 'integrated_object',
        data: { platform: 'jira', originalId: 'OPS-1', objectType: 'issue', originalData: { legacy: true } },
        created_at: at,
        updated_at: at,
      },
    ]);
    const pattern = uuidv7();
    const object = uuidv7();
    await db.query(
      `INSERT INTO patterns (id, tenant_id, trigger, steps, created_by, updated_by) VALUES ($1, $2, 'daily report', '["current"]', 'api', 'api')`,
      [pattern, tenant],
    );
    await db.query(
      `INSERT INTO integrated_objects (id, tenant_id, platform, original_id, object_type, original_data, created_by, updated_by)
       VALUES ($1, $2, 'jira', 'OPS-1', 'issue', '{"current": true}', 'api', 'api')`,
      [object, tenant],
    );

    const result = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', source, '--tenant', tenant]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`rejected pattern "p": trigger "daily report" is already taken by pattern ${pattern}`);
    expect(result.stdout).toContain(
      `rejected integrated_object "o": platform "jira" with originalId "OPS-1" (no company) is already taken by integrated object ${object}`,
    );
    expect((await db.query('SELECT steps FROM patterns WHERE id = $1', [pattern])).rows[0].steps).toEqual(['current']);
    expect((await db.query('SELECT original_data FROM integrated_objects WHERE id = $1', [object])).rows[0].original_data).toEqual({ current: true });
    expect((await tenantCounts(db, tenant)).legacy_imports).toBe(0);
  });

  it('imports the same sample from a SQLite file built with sql.js', async () => {
    const { tenant, table } = uniqueNames('lite');
    const file = join(tempDir(), 'legacy.sqlite');
    await createSqliteLegacyFile(file, table, rows);

    const result = await importLegacy(['--from', file, '--table', table, '--tenant', tenant, '--batch-size', '4']);
    expect(result.code).toBe(1);
    expectSampleRejections(result.stdout);
    expectSampleCreated(await tenantCounts(db, tenant));
    const again = await importLegacy(['--from', file, '--table', table, '--tenant', tenant]);
    expect(again.stdout).toMatch(/^total\s+35\s+0\s+22\s+13$/m);
  });

  it('imports the same sample from an embedded data directory, and refuses one a running process holds', async () => {
    const { tenant, table } = uniqueNames('embedded');
    const dir = tempDir();
    await createEmbeddedLegacyDir(dir, table, rows);

    writeFileSync(join(dir, 'agent-ledger.lock'), String(process.pid)); // this test process stands for a running server
    const refused = await importLegacy(['--from', dir, '--table', table, '--tenant', tenant]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`is in use by process ${process.pid}`);
    expect(await tenantCounts(db, tenant)).toMatchObject({ agents: 0, legacy_imports: 0 });
    rmSync(join(dir, 'agent-ledger.lock'));

    const result = await importLegacy(['--from', dir, '--table', table, '--tenant', tenant]);
    expect(result.code).toBe(1);
    expectSampleRejections(result.stdout);
    expectSampleCreated(await tenantCounts(db, tenant));
  }, 60_000);

  it('imports into the embedded database (DATA_DIR) from a legacy table of that same database', async () => {
    const { table } = uniqueNames('self');
    const dataDir = tempDir();
    const app = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { logging: false });
    await app.initialize(); // the app's own schema, as `npm start` makes it
    await app.query(`CREATE TABLE ${table} (id text PRIMARY KEY, type text, data jsonb, created_at timestamptz, updated_at timestamptz)`);
    for (const row of rows)
      await app.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5)`, [row.id, row.type, JSON.stringify(row.data), row.created_at, row.updated_at]);
    await app.destroy();

    const result = await runCli(['import-legacy', '--from', dataDir, '--table', table], { DATA_DIR: dataDir });
    expect(result.stderr).not.toContain('cli:');
    expect(result.code).toBe(1);
    expectSampleRejections(result.stdout);

    const pg = new PGlite(join(dataDir, 'pg'));
    try {
      const counted = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM legacy_imports WHERE tenant_id = 'default' AND source_table = $1`, [table]);
      expect(counted.rows[0].n).toBe(rows.length - rejectedRows.length);
      const agents = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM agents WHERE created_by = 'legacy-import'`);
      expect(agents.rows[0].n).toBe(SAMPLE_CREATED.agents);
    } finally {
      await pg.close();
    }
  }, 90_000);

  it('--dry-run lists what would be created and every rejection, and writes nothing', async () => {
    const { tenant, table } = uniqueNames('dry');
    const source = `legacy_src.${table}`;
    await createPostgresLegacyTable(process.env.TEST_DATABASE_URL!, source, rows);
    const before = await everyTableCount(db, tenant, source);

    const result = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', source, '--tenant', tenant, '--dry-run']);
    expect(result.code).toBe(1);
    expectSampleRejections(result.stdout);
    expect(result.stdout).toMatch(/^type\s+read\s+would create\s+already imported\s+rejected$/m);
    expect(result.stdout).toMatch(/^agent\s+5\s+3\s+0\s+2$/m);
    expect(result.stdout).toMatch(/^total\s+35\s+22\s+0\s+13$/m);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(await everyTableCount(db, tenant, source)).toEqual(before);
  });

  it('refuses a second import of the same table and tenant while one runs', async () => {
    const { tenant, table } = uniqueNames('lock');
    const source = `legacy_src.${table}`;
    await createPostgresLegacyTable(process.env.TEST_DATABASE_URL!, source, rows);
    const holder = await connect();
    try {
      // What a running import holds: the session lock on (tenant, table).
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`agent-ledger legacy import ${JSON.stringify([tenant, source])}`]);
      const result = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', source, '--tenant', tenant]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`another import-legacy of table ${source} for tenant ${tenant} is running`);
      expect((await tenantCounts(db, tenant)).legacy_imports).toBe(0);
    } finally {
      await holder.end();
    }
  });

  it('answers a bad command line with the usage and exit code 2', async () => {
    const result = await importLegacy(['--table', 'objects']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('--from is required');
    expect(result.stdout).toContain('usage: import-legacy --from <source>');
    const both = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--table', 'objects', '--verify', '--cleanup']);
    expect(both.code).toBe(2);
    expect(both.stdout).toContain('--verify and --cleanup cannot be used together');
  });
});

/**
 * Rows of every table of the database: a tenant's rows where the table has a tenant, all rows
 * where it has none (so a write to any of them shows), and the legacy table's.
 */
async function everyTableCount(db: Client, tenant: string, source: string): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ table_name: string; tenant: boolean }>(
    `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
       WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'tenant_id') AS tenant
     FROM information_schema.tables t WHERE t.table_schema = 'public' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: name, tenant: scoped } of tables) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${name}"${scoped ? ' WHERE tenant_id = $1' : ''}`, scoped ? [tenant] : []);
    counts[name] = rows[0].n;
  }
  counts[source] = (await db.query(`SELECT count(*)::int AS n FROM ${source}`)).rows[0].n;
  return counts;
}
