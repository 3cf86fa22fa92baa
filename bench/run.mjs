/**
 * npm run bench: the app's create endpoints beside raw baselines measured in the same run.
 * See bench/README.md for what each figure means.
 */
import os from 'node:os';
import IORedis from 'ioredis';
import { checkpoint, createRawTable, databaseUrl, rawBulkInsert, recreateDatabase, serverFacts } from './lib/db.mjs';
import { measurePost, probe, sequentialPosts } from './lib/load.mjs';
import { createApiKey, freePort, startApp, startRawServer, stopAll } from './lib/processes.mjs';
import { figure, renderTable, summarize, writeResults } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_DATABASE ?? 'agent_ledger_bench',
  redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  seconds: Number(env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 2),
  connections: (env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
  bulkSize: 1000,
  bulkRuns: Number(env.BENCH_BULK_RUNS ?? 20),
  bulkWarmups: 2,
  poolSize: 10,
};
const RESULTS = new URL('./results/latest.json', import.meta.url);
const TARGET_CREATE = 0.35;
const TARGET_BULK = 0.25;

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

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

async function flushRedis(url) {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`recreating database ${SETTINGS.database} and flushing ${SETTINGS.redisUrl}`);
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  await flushRedis(SETTINGS.redisUrl);

  const port = await freePort();
  const appEnv = {
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: String(SETTINGS.poolSize),
    MIGRATIONS_RUN: 'true',
    REDIS_URL: SETTINGS.redisUrl,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH: 'apikey',
    NODE_ENV: 'production',
  };
  log(`starting the app (node dist/main.js) on port ${port}`);
  const app = await startApp(appEnv);
  const key = await createApiKey({ DATABASE_URL: url, LOG_LEVEL: 'warn' }, 'bench', 'bench');
  const auth = { authorization: `Bearer ${key}` };

  await createRawTable(url);
  const rawPg = await startRawServer('pg', { DATABASE_URL: url, POOL_SIZE: String(SETTINGS.poolSize) });
  const rawNone = await startRawServer('none', {});

  const pgFacts = await serverFacts(url);
  const cpus = os.cpus();
  const machine =
    `machine: ${cpus.length} cpus (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `${os.platform()} ${os.release()}, node ${process.version}, PostgreSQL ${pgFacts.version} (synchronous_commit=${pgFacts.sync}, shared_buffers=${pgFacts.buffers}), ` +
    `load average at start ${os.loadavg().map((n) => n.toFixed(2)).join('/')}`;
  const shared = 'the load generator runs in the bench process and shares these cpus with the server under test and PostgreSQL';

  const targets = {
    app: { url: `${app.base}/api/v1/agents`, headers: auth, label: 'app' },
    pg: { url: `${rawPg.base}/agents`, headers: {}, label: 'raw http+pg' },
    none: { url: `${rawNone.base}/agents`, headers: {}, label: 'raw http (no db)' },
  };
  for (const target of Object.values(targets)) {
    const row = await probe(target.url, { body: CREATE_BODY, headers: target.headers });
    if (typeof row.id !== 'string' || row.name !== 'bench-agent') throw new Error(`${target.label} answered an unexpected body: ${JSON.stringify(row)}`);
  }

  const figures = [];
  for (const connections of SETTINGS.connections) {
    const results = {};
    for (const which of ['none', 'pg', 'app']) {
      const target = targets[which];
      await checkpoint(url);
      log(`POST ${target.label}: ${connections} connections, ${SETTINGS.warmupSeconds}s warm-up + ${SETTINGS.seconds}s`);
      results[which] = await measurePost({
        url: target.url,
        body: CREATE_BODY,
        headers: target.headers,
        connections,
        seconds: SETTINGS.seconds,
        warmupSeconds: SETTINGS.warmupSeconds,
      });
      const r = results[which];
      log(`  ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`);
      if (r.non2xx > 0 || r.errors > 0) log(`  WARNING: ${target.label} had ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    }
    const detail = (which) => {
      const r = results[which];
      return `${targets[which].label}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, non-2xx ${r.non2xx}, errors ${r.errors}`;
    };
    const loadNote =
      `autocannon, ${connections} connections, ${SETTINGS.warmupSeconds}s warm-up then ${SETTINGS.seconds}s measured; ` +
      `app: ${detail('app')}; ${detail('pg')}; ${detail('none')}; app request logging off (LOG_LEVEL=warn), per-request logs roughly halve throughput; ` +
      `the app commits one transaction per create (agents row + domain_events row), the raw http+pg baseline one autocommit INSERT; ${shared}; ${machine}`;
    for (const [which, label] of [
      ['pg', 'raw http+pg'],
      ['none', 'raw http, no db'],
    ]) {
      figures.push(
        figure({
          name: `POST /api/v1/agents throughput, ${connections} conn, vs ${label}`,
          value: results.app.requestsPerSecond,
          unit: 'req/s',
          baseline: results[which].requestsPerSecond,
          target: which === 'pg' ? TARGET_CREATE : undefined,
          notes: loadNote,
        }),
        figure({
          name: `POST /api/v1/agents p99 latency, ${connections} conn, vs ${label}`,
          value: results.app.p99,
          unit: 'ms',
          baseline: results[which].p99,
          better: 'lower',
          notes: loadNote,
        }),
      );
    }
  }

  const bulkBody = JSON.stringify({ items: BULK_ITEMS });
  await checkpoint(url);
  log(`POST /api/v1/agents/bulk: ${SETTINGS.bulkRuns} sequential requests of ${SETTINGS.bulkSize} items (+${SETTINGS.bulkWarmups} warm-up)`);
  const created = await probe(`${app.base}/api/v1/agents/bulk`, { body: bulkBody, headers: auth });
  if (created.items?.length !== SETTINGS.bulkSize) throw new Error(`bulk create returned ${created.items?.length} items`);
  const appBulk = summarize(
    await sequentialPosts(`${app.base}/api/v1/agents/bulk`, { body: bulkBody, headers: auth, runs: SETTINGS.bulkRuns, warmups: SETTINGS.bulkWarmups - 1 }),
  );
  await checkpoint(url);
  log(`raw multi-row INSERT of ${SETTINGS.bulkSize} rows: ${SETTINGS.bulkRuns} times (+${SETTINGS.bulkWarmups} warm-up)`);
  const rawBulk = summarize(
    await rawBulkInsert(url, BULK_ITEMS, { runs: SETTINGS.bulkRuns, warmups: SETTINGS.bulkWarmups, tenantId: 'bench', actor: 'bench' }),
  );
  const rows = SETTINGS.bulkRuns * SETTINGS.bulkSize;
  const appRowsPerSecond = rows / (appBulk.total / 1000);
  const rawRowsPerSecond = rows / (rawBulk.total / 1000);
  log(`  app ${Math.round(appRowsPerSecond)} rows/s (median ${appBulk.median.toFixed(1)} ms/request); raw ${Math.round(rawRowsPerSecond)} rows/s (median ${rawBulk.median.toFixed(1)} ms/insert)`);
  figures.push(
    figure({
      name: `POST /api/v1/agents/bulk (${SETTINGS.bulkSize} items) vs raw multi-row INSERT`,
      value: appRowsPerSecond,
      unit: 'rows/s',
      baseline: rawRowsPerSecond,
      target: TARGET_BULK,
      notes:
        `${SETTINGS.bulkRuns} sequential requests after ${SETTINGS.bulkWarmups} warm-up; app per request: median ${appBulk.median.toFixed(1)} ms, max ${appBulk.max.toFixed(1)} ms; ` +
        `raw: one parameterised ${SETTINGS.bulkSize}-row INSERT ... RETURNING * of the same columns through one pg client, median ${rawBulk.median.toFixed(1)} ms, max ${rawBulk.max.toFixed(1)} ms; ` +
        `the app also validates every item, writes one domain_events row per agent in the same transaction and answers with every row as JSON; ` +
        `request logging off (LOG_LEVEL=warn); ${shared}; ${machine}`,
    }),
  );

  await writeResults(RESULTS, figures);
  process.stdout.write('\n' + renderTable(figures) + '\n\n');
  process.stdout.write(
    [
      'ratio = value / baseline. Throughput: the share of the baseline reached (higher is better). Latency: how many times the baseline p99 (lower is better).',
      'raw http+pg: bare Node http server, JSON body parsed, ONE pg INSERT ... RETURNING * per request (pg.Pool of 10, same as the app), 201 with the row.',
      'raw http, no db: the same server answering 201 without a database.',
      'App request logging is off (LOG_LEVEL=warn): per-request logs roughly halve throughput.',
      `The load generator (autocannon) shares the ${cpus.length} cpus with the server under test and PostgreSQL: absolute figures are lower than on a dedicated client machine.`,
      machine,
      `Written to bench/results/latest.json in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );
}

let exitCode = 0;
const onSignal = (signal) => {
  log(`${signal}: stopping children`);
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
