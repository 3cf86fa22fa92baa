/**
 * The live event stream: events/s delivered to 100 SSE subscribers of GET /api/v1/events/stream
 * and the p99 from a write to its delivery, beside a raw baseline measured in the same run: a raw
 * `pg` INSERT followed by a Redis PUBLISH of the row, fanned out to 100 Redis subscribers. See
 * bench/README.md ("Event stream figures"). Figures are merged into bench/results/latest.json.
 */
import http from 'node:http';
import pg from 'pg';
import IORedis from 'ioredis';
import { uuidv7 } from '../dist/common/persistence/uuid-v7.js';
import { cpuSnapshot, foreignShare } from './lib/cpu.mjs';
import { createRawTable, databaseUrl, describeMachine, flushRedis, migrateForServiceRole, RAW_TABLE, recreateDatabase } from './lib/db.mjs';
import { Deliveries, drained, openRedisSubscriber, openSseSubscriber, writeLoad } from './lib/fan-out.mjs';
import { request } from './lib/http.mjs';
import { latencySummary } from './lib/outbox-stats.mjs';
import { runMain } from './lib/main.mjs';
import { createApiKey, freePort, stackEnv, startApp, UNREACHED_RATE_LIMITS } from './lib/processes.mjs';
import { figure, mergeResults, renderTable } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_EVENTS_DATABASE ?? 'agent_ledger_bench_events',
  // Database 14 is the one bench/run.mjs flushes too: the scripts run one after another.
  redisUrl: env.BENCH_EVENTS_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  subscribers: Number(env.BENCH_EVENTS_SUBSCRIBERS ?? 100),
  seconds: Number(env.BENCH_EVENTS_SECONDS ?? 10),
  writers: Number(env.BENCH_EVENTS_WRITERS ?? 10),
  latencyRate: Number(env.BENCH_EVENTS_RATE ?? 100),
  poolSize: 10,
};
const FIGURE_PREFIX = 'GET /api/v1/events/stream';
const LATEST = new URL('./results/latest.json', import.meta.url);
const CHANNEL = 'bench-raw-events';
const DRAIN_MS = 60_000;

const log = (message) => process.stderr.write(`[bench events] ${message}\n`);
const pct = (share) => (share === undefined ? 'n/a' : `${Math.round(share * 100)}%`);

/** One measurement: subscribers open, writes for `seconds` (paced or not), every delivery awaited. */
async function measure({ openSubscriber, write, ratePerSecond }) {
  const deliveries = new Deliveries();
  const subscribers = [];
  for (let i = 0; i < SETTINGS.subscribers; i++) subscribers.push(await openSubscriber(deliveries));
  const before = cpuSnapshot();
  try {
    const { written, started } = await writeLoad({ seconds: SETTINGS.seconds, concurrency: SETTINGS.writers, ratePerSecond, deliveries, write });
    const complete = await drained(deliveries, SETTINGS.subscribers, DRAIN_MS);
    const spanMs = deliveries.last - started;
    return {
      written,
      delivered: deliveries.count,
      complete,
      deliveredPerSecond: deliveries.count / (spanMs / 1000),
      latency: latencySummary(deliveries.latencies),
      foreign: foreignShare(before, cpuSnapshot()),
    };
  } finally {
    for (const subscriber of subscribers) subscriber.close();
  }
}

function describe(label, r) {
  return (
    `${label}: ${r.written} writes, ${r.delivered} deliveries${r.complete ? '' : ' (INCOMPLETE: some never arrived)'}, ` +
    `${Math.round(r.deliveredPerSecond)} deliveries/s, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, max ${r.latency.max.toFixed(1)} ms, ` +
    `other processes used ${pct(r.foreign)} of the cpus`
  );
}

async function main() {
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`recreating database ${SETTINGS.database} and flushing ${SETTINGS.redisUrl}`);
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  const appUrl = await migrateForServiceRole(url);
  await flushRedis(SETTINGS.redisUrl);
  await createRawTable(url);

  const port = await freePort();
  const appEnv = stackEnv(
    { databaseUrl: appUrl, redisUrl: SETTINGS.redisUrl, queuePrefix: 'bench-events', poolSize: SETTINGS.poolSize },
    { ...UNREACHED_RATE_LIMITS, MIGRATIONS_RUN: 'false', PORT: String(port), APP_ROLE: 'api', EVENTS_MAX_STREAMS_PER_KEY: String(SETTINGS.subscribers) },
  );
  log(`starting the app (APP_ROLE=api) on port ${port}`);
  const app = await startApp(appEnv);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.writers });
  const streamUrl = `${app.base}/api/v1/events/stream`;

  // Each measurement writes as a tenant of its own. A stream opened without a position starts at
  // the start of its tenant's history: in one tenant, the second measurement's subscribers would
  // first replay the first one's events, and its writes would wait behind that replay.
  const appSide = async (tenant) => {
    const key = await createApiKey({ DATABASE_URL: appUrl, LOG_LEVEL: 'warn' }, tenant, 'bench');
    const auth = { authorization: `Bearer ${key}` };
    return {
      openSubscriber: (deliveries) => openSseSubscriber(streamUrl, auth, deliveries),
      write: async (seq) => {
        const res = await request(agent, app.base, { method: 'POST', path: '/api/v1/agents', headers: auth, body: { name: `bench-${seq}`, role: 'bench' } });
        if (res.status !== 201) throw new Error(`POST /agents answered ${res.status}: ${res.body}`);
      },
    };
  };
  const pool = new pg.Pool({ connectionString: url, max: SETTINGS.poolSize });
  const publisher = new IORedis(SETTINGS.redisUrl);
  const rawSide = {
    openSubscriber: (deliveries) => openRedisSubscriber(SETTINGS.redisUrl, CHANNEL, deliveries),
    write: async (seq) => {
      const { rows } = await pool.query(
        `INSERT INTO ${RAW_TABLE} (id, tenant_id, name, role, created_by, updated_by) VALUES ($1, 'bench', $2, 'bench', 'bench', 'bench') RETURNING *`,
        [uuidv7(), `bench-${seq}`],
      );
      await publisher.publish(CHANNEL, JSON.stringify(rows[0]));
    },
  };

  try {
    const machine = await describeMachine(url);
    const shared = `${SETTINGS.subscribers} subscribers and the writers run in the bench process and share the ${machine.cpus} cpus with the app, PostgreSQL and Redis; ${machine.text}`;
    const figures = [];

    log(`throughput: ${SETTINGS.writers} writers as fast as they go for ${SETTINGS.seconds}s, ${SETTINGS.subscribers} subscribers; app, then raw`);
    const appMax = await measure(await appSide('bench-throughput'));
    log(`  ${describe('app', appMax)}`);
    const rawMax = await measure(rawSide);
    log(`  ${describe('raw', rawMax)}`);
    const maxNotes = `${SETTINGS.writers} concurrent writers for ${SETTINGS.seconds}s; deliveries counted from the first write to the last delivery; ${describe('app', appMax)}; ${describe('raw', rawMax)}; ${shared}`;
    figures.push(
      figure({
        name: `${FIGURE_PREFIX}: events/s delivered to ${SETTINGS.subscribers} subscribers vs raw pg INSERT + Redis pub/sub fan-out`,
        value: appMax.deliveredPerSecond,
        unit: 'deliveries/s',
        baseline: rawMax.deliveredPerSecond,
        notes: `the app: POST /api/v1/agents (agent + event in one statement) and ${SETTINGS.subscribers} SSE streams, each reading the feed when woken; the raw baseline: one INSERT ... RETURNING * then one PUBLISH of the row to ${SETTINGS.subscribers} Redis subscribers; ${maxNotes}`,
      }),
    );

    log(`latency: ${SETTINGS.latencyRate} writes/s for ${SETTINGS.seconds}s, ${SETTINGS.subscribers} subscribers; app, then raw`);
    const appPaced = await measure({ ...(await appSide('bench-latency')), ratePerSecond: SETTINGS.latencyRate });
    log(`  ${describe('app', appPaced)}`);
    const rawPaced = await measure({ ...rawSide, ratePerSecond: SETTINGS.latencyRate });
    log(`  ${describe('raw', rawPaced)}`);
    const pacedNotes = `${SETTINGS.latencyRate} writes/s for ${SETTINGS.seconds}s, measured from the moment each write was sent (an upper bound of commit→delivery, the same for both) to its arrival at each subscriber; ${describe('app', appPaced)}; ${describe('raw', rawPaced)}; ${shared}`;
    figures.push(
      figure({
        name: `${FIGURE_PREFIX}: p99 commit→delivery at ${SETTINGS.latencyRate} events/s, ${SETTINGS.subscribers} subscribers, vs raw pg INSERT + Redis pub/sub`,
        value: appPaced.latency.p99,
        unit: 'ms',
        baseline: rawPaced.latency.p99,
        better: 'lower',
        notes: pacedNotes,
      }),
    );

    process.stdout.write(`\n${renderTable(figures)}\n`);
    const kept = await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
    log(`wrote ${figures.length} figures to bench/results/latest.json (kept ${kept} of other benchmarks)`);
  } finally {
    agent.destroy();
    await pool.end();
    publisher.disconnect();
  }
}

await runMain('bench events', main);
