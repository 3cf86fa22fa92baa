import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { legacyTargetId } from '../../src/cli/legacy-import/target-id';
import { createPostgresLegacyTable, createSqliteLegacyFile, sampleRows, sqliteIds } from '../fixtures/legacy/legacy-fixture';
import { connect, importLegacy, uniqueNames } from '../utils/legacy-import';

const rows = sampleRows();
const validRows = rows.filter((row) => row.expect === undefined);
const rejectedIds = rows
  .filter((row) => row.expect !== undefined)
  .map((row) => row.id)
  .sort();

describe('npm run cli -- import-legacy --verify and --cleanup', () => {
  let db: Client;
  let dir: string;

  beforeAll(async () => {
    db = await connect();
    dir = mkdtempSync(join(tmpdir(), 'legacy-verify-'));
  });
  afterAll(async () => {
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify passes after an import and names a tampered target row; cleanup refuses then, and deletes the imported rows once it passes', async () => {
    const { tenant, table } = uniqueNames('verify');
    const source = `legacy_src.${table}`;
    const url = process.env.TEST_DATABASE_URL!;
    await createPostgresLegacyTable(url, source, rows);
    await importLegacy(['--from', url, '--table', source, '--tenant', tenant]);
    const args = ['--from', url, '--table', source, '--tenant', tenant];

    const passed = await importLegacy([...args, '--verify']);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/^agent\s+5\s+3\s+3\s+0\s+0\s+2$/m); // source, imported, matching, differing, gone, not imported
    expect(passed.stdout).toContain('Verify passed');

    const insight = legacyTargetId(tenant, source, 'in-2', new Date(rows.find((row) => row.id === 'in-2')!.created_at));
    await db.query(`UPDATE insights SET confidence = 0.99 WHERE id = $1`, [insight]); // a write behind the API's back
    const failed = await importLegacy([...args, '--verify']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^insight\s+3\s+2\s+1\s+1\s+0\s+1$/m);
    expect(failed.stdout).toContain(`insight "in-2" → ${insight}: the target row differs from what was imported`);

    const refused = await importLegacy([...args, '--cleanup']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Cleanup refused');
    expect((await db.query(`SELECT count(*)::int AS n FROM ${source}`)).rows[0].n).toBe(rows.length);

    await db.query(`UPDATE insights SET confidence = 0.55 WHERE id = $1`, [insight]);
    const cleaned = await importLegacy([...args, '--cleanup']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain(`Cleanup done: ${validRows.length} legacy row(s) deleted.`);
    const { rows: left } = await db.query(`SELECT id FROM ${source} ORDER BY id`);
    expect(left.map((row) => row.id)).toEqual(rejectedIds); // only the rows never imported stay

    // The imported rows are still checked against the ledger once their source rows are gone.
    const after = await importLegacy([...args, '--verify']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^agent\s+2\s+3\s+3\s+0\s+3\s+2$/m);
  }, 60_000);

  it('verify notices a source row changed since its import; cleanup of a SQLite file rewrites it without the imported rows', async () => {
    const { tenant, table } = uniqueNames('verifylite');
    const file = join(dir, `${table}.sqlite`);
    const changed = rows.map((row) => (row.id === 'ag-3' ? { ...row, data: { name: 'reviewer-renamed', role: 'reviewer' } } : row));
    await createSqliteLegacyFile(file, table, rows);
    await importLegacy(['--from', file, '--table', table, '--tenant', tenant]);
    await createSqliteLegacyFile(`${file}.changed`, table, changed);

    const failed = await importLegacy(['--from', `${file}.changed`, '--table', table, '--tenant', tenant, '--cleanup']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('agent "ag-3" → ');
    expect(failed.stdout).toContain('the source row changed since it was imported');
    expect(await sqliteIds(`${file}.changed`, table)).toHaveLength(rows.length);

    const cleaned = await importLegacy(['--from', file, '--table', table, '--tenant', tenant, '--cleanup', '--batch-size', '7']);
    expect(cleaned.code).toBe(0);
    expect(await sqliteIds(file, table)).toEqual(rejectedIds);
  }, 60_000);
});
