/**
 * The bulk routes of append-only records, POST /api/v1/action-logs/bulk and
 * POST /api/v1/job-results/bulk (1000 items a request), beside one raw multi-row INSERT of the
 * same rows with `pg`, measured in the same run, alternating. Each record now writes its
 * `*.recorded` event in the insert's own statement; this is where that cost shows. Figures are
 * merged into bench/results/latest.json. See bench/README.md ("Record figures").
 */
import pg from 'pg';
import { uuidv7 } from '../dist/common/persistence/uuid-v7.js';
import { databaseUrl, describeMachine, flushRedis, migrateForServiceRole, recreateDatabase } from './lib/db.mjs';
import { timedPost, probe } from './lib/load.mjs';
import { runMain } from './lib/main.mjs';
import { createApiKey, freePort, stackEnv, startApp, UNREACHED_RATE_LIMITS } from './lib/processes.mjs';
import { figure, mergeResults, renderTable, summarize } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_RECORDS_DATABASE ?? 'agent_ledger_bench_records',
  redisUrl: env.BENCH_RECORDS_REDIS_URL ?? 'redis://127.0.0.1:6379/13',
  size: 1000,
  runs: Number(env.BENCH_RECORDS_RUNS ?? 20),
  warmups: 2,
  poolSize: 10,
};
const TENANT = 'bench';
const FIGURE_PREFIX = 'Records: ';
const LATEST = new URL('./results/latest.json', import.meta.url);
const log = (message) => process.stderr.write(`[bench records] ${message}\n`);

/** The routes measured: the body of one request, and the raw INSERT of the same rows. */
const ROUTES = [
  {
    path: '/api/v1/action-logs/bulk',
    items: Array.from({ length: SETTINGS.size }, (_, i) => ({
      actionType: 'tool.web_search',
      parameters: { query: `q${i}` },
      durationMs: 840,
      traceId: `trace-${i % 10}`,
    })),
    table: 'action_logs',
    columns: ['id', 'tenant_id', 'action_type', 'parameters', 'error', 'duration_ms', 'trace_id', 'agent_id', 'created_by'],
    row: (item) => [uuidv7(), TENANT, item.actionType, JSON.stringify(item.parameters), null, item.durationMs, item.traceId, null, 'bench'],
  },
  {
    path: '/api/v1/job-results/bulk',
    items: Array.from({ length: SETTINGS.size }, (_, i) => ({
      jobId: `job-${i}`,
      status: 'completed',
      outputArtifacts: { report: `r${i}` },
      metrics: { pages: i },
    })),
    table: 'job_results',
    columns: ['id', 'tenant_id', 'job_id', 'task_id', 'agent_id', 'status', 'output_artifacts', 'metrics', 'created_by'],
    row: (item) => [uuidv7(), TENANT, item.jobId, null, null, item.status, JSON.stringify(item.outputArtifacts), JSON.stringify(item.metrics), 'bench'],
  },
];

/** One parameterised multi-row `INSERT … RETURNING *` of the route's rows, as the owner (no row-level security, no event). */
async function rawInsert(client, route) {
  const params = [];
  const values = route.items.map(
    (item) =>
      `(${route
        .row(item)
        .map((value) => (params.push(value), `$${params.length}`))
        .join(', ')})`,
  );
  const started = process.hrtime.bigint();
  await client.query(`INSERT INTO ${route.table} (${route.columns.join(', ')}) VALUES ${values.join(', ')} RETURNING *`, params);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function measure(app, auth, client, route, shared) {
  const url = `${app.base}${route.path}`;
  const body = JSON.stringify({ items: route.items });
  const created = await probe(url, { body, headers: auth });
  if (created.items?.length !== SETTINGS.size) throw new Error(`${route.path} returned ${created.items?.length} items`);
  for (let i = 0; i < SETTINGS.warmups; i++) {
    await timedPost(url, { body, headers: auth });
    await rawInsert(client, route);
  }
  const appTimes = [];
  const rawTimes = [];
  for (let i = 0; i < SETTINGS.runs; i++) {
    appTimes.push(await timedPost(url, { body, headers: auth }));
    rawTimes.push(await rawInsert(client, route));
  }
  const rows = SETTINGS.runs * SETTINGS.size;
  const rate = (times) => rows / (times.reduce((a, b) => a + b, 0) / 1000);
  const [appSummary, rawSummary] = [summarize(appTimes), summarize(rawTimes)];
  log(
    `${route.path}: app ${Math.round(rate(appTimes))} rows/s (median ${appSummary.median.toFixed(1)} ms a request), raw ${Math.round(rate(rawTimes))} rows/s`,
  );
  return figure({
    name: `${FIGURE_PREFIX}POST ${route.path} (${SETTINGS.size} items) vs raw multi-row INSERT`,
    value: rate(appTimes),
    unit: 'rows/s',
    baseline: rate(rawTimes),
    notes:
      `${SETTINGS.runs} sequential requests after ${SETTINGS.warmups} warm-ups, alternating with the baseline; app per request: median ` +
      `${appSummary.median.toFixed(1)} ms, max ${appSummary.max.toFixed(1)} ms; raw: one ${SETTINGS.size}-row INSERT ... RETURNING * of the same columns ` +
      `over one pg connection, median ${rawSummary.median.toFixed(1)} ms; the app also validates every item, checks its references, writes one ` +
      `domain_events row per record in the same statement and answers with every row as JSON; ${shared}`,
  });
}

async function main() {
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`recreating database ${SETTINGS.database} and flushing ${SETTINGS.redisUrl}`);
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  const appUrl = await migrateForServiceRole(url);
  await flushRedis(SETTINGS.redisUrl);
  const port = await freePort();
  const app = await startApp(
    stackEnv(
      { databaseUrl: appUrl, redisUrl: SETTINGS.redisUrl, queuePrefix: 'bench-records', poolSize: SETTINGS.poolSize },
      { ...UNREACHED_RATE_LIMITS, MIGRATIONS_RUN: 'false', PORT: String(port) },
    ),
  );
  const key = await createApiKey({ DATABASE_URL: appUrl, LOG_LEVEL: 'warn' }, TENANT, 'bench');
  const auth = { authorization: `Bearer ${key}` };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const machine = await describeMachine(url);
    const shared = `the load generator shares the ${machine.cpus} cpus with the server and PostgreSQL; ${machine.text}`;
    const figures = [];
    for (const route of ROUTES) figures.push(await measure(app, auth, client, route, shared));
    process.stdout.write(`${renderTable(figures)}\n`);
    await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
  } finally {
    await client.end();
  }
}

await runMain('bench records', main);
