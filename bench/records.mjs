/**
 * The bulk routes of append-only records, POST /api/v1/action-logs/bulk and
 * POST /api/v1/job-results/bulk (1000 items a request), each measured in the same run, alternating:
 *   (a) the route;
 *   (b) the route's own statement (built by the app's code from dist: rows and their events in one
 *       statement), sent raw over pg as the service role, tenant scope set;
 *   (c) the same statement without its events;
 *   (d) in this process, what the app does for the events once the statement has run: their
 *       envelopes and their publication to a wildcard listener;
 *   (raw) one multi-row INSERT of the same rows as the owner (no row-level security, no event).
 * The events cost (b) - (c) + (d) a request; the route without its events would take (a) minus
 * that. Figures are merged into bench/results/latest.json. See bench/README.md ("Record figures").
 */
import EventEmitter2 from 'eventemitter2';
import pg from 'pg';
import { createAppDataSource } from '../dist/data-source.js';
import { DomainEvents } from '../dist/common/events/domain-events.service.js';
import { hydrate } from '../dist/common/persistence/hydrate.js';
import { recordEventOf } from '../dist/common/persistence/record-events.js';
import { appendStatement } from '../dist/common/persistence/unit-of-work.js';
import { uuidv7 } from '../dist/common/persistence/uuid-v7.js';
import { ActionLog } from '../dist/modules/knowledge/action-logs/action-log.entity.js';
import { ACTION_LOG_RECORDED, newActionLog } from '../dist/modules/knowledge/action-logs/action-logs.service.js';
import { JobResult } from '../dist/modules/knowledge/job-results/job-result.entity.js';
import { JOB_RESULT_RECORDED, newJobResult } from '../dist/modules/knowledge/job-results/job-results.service.js';
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
  runs: Number(env.BENCH_RECORDS_RUNS ?? 30),
  warmups: 2,
  poolSize: 10,
  appNodeArgs: (env.BENCH_RECORDS_APP_NODE_ARGS ?? '').split(' ').filter(Boolean),
};
const TENANT = 'bench';
/** The share of its throughput without events the route must keep with them. */
const TARGET = 0.85;
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
    entity: ActionLog,
    event: ACTION_LOG_RECORDED,
    newRow: (ctx, item) => newActionLog(ctx, item, null),
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
    entity: JobResult,
    event: JOB_RESULT_RECORDED,
    newRow: (ctx, item) => newJobResult(ctx, item, { taskId: null, agentId: null }),
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

/**
 * The route's own statement, sent raw as the app sends it (same text, same parameters, as the
 * service role in the tenant's scope): the rows built by the route's code, the statement by
 * UnitOfWork's; `withEvents` false leaves out the events, and nothing else. Timed from building
 * the rows to the parsed answer; returns the time and the answer's rows.
 */
async function routeStatement(stack, route, withEvents) {
  const started = process.hrtime.bigint();
  const rows = route.items.map((item) => route.newRow(stack.ctx, item));
  const params = [];
  const sql = appendStatement(stack.metadata.manager, route.entity, rows, stack.ctx, withEvents ? route.event : undefined, params);
  const { rows: stored } = await stack.service.query(sql, params);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stored };
}

/** What the app does for the events after the statement: an envelope per event, published to its wildcard listener. */
async function publishEvents(stack, route, stored) {
  const entities = stored.map((raw) => hydrate(stack.metadata.manager, route.entity, raw));
  const started = process.hrtime.bigint();
  const envelopes = entities.map((entity, i) =>
    stack.events.envelope(stack.ctx, recordEventOf(route.event, entity), { id: String(stored[i].event_id_), occurredAt: stored[i].event_occurred_at_ }),
  );
  await stack.events.publish(envelopes);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const mean = (times) => times.reduce((a, b) => a + b, 0) / times.length;

async function measure(app, auth, stack, route, shared) {
  const url = `${app.base}${route.path}`;
  const body = JSON.stringify({ items: route.items });
  const created = await probe(url, { body, headers: auth });
  if (created.items?.length !== SETTINGS.size) throw new Error(`${route.path} returned ${created.items?.length} items`);
  const withEvents = await routeStatement(stack, route, true);
  if (withEvents.stored.length !== SETTINGS.size || withEvents.stored.some((row) => row.event_id_ == null))
    throw new Error(`${route.path}: its statement stored no event`);
  const times = { app: [], raw: [], statement: [], withoutEvents: [], publish: [] };
  const steps = [
    async (record) => {
      const ms = await timedPost(url, { body, headers: auth });
      if (record) times.app.push(ms);
    },
    async (record) => {
      const ms = await rawInsert(stack.owner, route);
      if (record) times.raw.push(ms);
    },
    async (record) => {
      const { ms, stored } = await routeStatement(stack, route, true);
      const publish = await publishEvents(stack, route, stored);
      if (record) {
        times.statement.push(ms);
        times.publish.push(publish);
      }
    },
    async (record) => {
      const { ms } = await routeStatement(stack, route, false);
      if (record) times.withoutEvents.push(ms);
    },
  ];
  for (let i = 0; i < SETTINGS.warmups; i++) for (const step of steps) await step(false);
  // The database is new: its first thousands of rows would set autovacuum and autoanalyze off on
  // these tables in the middle of the measured rounds, falling on whichever request runs then.
  await stack.owner.query(`VACUUM (ANALYZE) ${route.table}, domain_events`);
  // One of each per round, the order rotating, so that load on the machine falls on all alike.
  for (let i = 0; i < SETTINGS.runs; i++) for (let j = 0; j < steps.length; j++) await steps[(i + j) % steps.length](true);

  const rows = SETTINGS.size;
  const rate = (ms) => rows / (ms / 1000);
  const [appMs, raw, statement, withoutEvents, publish] = [times.app, times.raw, times.statement, times.withoutEvents, times.publish].map(mean);
  const eventsMs = statement - withoutEvents + publish;
  const appWithoutEvents = appMs - eventsMs;
  const median = (list) => summarize(list).median;
  const medianEventsMs = median(times.statement) - median(times.withoutEvents) + median(times.publish);
  const ms = (n) => `${n.toFixed(1)} ms`;
  log(
    `${route.path}: app ${Math.round(rate(appMs))} rows/s, without its events ${Math.round(rate(appWithoutEvents))} rows/s (events ${ms(eventsMs)} a request: ` +
      `statement ${ms(statement)} - without events ${ms(withoutEvents)} + publish ${ms(publish)}), raw ${Math.round(rate(raw))} rows/s`,
  );
  const runs = `${SETTINGS.runs} rounds after ${SETTINGS.warmups} warm-ups, one request of each kind a round in rotating order`;
  return [
    figure({
      name: `${FIGURE_PREFIX}POST ${route.path} (${SETTINGS.size} items) vs raw multi-row INSERT`,
      value: rate(appMs),
      unit: 'rows/s',
      baseline: rate(raw),
      notes:
        `${runs}; app per request: mean ${ms(appMs)}, median ${ms(median(times.app))}, max ${ms(summarize(times.app).max)}; raw: one ` +
        `${SETTINGS.size}-row INSERT ... RETURNING * of the same columns over one pg connection as the owner, mean ${ms(raw)}; the app also validates every ` +
        `item, checks its references, writes one domain_events row per record in the same statement and answers with every row as JSON; ${shared}`,
    }),
    figure({
      name: `${FIGURE_PREFIX}POST ${route.path} (${SETTINGS.size} items) vs the same route without its events (derived)`,
      value: rate(appMs),
      unit: 'rows/s',
      baseline: rate(appWithoutEvents),
      target: TARGET,
      notes:
        `${runs}. Measured: (a) the route, mean ${ms(appMs)} a request; (b) its own statement (rows and events, built by the app's code) sent raw as the ` +
        `service role in the tenant's scope, mean ${ms(statement)}; (c) the same statement without its events, mean ${ms(withoutEvents)}; (d) the ` +
        `events' envelopes and their publication to a wildcard listener, in the bench process, mean ${ms(publish)}. Derived: the events cost ` +
        `(b) - (c) + (d) = ${ms(eventsMs)} a request (from medians: ${ms(medianEventsMs)}); the baseline is the route's rate at (a) minus that, ` +
        `${ms(appWithoutEvents)} a request; ${shared}`,
    }),
  ];
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
    { nodeArgs: SETTINGS.appNodeArgs },
  );
  const key = await createApiKey({ DATABASE_URL: appUrl, LOG_LEVEL: 'warn' }, TENANT, 'bench');
  const auth = { authorization: `Bearer ${key}` };
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  const [{ id: keyId }] = (await owner.query('SELECT id FROM api_keys WHERE tenant_id = $1 AND name = $2', [TENANT, 'bench'])).rows;
  const service = new pg.Client({ connectionString: appUrl });
  await service.connect();
  await service.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
  // The app's entity metadata, to build its statements; never queried.
  const metadata = createAppDataSource({ profile: 'server', url, poolSize: 1, migrationsRun: false, dataDir: '' }, { logging: false });
  await metadata.initialize();
  const emitter = new EventEmitter2({ wildcard: true, delimiter: '.' });
  // As the app's one wildcard listener (EventWakeups) does: note the tenant, flush once a tick.
  const pending = new Set();
  let flushScheduled = false;
  emitter.on('**', (event) => {
    pending.add(event.tenantId);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => ((flushScheduled = false), pending.clear()));
  });
  const stack = {
    owner,
    service,
    metadata,
    events: new DomainEvents(emitter),
    ctx: { tenantId: TENANT, actorId: 'bench', keyId, correlationId: uuidv7() },
  };
  try {
    const machine = await describeMachine(url);
    const shared = `the load generator shares the ${machine.cpus} cpus with the server and PostgreSQL; ${machine.text}`;
    const figures = [];
    for (const route of ROUTES) figures.push(...(await measure(app, auth, stack, route, shared)));
    process.stdout.write(`${renderTable(figures)}\n`);
    await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
  } finally {
    await Promise.all([owner.end(), service.end(), metadata.destroy()]);
  }
}

await runMain('bench records', main);
