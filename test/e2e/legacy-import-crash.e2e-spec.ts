import { Client } from 'pg';
import { createPostgresLegacyTable, generateLegacyRows } from '../fixtures/legacy/legacy-fixture';
import { connect, importLegacy, killImportAfterFirstCommit, uniqueNames } from '../utils/legacy-import';

const TABLE_OF: Record<string, string> = {
  agent: 'agents',
  workflow: 'workflows',
  task: 'tasks',
  message: 'messages',
  action_log: 'action_logs',
  insight: 'insights',
};

/** Target rows and ledger rows by legacy type, for one tenant. */
async function countsByType(db: Client, tenant: string): Promise<{ target: Record<string, number>; ledger: Record<string, number> }> {
  const target: Record<string, number> = {};
  for (const [type, table] of Object.entries(TABLE_OF)) {
    target[type] = (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant])).rows[0].n;
  }
  const { rows } = await db.query(`SELECT legacy_type, count(*)::int AS n FROM legacy_imports WHERE tenant_id = $1 GROUP BY legacy_type`, [tenant]);
  const ledger = Object.fromEntries(Object.keys(TABLE_OF).map((type) => [type, rows.find((row) => row.legacy_type === type)?.n ?? 0]));
  return { target, ledger };
}

describe('npm run cli -- import-legacy, killed mid-run', () => {
  let db: Client;
  beforeAll(async () => {
    db = await connect();
  });
  afterAll(() => db.end());

  it('SIGKILLed after some batches committed, a re-run ends with exactly one target row per legacy row', async () => {
    const { tenant, table } = uniqueNames('crash');
    const source = `legacy_src.${table}`;
    const url = process.env.TEST_DATABASE_URL!;
    const rows = generateLegacyRows(4000, 'crash');
    await createPostgresLegacyTable(url, source, rows);
    const expected = Object.fromEntries(Object.keys(TABLE_OF).map((type) => [type, rows.filter((row) => row.type === type).length]));
    const expectedEdges = rows.filter((row) => row.type === 'task' && (row.data as { dependsOn: string[] }).dependsOn.length > 0).length;
    const args = ['--from', url, '--table', source, '--tenant', tenant];

    await killImportAfterFirstCommit(db, tenant, [...args, '--batch-size', '5']);

    // Killed mid-run: some batches are in, not all, and each committed batch is whole.
    const atKill = await countsByType(db, tenant);
    const imported = Object.values(atKill.ledger).reduce((a, b) => a + b, 0);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(rows.length);
    expect(atKill.target).toEqual(atKill.ledger);

    const rerun = await importLegacy([...args, '--batch-size', '500']);
    expect(rerun.stderr).not.toContain('cli:');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(
      new RegExp(`^total\\s+4,000\\s+${(rows.length - imported).toLocaleString('en-US')}\\s+${imported.toLocaleString('en-US')}\\s+0$`, 'm'),
    );

    const done = await countsByType(db, tenant);
    expect(done.target).toEqual(expected);
    expect(done.ledger).toEqual(expected);
    const {
      rows: [ledger],
    } = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT legacy_id)::int AS legacy, count(DISTINCT target_id)::int AS targets FROM legacy_imports WHERE tenant_id = $1`,
      [tenant],
    );
    expect(ledger).toEqual({ n: rows.length, legacy: rows.length, targets: rows.length });
    const edges = (await db.query('SELECT count(*)::int AS n FROM task_dependencies WHERE tenant_id = $1', [tenant])).rows[0].n;
    expect(edges).toBe(expectedEdges);

    const verify = await importLegacy([...args, '--verify']);
    expect(verify.code).toBe(0);
  }, 120_000);
});
