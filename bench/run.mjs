/**
 * npm run bench: the app's create endpoints, seeding of agents and tasks, and task transitions,
 * beside raw baselines measured in the same run. See bench/README.md for what each figure means.
 */
import { cpuSnapshot, foreignShare } from './lib/cpu.mjs';
import {
  checkpoint,
  createRawTable,
  databaseUrl,
  describeMachine,
  flushRedis,
  migrateForServiceRole,
  openRawBulkInserter,
  recreateDatabase,
} from './lib/db.mjs';
import { measureInterleaved, probe, timedPost } from './lib/load.mjs';
import { createApiKey, freePort, stackEnv, startApp, startRawServer, stop, stopAll, UNREACHED_RATE_LIMITS } from './lib/processes.mjs';
import { measureBulkIntake } from './lib/intake.mjs';
import { figure, mergeResults, renderTable, summarize, writeResults } from './lib/report.mjs';
import { createRawTaskTable, measureSeeding, measureTransitions, SEED_SYSTEM_MS } from './lib/tasks.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_DATABASE ?? 'agent_ledger_bench',
  redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  seconds: Number(env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 2),
  rounds: Number(env.BENCH_ROUNDS ?? 5),
  connections: (env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
  bulkSize: 1000,
  bulkRuns: Number(env.BENCH_BULK_RUNS ?? 20),
  bulkWarmups: 2,
  poolSize: 10,
  seedRuns: Number(env.BENCH_SEED_RUNS ?? 5),
  transitionTasks: Number(env.BENCH_TRANSITION_TASKS ?? 10_000),
  transitionWarmup: Number(env.BENCH_TRANSITION_WARMUP ?? 2000),
  transitionConnections: 10,
  appNodeArgs: (env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean),
  only: env.BENCH_ONLY ?? '',
};
const ONLY_CHOICES = ['', 'transitions'];
if (!ONLY_CHOICES.includes(SETTINGS.only)) throw new Error(`BENCH_ONLY must be one of: ${ONLY_CHOICES.filter(Boolean).join(', ')} (got ${SETTINGS.only})`);
const TRANSITION_PREFIX = 'PATCH /api/v1/tasks/:id';
const RESULTS = new URL('./results/latest.json', import.meta.url);
/** A create's share of raw http+pg: 45 % at 10 connections (the throughput issue's target), 35 % at other loads. */
const targetCreate = (connections) => (connections === 10 ? 0.45 : 0.35);
const TARGET_BULK = 0.25;

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const pct = (share) => (share === undefined ? 'n/a' : `${Math.round(share * 100)}%`);

const CREATE_BODY = JSON.stringify({
  name: 'bench-agent',
  role: 'researcher',
  description: 'registered by the benchmark',
  metadata: { model: 'gpt-x', tools: ['search', 'code'] },
});
const BULK_ITEMS = Array.from({ length: SETTINGS.bulkSize }, (_, i) => ({
  name: `bulk-agent-${i}`,
  role: 'worker',
  metadata: { model: 'gpt-x', index: i },
}));

/** POST /api/v1/agents against both raw servers, interleaved, at each connection count. */
async function measureCreates({ url, targets, shared }) {
  const figures = [];
  for (const connections of SETTINGS.connections) {
    await checkpoint(url);
    log(
      `POST create at ${connections} connections: ${SETTINGS.warmupSeconds}s warm-up each, then ${SETTINGS.seconds}s each ` +
        `in ${SETTINGS.rounds} interleaved slices (${Object.values(targets)
          .map((t) => t.label)
          .join(', ')})`,
    );
    const results = await measureInterleaved({
      targets: Object.values(targets),
      body: CREATE_BODY,
      connections,
      seconds: SETTINGS.seconds,
      warmupSeconds: SETTINGS.warmupSeconds,
      rounds: SETTINGS.rounds,
    });
    const detail = (key) => {
      const r = results[key];
      return (
        `${targets[key].label}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max} ms, ` +
        `non-2xx ${r.non2xx}, errors ${r.errors}, other processes used ${pct(r.foreignCpu)} of the cpus`
      );
    };
    for (const key of Object.keys(targets)) {
      log(`  ${detail(key)}`);
      const r = results[key];
      if (r.non2xx > 0 || r.errors > 0) log(`  WARNING: ${targets[key].label} had ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    }
    const notes =
      `autocannon, ${connections} connections, ${SETTINGS.warmupSeconds}s warm-up, then ${SETTINGS.seconds}s in ${SETTINGS.rounds} slices interleaved with the baselines; ` +
      `${detail('app')}; ${detail('pg')}; ${detail('pgtx')}; ${detail('none')}; app request logging off (LOG_LEVEL=warn), per-request logs roughly halve throughput; ` +
      `the app inserts the agent and its domain event in one statement (two data-modifying CTEs) per create, the raw http+pg baseline one autocommit INSERT, ` +
      `the "app statement" baseline the same single statement as the app; ${shared}`;
    for (const [key, label] of [
      ['pg', 'raw http+pg'],
      ['none', 'raw http, no db'],
    ]) {
      figures.push(
        figure({
          name: `POST /api/v1/agents throughput, ${connections} conn, vs ${label}`,
          value: results.app.requestsPerSecond,
          unit: 'req/s',
          baseline: results[key].requestsPerSecond,
          target: key === 'pg' ? targetCreate(connections) : undefined,
          notes,
        }),
        figure({
          name: `POST /api/v1/agents p99 latency, ${connections} conn, vs ${label}`,
          value: results.app.p99,
          unit: 'ms',
          baseline: results[key].p99,
          better: 'lower',
          notes,
        }),
      );
    }
    figures.push(
      figure({
        name: `POST /api/v1/agents throughput, ${connections} conn, vs raw http+pg sending the app's statement (diagnostic)`,
        value: results.app.requestsPerSecond,
        unit: 'req/s',
        baseline: results.pgtx.requestsPerSecond,
        notes: `separates framework cost from SQL cost: this baseline sends the app's single statement (agent and domain event); ${notes}`,
      }),
    );
  }
  return figures;
}

/** POST /api/v1/agents/bulk and the raw multi-row INSERT, alternating one of each. */
async function measureBulk({ url, app, auth, shared }) {
  const bulkUrl = `${app.base}/api/v1/agents/bulk`;
  const body = JSON.stringify({ items: BULK_ITEMS });
  const created = await probe(bulkUrl, { body, headers: auth });
  if (created.items?.length !== SETTINGS.bulkSize) throw new Error(`bulk create returned ${created.items?.length} items, expected ${SETTINGS.bulkSize}`);
  const raw = await openRawBulkInserter(url, BULK_ITEMS, { tenantId: 'bench', actor: 'bench' });
  try {
    for (let i = 0; i < SETTINGS.bulkWarmups; i++) {
      await timedPost(bulkUrl, { body, headers: auth });
      await raw.insert();
    }
    await checkpoint(url);
    log(`POST /api/v1/agents/bulk (${SETTINGS.bulkSize} items) and raw ${SETTINGS.bulkSize}-row INSERT: ${SETTINGS.bulkRuns} of each, alternating`);
    const appTimes = [];
    const rawTimes = [];
    const before = cpuSnapshot();
    for (let i = 0; i < SETTINGS.bulkRuns; i++) {
      appTimes.push(await timedPost(bulkUrl, { body, headers: auth }));
      rawTimes.push(await raw.insert());
    }
    const foreign = foreignShare(before, cpuSnapshot());
    const appSummary = summarize(appTimes);
    const rawSummary = summarize(rawTimes);
    const rows = SETTINGS.bulkRuns * SETTINGS.bulkSize;
    const appRate = rows / (appSummary.total / 1000);
    const rawRate = rows / (rawSummary.total / 1000);
    log(
      `  app ${Math.round(appRate)} rows/s (median ${appSummary.median.toFixed(1)} ms/request); raw ${Math.round(rawRate)} rows/s ` +
        `(median ${rawSummary.median.toFixed(1)} ms/insert); other processes used ${pct(foreign)} of the cpus`,
    );
    return [
      figure({
        name: `POST /api/v1/agents/bulk (${SETTINGS.bulkSize} items) vs raw multi-row INSERT`,
        value: appRate,
        unit: 'rows/s',
        baseline: rawRate,
        target: TARGET_BULK,
        notes:
          `${SETTINGS.bulkRuns} sequential requests after ${SETTINGS.bulkWarmups} warm-up, alternating with the baseline; app per request: median ${appSummary.median.toFixed(1)} ms, ` +
          `max ${appSummary.max.toFixed(1)} ms; raw: one parameterised ${SETTINGS.bulkSize}-row INSERT ... RETURNING * of the same columns over one pg connection, ` +
          `median ${rawSummary.median.toFixed(1)} ms, max ${rawSummary.max.toFixed(1)} ms; the app also validates every item, writes one domain_events row per agent ` +
          `in the same transaction and answers with every row as JSON; other processes used ${pct(foreign)} of the cpus; request logging off (LOG_LEVEL=warn); ${shared}`,
      }),
    ];
  } finally {
    await raw.close();
  }
}

/** PATCH /api/v1/tasks/:id pending → running, then the raw compare-and-set UPDATE. */
async function measureTransitionFigures({ url, app, auth, shared }) {
  await checkpoint(url);
  log(
    `PATCH /api/v1/tasks/:id on ${SETTINGS.transitionTasks} pending tasks at ${SETTINGS.transitionConnections} connections, then raw pg UPDATEs of as many rows`,
  );
  return measureTransitions({
    url,
    app,
    auth,
    shared,
    count: SETTINGS.transitionTasks,
    warmup: SETTINGS.transitionWarmup,
    connections: SETTINGS.transitionConnections,
    log,
  });
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`recreating database ${SETTINGS.database} and flushing ${SETTINGS.redisUrl}`);
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  const appUrl = await migrateForServiceRole(url);
  await flushRedis(SETTINGS.redisUrl);

  const port = await freePort();
  // The app connects as a role under row-level security, as in production; the baselines as the owner.
  const appEnv = stackEnv(
    { databaseUrl: appUrl, redisUrl: SETTINGS.redisUrl, queuePrefix: 'bench', poolSize: SETTINGS.poolSize },
    { ...UNREACHED_RATE_LIMITS, MIGRATIONS_RUN: 'false', PORT: String(port) },
  );
  log(`starting the app (node dist/main.js) on port ${port}, request logging off (LOG_LEVEL=warn)`);
  const app = await startApp(appEnv, { nodeArgs: SETTINGS.appNodeArgs });
  const key = await createApiKey({ DATABASE_URL: appUrl, LOG_LEVEL: 'warn' }, 'bench', 'bench');
  const auth = { authorization: `Bearer ${key}` };

  await createRawTaskTable(url);
  const machine = await describeMachine(url);
  const shared = `the load generator runs in the bench process and shares the ${machine.cpus} cpus with the server under test and PostgreSQL; ${machine.text}`;
  if (SETTINGS.only === 'transitions') {
    const figures = await measureTransitionFigures({ url, app, auth, shared });
    await mergeResults(RESULTS, TRANSITION_PREFIX, figures, log);
    process.stdout.write('\n' + renderTable(figures) + '\n\n' + machine.text + '\n');
    return;
  }

  await createRawTable(url);
  const rawPg = await startRawServer('pg', { DATABASE_URL: url, POOL_SIZE: String(SETTINGS.poolSize) });
  const rawPgTx = await startRawServer('pg-cte', { DATABASE_URL: url, POOL_SIZE: String(SETTINGS.poolSize) });
  const rawNone = await startRawServer('none', {});

  const targets = {
    app: { key: 'app', url: `${app.base}/api/v1/agents`, headers: auth, label: 'app' },
    pg: { key: 'pg', url: `${rawPg.base}/agents`, headers: {}, label: 'raw http+pg' },
    pgtx: { key: 'pgtx', url: `${rawPgTx.base}/agents`, headers: {}, label: 'raw http+pg, app statement' },
    none: { key: 'none', url: `${rawNone.base}/agents`, headers: {}, label: 'raw http (no db)' },
  };
  for (const target of Object.values(targets)) {
    const row = await probe(target.url, { body: CREATE_BODY, headers: target.headers });
    if (typeof row.id !== 'string' || row.name !== 'bench-agent') throw new Error(`${target.label} answered an unexpected body: ${JSON.stringify(row)}`);
  }

  const figures = [...(await measureCreates({ url, targets, shared })), ...(await measureBulk({ url, app, auth, shared }))];
  await checkpoint(url);
  // Intake alone: an API process without workers, so that no drain shares the cpus while it is measured.
  const intakeApp = await startApp({ ...appEnv, APP_ROLE: 'api', PORT: String(await freePort()) }, { nodeArgs: SETTINGS.appNodeArgs });
  try {
    const intake = { size: SETTINGS.bulkSize, runs: SETTINGS.bulkRuns, warmups: SETTINGS.bulkWarmups, log };
    figures.push(...(await measureBulkIntake({ url, app: intakeApp, auth, shared, ...intake })));
  } finally {
    await stop(intakeApp);
  }
  await checkpoint(url);
  log(
    `seeding 100 agents and 50 tasks, one request each and through the bulk routes, beside the seed system's totals ` +
      `(${SEED_SYSTEM_MS.agents} ms, ${SEED_SYSTEM_MS.tasks} ms) and raw pg inserts: ${SETTINGS.seedRuns} runs each, alternating`,
  );
  figures.push(...(await measureSeeding({ url, app, auth, shared, runs: SETTINGS.seedRuns, log })));
  figures.push(...(await measureTransitionFigures({ url, app, auth, shared })));

  await writeResults(RESULTS, figures);
  process.stdout.write('\n' + renderTable(figures) + '\n\n');
  process.stdout.write(
    [
      'ratio = value / baseline. Throughput: the share of the baseline reached (higher is better). Latency: how many times the baseline p99 (lower is better).',
      `raw http+pg: bare Node http server, JSON body parsed, ONE pg INSERT ... RETURNING * per request (pg.Pool of ${SETTINGS.poolSize}, as the app), 201 with the row.`,
      'raw http, no db: the same server answering 201 without a database. Bulk baseline: one parameterised 1000-row INSERT ... RETURNING * with pg.',
      "diagnostic rows: the raw server sending the app's statement per create (agent and domain event inserted by one statement with two CTEs).",
      `Seeding rows (ms, lower is better): medians of ${SETTINGS.seedRuns} runs; baselines are the seed system's totals (${SEED_SYSTEM_MS.agents} ms for 100 agents, ${SEED_SYSTEM_MS.tasks} ms for 50 tasks) and raw pg inserting the same rows over one connection.`,
      'Transitions: PATCH /tasks/:id pending → running, each request on a task of its own, beside raw pg compare-and-set UPDATEs from as many connections (no HTTP).',
      'App request logging is off (LOG_LEVEL=warn): per-request logs roughly halve throughput.',
      `The load generator (autocannon) runs in this process and shares the ${machine.cpus} cpus with the server under test and PostgreSQL;`,
      'app and baselines are measured in interleaved slices so that other load on the machine falls on each alike.',
      machine.text,
      `Written to bench/results/latest.json in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );
}

let exitCode = 0;
const onSignal = (signal) => {
  log(`${signal}: stopping child processes`);
  void stopAll().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  await main();
} catch (error) {
  exitCode = 1;
  process.stderr.write(`[bench] failed: ${error.stack ?? error}\n`);
} finally {
  await stopAll();
}
process.exit(exitCode);
