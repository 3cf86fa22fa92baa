/**
 * The legacy import benchmark: `npm run cli -- import-legacy` on a PostgreSQL legacy table of
 * generated rows (mixed types, mostly action logs, insights and agents), beside a raw baseline
 * measured in the same run: the same mapped rows loaded with batched multi-row INSERTs through
 * `pg`. Figures (names starting with `legacy import `) are merged into bench/results/latest.json.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createAppDataSource } from '../dist/data-source.js';
import { generateLegacyRows } from '../test/fixtures/legacy/generate-legacy-rows.mjs';
import { cpuSnapshot, foreignShare } from './lib/cpu.mjs';
import { checkpoint, databaseUrl, describeMachine, migrateForServiceRole, recreateDatabase } from './lib/db.mjs';
import { createRawTargetTables, loadRaw, mapLegacyRows, RAW_BATCH } from './lib/legacy-raw.mjs';
import { runMain } from './lib/main.mjs';
import { figure, mergeResults, renderTable } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_LEGACY_DATABASE ?? 'agent_ledger_bench_legacy',
  rows: Number(env.BENCH_LEGACY_ROWS ?? 100_000),
  batchSizes: (env.BENCH_LEGACY_BATCH_SIZES ?? '1000').split(',').map(Number),
};
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LATEST = new URL('./results/latest.json', import.meta.url);
const FIGURE_PREFIX = 'legacy import ';
const SOURCE = 'legacy.objects';

const log = (message) => process.stderr.write(`[bench legacy] ${message}\n`);
const pct = (share) => (share === undefined ? 'n/a' : `${Math.round(share * 100)}%`);

/**
 * A fresh database: migrated, the service role allowed in (the import runs as the app does, under
 * row-level security), and the legacy table holding `rows`. Returns the service role's URL and a
 * data source for the entities' metadata.
 */
async function prepareDatabase(url, rows) {
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  const appUrl = await migrateForServiceRole(url);
  const dataSource = createAppDataSource({ profile: 'server', url, poolSize: 1, migrationsRun: false, dataDir: '' }, { logging: false });
  await dataSource.initialize();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE SCHEMA legacy; CREATE TABLE ${SOURCE} (id text PRIMARY KEY, type text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    for (let start = 0; start < rows.length; start += 10_000) {
      const chunk = rows.slice(start, start + 10_000);
      await client.query(`INSERT INTO ${SOURCE} SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::timestamptz[], $5::timestamptz[])`, [
        chunk.map((r) => r.id),
        chunk.map((r) => r.type),
        chunk.map((r) => JSON.stringify(r.data)),
        chunk.map((r) => r.created_at),
        chunk.map((r) => r.updated_at),
      ]);
    }
    await client.query(`VACUUM ANALYZE ${SOURCE}`);
  } finally {
    await client.end();
  }
  return { appUrl, dataSource };
}

/**
 * Runs the compiled CLI (into `appUrl`, reading the legacy table at `sourceUrl`); wall time, and
 * when its import phase started (its first progress line).
 */
async function runImport(appUrl, sourceUrl, tenant, batchSize) {
  const started = performance.now();
  const args = ['dist/cli/main.js', 'import-legacy', '--from', sourceUrl, '--table', SOURCE, '--tenant', tenant, '--batch-size', String(batchSize)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: env.PATH, HOME: env.HOME, DATABASE_URL: appUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let phaseStarted;
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    phaseStarted ??= performance.now();
    stderr += chunk;
  });
  const [code] = await once(child, 'close');
  const ended = performance.now();
  if (code !== 0) throw new Error(`import-legacy exited with ${code}\n${stdout}\n${stderr}`);
  return { wallMs: ended - started, phaseMs: ended - (phaseStarted ?? started), planMs: (phaseStarted ?? started) - started, stdout };
}

async function check(url, tenant, expected) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM legacy_imports WHERE tenant_id = $1', [tenant]);
    if (rows[0].n !== expected) throw new Error(`the ledger holds ${rows[0].n} rows for ${tenant}, expected ${expected}`);
  } finally {
    await client.end();
  }
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`generating ${SETTINGS.rows} legacy rows`);
  const rows = generateLegacyRows(SETTINGS.rows, 'bench');
  const byType = Object.entries(rows.reduce((counts, row) => ({ ...counts, [row.type]: (counts[row.type] ?? 0) + 1 }), {}))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  const figures = [];
  for (const batchSize of SETTINGS.batchSizes) {
    log(`batch size ${batchSize}: recreating ${SETTINGS.database} with ${SOURCE} (${byType})`);
    const { appUrl, dataSource } = await prepareDatabase(url, rows);
    const machine = await describeMachine(url);
    const mapped = await mapLegacyRows(rows, { tenantId: 'bench-raw', sourceTable: SOURCE });
    await createRawTargetTables(url, dataSource, mapped);
    await checkpoint(url);

    log(`  raw baseline: the same mapped rows as multi-row INSERTs of ${RAW_BATCH} rows`);
    const rawBefore = cpuSnapshot();
    const rawMs = await loadRaw(url, dataSource, mapped, 'bench-raw');
    const rawForeign = foreignShare(rawBefore, cpuSnapshot());
    await dataSource.destroy();
    await checkpoint(url);

    log(`  import-legacy --batch-size ${batchSize}`);
    const appBefore = cpuSnapshot();
    const app = await runImport(appUrl, url, 'bench-app', batchSize);
    const appForeign = foreignShare(appBefore, cpuSnapshot());
    await check(url, 'bench-app', SETTINGS.rows);

    const rawRate = SETTINGS.rows / (rawMs / 1000);
    const wallRate = SETTINGS.rows / (app.wallMs / 1000);
    const phaseRate = SETTINGS.rows / (app.phaseMs / 1000);
    log(
      `  import-legacy ${Math.round(wallRate)} rows/s over the whole command (${(app.wallMs / 1000).toFixed(1)} s: ${(app.planMs / 1000).toFixed(1)} s start-up and planning, ` +
        `${(app.phaseMs / 1000).toFixed(1)} s importing = ${Math.round(phaseRate)} rows/s); raw ${Math.round(rawRate)} rows/s (${(rawMs / 1000).toFixed(1)} s); ` +
        `other processes used ${pct(appForeign)} / ${pct(rawForeign)} of the cpus`,
    );
    const notes =
      `${SETTINGS.rows} generated legacy rows (${byType}) in a PostgreSQL table of the same database; import-legacy run as a process (node dist/cli/main.js) with --batch-size ${batchSize}, ` +
      `connected as the service role (under row-level security, in the tenant's scope) as the app is: ` +
      `per batch it reads the rows, parses and validates each with the DTO of its POST route, resolves legacy references, and writes ONE prepared statement ` +
      `(typed rows through unnest, their ledger rows, task dependencies, one legacy.imported event); ` +
      `start-up and planning (connect, read the ledger, scan ids and types of the source, order tasks) took ${(app.planMs / 1000).toFixed(1)} s of ${(app.wallMs / 1000).toFixed(1)} s; ` +
      `baseline: the same mapped values (mapped beforehand by the import's own mappers, not timed) loaded into copies of the target tables (LIKE … INCLUDING ALL: same indexes and checks, no foreign keys) ` +
      `with multi-row INSERT … VALUES of ${RAW_BATCH} rows over one pg connection, autocommit, no ledger and no events, ${(rawMs / 1000).toFixed(1)} s; ` +
      `other processes used ${pct(appForeign)} (import) and ${pct(rawForeign)} (baseline) of the cpus; ${machine.text}`;
    figures.push(
      figure({
        name: `${FIGURE_PREFIX}${SETTINGS.rows} rows, batch ${batchSize}, whole command, vs raw multi-row INSERT`,
        value: wallRate,
        unit: 'rows/s',
        baseline: rawRate,
        notes,
      }),
      figure({
        name: `${FIGURE_PREFIX}${SETTINGS.rows} rows, batch ${batchSize}, import phase, vs raw multi-row INSERT`,
        value: phaseRate,
        unit: 'rows/s',
        baseline: rawRate,
        notes,
      }),
    );
  }
  const kept = await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
  process.stdout.write('\n' + renderTable(figures) + '\n\n');
  process.stdout.write(
    [
      'ratio = value / baseline (rows/s, higher is better).',
      'whole command: rows / wall time of `import-legacy` as a process (start-up, planning and import); import phase: from its first progress line to its exit.',
      `baseline: the same mapped rows loaded with multi-row INSERTs of ${RAW_BATCH} rows through pg into copies of the target tables, no validation, no ledger, no events.`,
      `Merged into bench/results/latest.json (${kept} other figures kept) in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );
}

await runMain('bench legacy', main);
