import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import initSqlJs from 'sql.js';
import { legacyTargetId } from '../../src/cli/legacy-import/target-id';
import { createPostgresLegacyTable, createSqliteLegacyFile, sqliteIds } from '../fixtures/legacy/legacy-fixture';
import { generateOrionRows, ORION_CREATED, ORION_TYPES, orionRows } from '../fixtures/orion/orion-fixture';
import { expectRejections, importLegacy, killImportAfterFirstCommit, tenantCounts, uniqueNames, useLegacyImportSetup } from '../utils/legacy-import';

const rows = orionRows();
const rejectedRows = rows.filter((row) => row.expect !== undefined);
/** Invalid Orion rows are reported under their known type (their own when the mapping names none). */
const expectOrionRejections = (stdout: string) =>
  expectRejections(
    stdout,
    rejectedRows.map((row) => ({ type: ORION_TYPES[row.type] ?? row.type, id: row.id, reason: row.expect! })),
  );

describe('npm run cli -- import-legacy --mapping', () => {
  const setup = useLegacyImportSetup('mapping');
  let db: Client;
  let dir: string;
  beforeAll(() => void ({ db, dir } = { db: setup.db(), dir: setup.dir() }));

  it('imports the Orion object store with --mapping orion: snake_case objects become typed rows, invalid ones are reported, verify and cleanup work', async () => {
    const { tenant, table } = uniqueNames('orion');
    const source = `legacy_src.${table}`;
    const url = process.env.TEST_DATABASE_URL!;
    await createPostgresLegacyTable(url, source, rows);
    const args = ['--from', url, '--table', source, '--mapping', 'orion', '--tenant', tenant];

    const first = await importLegacy(args);
    expect(first.stderr).not.toContain('cli:');
    expect(first.code).toBe(1);
    expectOrionRejections(first.stdout);
    expect(first.stdout).toMatch(/^total\s+13\s+6\s+0\s+7$/m);
    expect(first.stdout).toMatch(/^OrionProposal\s+1\s+0\s+0\s+1$/m);
    expect(await tenantCounts(db, tenant)).toMatchObject({ ...ORION_CREATED, legacy_imports: rows.length - rejectedRows.length });

    const idOf = (legacyId: string) => legacyTargetId(tenant, source, legacyId, new Date(rows.find((row) => row.id === legacyId)!.created_at));
    const {
      rows: [log],
    } = await db.query('SELECT action_type, parameters, error, duration_ms, trace_id, created_at FROM action_logs WHERE id = $1', [idOf('al-1')]);
    // Top-level fields renamed; the parameters are the caller's data and keep their keys.
    expect(log).toMatchObject({
      action_type: 'tool.search',
      parameters: { query_text: 'solid-state batteries', max_results: 5 },
      error: null,
      duration_ms: 150,
      trace_id: 'trace-1',
    });
    expect(log.created_at.toISOString()).toBe('2025-12-20T09:01:00.125Z');
    const {
      rows: [result],
    } = await db.query('SELECT job_id, status, output_artifacts, metrics FROM job_results WHERE id = $1', [idOf('jr-1')]);
    expect(result).toEqual({
      job_id: 'job-42',
      status: 'completed',
      output_artifacts: { report: 'reports/42.pdf' },
      metrics: { tokens: 1200, cost_usd: 0.04 },
    });
    const {
      rows: [insight],
    } = await db.query('SELECT summary, domain, confidence, content FROM insights WHERE id = $1', [idOf('in-1')]);
    expect(insight).toMatchObject({ summary: 'Solid-state cells degrade slower', domain: 'energy', confidence: 0.82 });
    const { rows: patterns } = await db.query('SELECT trigger, steps, usage_count FROM patterns WHERE tenant_id = $1 ORDER BY trigger', [tenant]);
    expect(patterns).toEqual([
      { trigger: 'daily report', steps: ['collect', 'summarise', 'send'], usage_count: 12 }, // frequency_count
      { trigger: 'on failure', steps: ['retry'], usage_count: 0 },
    ]);
    const { rows: ledger } = await db.query('SELECT DISTINCT legacy_type FROM legacy_imports WHERE tenant_id = $1 ORDER BY 1', [tenant]);
    expect(ledger.map((row) => row.legacy_type)).toEqual(['action_log', 'insight', 'job_result', 'pattern']);

    const again = await importLegacy(args);
    expect(again.stdout).toMatch(/^total\s+13\s+0\s+6\s+7$/m);

    const verified = await importLegacy([...args, '--verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^pattern\s+4\s+2\s+2\s+0\s+0\s+2$/m);
    await db.query(`UPDATE ${source} SET data = jsonb_set(data, '{frequency_count}', '13') WHERE id = 'pt-1'`);
    const changed = await importLegacy([...args, '--cleanup']);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`pattern "pt-1" → ${idOf('pt-1')}: the source row changed since it was imported`);
    await db.query(`UPDATE ${source} SET data = jsonb_set(data, '{frequency_count}', '12') WHERE id = 'pt-1'`);
    const cleaned = await importLegacy([...args, '--cleanup']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain('Cleanup done: 6 legacy row(s) deleted.');
    const { rows: left } = await db.query(`SELECT id FROM ${source} ORDER BY id`);
    expect(left.map((row) => row.id)).toEqual(rejectedRows.map((row) => row.id).sort());
  }, 120_000);

  it("--dry-run with --mapping orion reads the mapping's own table (objects_table) from a SQLite file and writes nothing", async () => {
    const { tenant } = uniqueNames('oriondry');
    const file = join(dir, 'orion.sqlite');
    await createSqliteLegacyFile(file, 'objects_table', rows);
    const before = await tenantCounts(db, tenant);
    const result = await importLegacy(['--from', file, '--mapping', 'orion', '--tenant', tenant, '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`SQLite table objects_table in ${file} (mapping orion)`);
    expectOrionRejections(result.stdout);
    expect(result.stdout).toMatch(/^action_log\s+4\s+2\s+0\s+2$/m);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(await tenantCounts(db, tenant)).toEqual(before);
    expect(await sqliteIds(file, 'objects_table')).toHaveLength(rows.length);
  }, 60_000);

  it('reads a table of its own shape through a mapping file: other column names, no updated_at, aliases, renames, defaults and dropped fields', async () => {
    const { tenant } = uniqueNames('custom');
    const file = join(dir, 'custom.sqlite');
    const SQL = await initSqlJs();
    const lite = new SQL.Database();
    lite.run('CREATE TABLE store (object_id INTEGER PRIMARY KEY, kind TEXT, payload TEXT, stamped TEXT)');
    const put = (id: number, kind: string, payload: unknown, at: string) =>
      lite.run('INSERT INTO store VALUES (?, ?, ?, ?)', [id, kind, JSON.stringify(payload), at]);
    put(1, 'Bot', { bot_name: 'scout', internal_rev: 7 }, '2024-05-01 08:00:00');
    put(2, 'Note', { headline: 'Cache warms in 3 minutes', body_text: 'measured', score: 0.9 }, '2024-05-02 08:00:00');
    put(3, 'Note', { headline: 'Unsure', body_text: 'guess', score: 'high' }, '2024-05-03 08:00:00');
    writeFileSync(file, lite.export());
    lite.close();
    const mapping = join(dir, 'store.mapping.json');
    writeFileSync(
      mapping,
      JSON.stringify({
        table: 'store',
        columns: { id: 'object_id', type: 'kind', data: 'payload', createdAt: 'stamped', updatedAt: null },
        camelCase: true,
        drop: ['internal_rev'],
        types: {
          Bot: { as: 'agent', rename: { bot_name: 'name' }, defaults: { role: 'assistant' } },
          Note: { as: 'insight', rename: { headline: 'summary', body_text: 'content', score: 'confidence' }, defaults: { domain: 'ops' } },
        },
      }),
    );

    const result = await importLegacy(['--from', file, '--mapping', mapping, '--tenant', tenant]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rejected insight "3": ');
    expect(result.stdout).toContain('confidence must be a number');
    const {
      rows: [agent],
    } = await db.query('SELECT name, role, created_at, updated_at FROM agents WHERE tenant_id = $1', [tenant]);
    expect(agent).toMatchObject({ name: 'scout', role: 'assistant' });
    expect(agent.updated_at.toISOString()).toBe('2024-05-01T08:00:00.000Z'); // no updated_at column: created_at
    const { rows: insights } = await db.query('SELECT summary, content, domain, confidence FROM insights WHERE tenant_id = $1', [tenant]);
    expect(insights).toEqual([{ summary: 'Cache warms in 3 minutes', content: 'measured', domain: 'ops', confidence: 0.9 }]);
    expect((await importLegacy(['--from', file, '--mapping', mapping, '--tenant', tenant, '--verify'])).code).toBe(0);
  }, 60_000);

  it.each([
    ['an unknown mapping name', () => 'nosuch', '--mapping nosuch: no shipped mapping of that name (orion) and no such file'],
    ['a file that is not JSON', (dir: string) => file(dir, 'broken.json', '{ "types": '), 'broken.json: not valid JSON'],
    [
      'a type aliased to no known type',
      (dir: string) => file(dir, 'as.json', { table: 't', types: { OrionActionLog: { as: 'actionlog' } } }),
      'types.OrionActionLog.as must be one of the known types',
    ],
  ])(
    'refuses %s in one line with exit code 2, before touching anything',
    async (_what, make, message) => {
      const mapping = make(dir);
      const result = await importLegacy(['--from', process.env.TEST_DATABASE_URL!, '--mapping', mapping, '--tenant', 'never-written']);
      expect(result.code).toBe(2);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toMatch(/^import-legacy: /);
      expect(result.stdout).toContain(message);
    },
    60_000,
  );

  it('SIGKILLed mid-run with --mapping orion, a re-run imports exactly what is missing and verify passes', async () => {
    const { tenant, table } = uniqueNames('orioncrash');
    const source = `legacy_src.${table}`;
    const url = process.env.TEST_DATABASE_URL!;
    const generated = generateOrionRows(3000, 'crash');
    await createPostgresLegacyTable(url, source, generated);
    const args = ['--from', url, '--table', source, '--mapping', 'orion', '--tenant', tenant];

    const imported = await killImportAfterFirstCommit(db, tenant, [...args, '--batch-size', '5']);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(generated.length);

    const rerun = await importLegacy([...args, '--batch-size', '500']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(
      new RegExp(`^total\\s+3,000\\s+${(generated.length - imported).toLocaleString('en-US')}\\s+${imported.toLocaleString('en-US')}\\s+0$`, 'm'),
    );
    expect(await tenantCounts(db, tenant)).toMatchObject({ action_logs: 1000, insights: 1000, patterns: 1000, legacy_imports: 3000 });
    const {
      rows: [usage],
    } = await db.query('SELECT sum(usage_count)::int AS total FROM patterns WHERE tenant_id = $1', [tenant]);
    expect(usage.total).toBe(
      generated.filter((row) => row.type === 'OrionPattern').reduce((sum, row) => sum + (row.data as { frequency_count: number }).frequency_count, 0),
    );
    expect((await importLegacy([...args, '--verify'])).code).toBe(0);
  }, 120_000);
});

function file(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
