/**
 * The outbox benchmark: how fast ONE and TWO worker processes drain a backlog of service-call
 * results in batches, and the intake-to-persisted latency at a low steady rate, beside two
 * baselines measured in the same run: (a) raw BullMQ + pg, one job and one INSERT per result, and
 * (b) a raw batched drain (PERSIST_BATCH_SIZE rows per transaction claimed with SKIP LOCKED, one
 * multi-row INSERT, one UPDATE). See bench/README.md ("Outbox figures").
 * Figures are merged into bench/results/latest.json and written alone to bench/results/outbox.json.
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import pg from 'pg';
import {
  checkpoint,
  createRawTable,
  databaseUrl,
  describeMachine,
  flushRedis,
  migrateForServiceRole,
  recreateDatabase,
  serviceUrl,
  vacuum,
} from './lib/db.mjs';
import { rawBatchedDrain, rawDrain, rawLatency } from './lib/outbox-raw.mjs';
import { cpuBreakdown, cpuMsPerItem, cpuSnapshot, describeCpu, drainRate, latencySummary } from './lib/outbox-stats.mjs';
import { runMain } from './lib/main.mjs';
import { createApiKey, freePort, stackEnv, startApp, stop, UNREACHED_RATE_LIMITS } from './lib/processes.mjs';
import { figure, mergeResults, renderTable, writeResults } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_OUTBOX_DATABASE ?? 'agent_ledger_bench_outbox',
  redisUrl: env.BENCH_OUTBOX_REDIS_URL ?? 'redis://127.0.0.1:6379/11',
  queuePrefix: 'bench-outbox',
  results: Number(env.BENCH_OUTBOX_RESULTS ?? 60_000),
  workerCounts: (env.BENCH_OUTBOX_WORKERS ?? '1,2').split(',').map(Number),
  concurrency: Number(env.BENCH_OUTBOX_CONCURRENCY ?? 10),
  batchSize: Number(env.BENCH_OUTBOX_BATCH_SIZE ?? 100),
  // Backlogs are posted through the bulk intake: this many results a request, two requests at a time.
  intakeBulkSize: Number(env.BENCH_OUTBOX_INTAKE_BULK ?? 1000),
  intakeInFlight: Number(env.BENCH_OUTBOX_INTAKE_IN_FLIGHT ?? 2),
  // The tenants the results belong to, one after the other by request (with small requests, a
  // backlog of many tenants' results interleaved, as agents of many teams post them).
  tenants: Number(env.BENCH_OUTBOX_TENANTS ?? 1),
  warmupShare: 0.05,
  // Results every drainer (the app's workers, each baseline) drains before the measured backlog:
  // measured are processes whose code the JIT has compiled, as in a process that has been running.
  warmupResults: Number(env.BENCH_OUTBOX_WARMUP_RESULTS ?? 3000),
  latencyResults: Number(env.BENCH_OUTBOX_LATENCY_RESULTS ?? 300),
  latencyRate: Number(env.BENCH_OUTBOX_LATENCY_RATE ?? 50),
  workerNodeArgs: (env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  poolSize: 10,
  drainTimeoutMs: 150_000,
};
const FIGURE_PREFIX = 'outbox ';
const LATEST = new URL('./results/latest.json', import.meta.url);
const OWN = new URL('./results/outbox.json', import.meta.url);
const TENANT = 'bench';
/** Every tenant of the run: `bench`, then `bench-2`, `bench-3`… */
const TENANTS = Array.from({ length: SETTINGS.tenants }, (_, i) => (i === 0 ? TENANT : `${TENANT}-${i + 1}`));
/** Drains of several tenants' results are figures of their own. */
const TENANTS_NOTE = TENANTS.length > 1 ? `, ${TENANTS.length} tenants interleaved` : '';

const log = (message) => process.stderr.write(`[bench outbox] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

const APP_WORK =
  'per batch (one BullMQ drain job) the app worker runs ONE transaction: outbox_claim (SELECT ... FOR UPDATE SKIP LOCKED) of up to PERSIST_BATCH_SIZE due records, ' +
  'read in the same statement with whether their idempotency keys are taken, a SAVEPOINT, validation of each result against the handler schema, ' +
  'ONE multi-row INSERT of their agents (persistMany), then ONE statement inserting their idempotency keys (each with its agent), every domain event (agent.registered and ' +
  'persistence.persisted per result) and marking every record persisted (persisted_at = clock_timestamp()), COMMIT; then the events are published';
const RAW_WORK =
  'the raw baseline processor runs ONE autocommit INSERT of the agent row (same columns as the app) into a copy of the agents table per job, nothing else';
const RAW_BATCH_WORK =
  'ONE client, transactions of PERSIST_BATCH_SIZE: SELECT id, name FROM a raw outbox table ... FOR UPDATE SKIP LOCKED, ONE multi-row INSERT of their agents into the copy of ' +
  'the agents table, ONE UPDATE marking them persisted, COMMIT; no events, no idempotency keys, no queue';

function appEnv(url, extra) {
  // As the service role (row-level security).
  return stackEnv(
    { databaseUrl: serviceUrl(url), redisUrl: SETTINGS.redisUrl, queuePrefix: SETTINGS.queuePrefix, poolSize: SETTINGS.poolSize },
    { ...UNREACHED_RATE_LIMITS, ...extra },
  );
}

/** A fresh stack: empty database migrated by its owner, flushed Redis database, API key. No worker yet. The app runs as the service role. */
async function startStack(url) {
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  await migrateForServiceRole(url);
  await flushRedis(SETTINGS.redisUrl);
  const api = await startApp(appEnv(url, { APP_ROLE: 'api', MIGRATIONS_RUN: 'false', PORT: String(await freePort()) }));
  const keys = [];
  for (const tenant of TENANTS) keys.push(await createApiKey({ DATABASE_URL: serviceUrl(url), LOG_LEVEL: 'warn' }, tenant, 'bench-outbox'));
  await createRawTable(url);
  // Every tenant's headers; single results go as the first tenant, bulk requests to each in turn (see postBulk).
  const auths = keys.map((key) => ({ authorization: `Bearer ${key}` }));
  return { api, auth: auths[0], auths };
}

async function startWorker(url, concurrency, port) {
  return startApp(
    appEnv(url, {
      APP_ROLE: 'worker',
      MIGRATIONS_RUN: 'false',
      WORKER_CONCURRENCY: String(concurrency),
      PERSIST_BATCH_SIZE: String(SETTINGS.batchSize),
      PORT: port,
    }),
    {
      nodeArgs: SETTINGS.workerNodeArgs,
    },
  );
}

/** The body of one posted result: an agent registration named after its call id. */
function serviceCall(callId) {
  return { callId, namespace: 'core', schema: 'agent.registration@1', result: { name: callId, role: 'bench' } };
}

async function postResult(api, auth, callId) {
  const response = await fetch(`${api.base}/api/v1/service-calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(serviceCall(callId)),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /api/v1/service-calls answered ${response.status}, expected 202: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/**
 * Posts results `from`..`to - 1` in one `POST /api/v1/service-calls/bulk`, as the tenant whose turn
 * it is (requests go to each of `auths`, every tenant's headers, in turn); every one must be accepted.
 */
async function postBulk(api, auths, tag, from, to) {
  const items = [];
  for (let i = from; i < to; i++) items.push(serviceCall(`${tag}${i}`));
  const auth = auths[Math.floor(from / SETTINGS.intakeBulkSize) % auths.length];
  const response = await fetch(`${api.base}/api/v1/service-calls/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ items }),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /api/v1/service-calls/bulk answered ${response.status}, expected 202: ${text.slice(0, 500)}`);
  const refused = JSON.parse(text).items.filter((item) => item.outcome !== 'accepted');
  if (refused.length > 0)
    throw new Error(`POST /api/v1/service-calls/bulk did not accept ${refused.length} of ${items.length} results: ${JSON.stringify(refused[0]).slice(0, 300)}`);
}

/** Posts `count` results through the bulk intake, SETTINGS.intakeBulkSize a request, `inFlight` requests at a time; returns the seconds it took. */
async function postBacklog(api, auths, tag, count, inFlight) {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + SETTINGS.intakeBulkSize);
        await postBulk(api, auths, tag, from, next);
      }
    }),
  );
  return (now() - started) / 1000;
}

/** Posts `count` results on a fixed schedule (`ratePerSecond`, open loop: a slow answer delays no later request). */
async function postAtRate(api, auth, tag, count, ratePerSecond) {
  const sends = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / ratePerSecond - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(postResult(api, auth, `${tag}${i}`));
  }
  const records = await Promise.all(sends);
  return { records, seconds: (performance.now() - t0) / 1000 };
}

async function statusCounts(db, tag) {
  const { rows } = await db.query(
    `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE attempts > 1)::int AS retried FROM service_call_records WHERE call_id LIKE $1 GROUP BY status`,
    [`${tag}%`],
  );
  const counts = { pending: 0, persisted: 0, skipped: 0, dead_lettered: 0, retried: 0 };
  for (const row of rows) {
    counts[row.status] = row.n;
    counts.retried += row.retried;
  }
  return counts;
}

/** The records not yet persisted, by status (read once a drain is over, or has failed). */
async function unfinishedCounts(poll) {
  const { rows } = await poll.query(`SELECT status, count(*)::int AS n FROM service_call_records WHERE status <> 'persisted' GROUP BY status`);
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * Whether any record is still pending, and whether any of the tenants' records was skipped or
 * dead-lettered: each the first live entry of a partial index. (Counting the unfinished records by
 * status read every pending record and every index entry the drain had left behind: over 50 ms a
 * poll with 300,000 results, ten times a second, about a third of a cpu taken from the drain it
 * measured, which the raw baselines, waiting in their own process, were not charged.) `poll` is a
 * connection that plans without sequential scans, so that the indexes are used whatever the
 * statistics say.
 */
async function drainState(poll) {
  const { rows } = await poll.query(
    `SELECT EXISTS (SELECT 1 FROM service_call_records WHERE status = 'pending') AS pending,
            EXISTS (SELECT 1 FROM service_call_records WHERE tenant_id = ANY($1) AND status = 'skipped')
              OR EXISTS (SELECT 1 FROM service_call_records WHERE tenant_id = ANY($1) AND status = 'dead_lettered') AS failed`,
    [TENANTS],
  );
  return rows[0];
}

/** Polls PostgreSQL until no record is left pending; fails on a skipped or dead-lettered record, or on time-out. */
async function waitFinished(poll, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pending, failed } = await drainState(poll);
    if (failed) throw new Error(`results were not persisted: ${JSON.stringify(await unfinishedCounts(poll))}`);
    if (!pending) return;
    if (Date.now() > deadline) throw new Error(`results still pending after ${timeoutMs} ms: ${JSON.stringify(await unfinishedCounts(poll))}`);
    await sleep(100);
  }
}

/** The records of `tag` by status; fails unless `count` of them are persisted. */
async function persistedCounts(db, tag, count) {
  const counts = await statusCounts(db, tag);
  if (counts.persisted !== count) throw new Error(`${counts.persisted} of ${count} results persisted: ${JSON.stringify(counts)}`);
  return counts;
}

/** Waits until the `count` records of `tag` are persisted (every record of an earlier tag is already). */
async function waitPersisted({ db, poll }, tag, count, timeoutMs) {
  await waitFinished(poll, timeoutMs);
  return persistedCounts(db, tag, count);
}

/** Exactly once: one record, one idempotency key, one agent, one agent.registered and one persistence.persisted event per result. */
async function verifyExactlyOnce(db, tag, count) {
  const like = `${tag}%`;
  const { rows } = await db.query(
    `SELECT
       (SELECT count(*)::int FROM service_call_records WHERE call_id LIKE $1) AS records,
       (SELECT count(*)::int FROM service_call_records WHERE call_id LIKE $1 AND status = 'persisted' AND persisted_at IS NOT NULL) AS persisted,
       (SELECT count(*)::int FROM persisted_chunks WHERE call_id LIKE $1 AND domain_type = 'agent') AS chunks,
       (SELECT count(*)::int FROM agents WHERE name LIKE $1) AS agents,
       (SELECT count(DISTINCT name)::int FROM agents WHERE name LIKE $1) AS distinct_agents,
       (SELECT count(*)::int FROM domain_events e JOIN agents a ON a.id = e.aggregate_id WHERE e.type = 'agent.registered' AND a.name LIKE $1) AS agent_events,
       (SELECT count(*)::int FROM domain_events e JOIN service_call_records r ON r.id = e.aggregate_id WHERE e.type = 'persistence.persisted' AND r.call_id LIKE $1) AS persisted_events`,
    [like],
  );
  const c = rows[0];
  const wrong = Object.entries(c).filter(([, n]) => n !== count);
  if (wrong.length > 0) throw new Error(`exactly-once check failed for ${count} results (${tag}*): ${JSON.stringify(c)}`);
  return c;
}

/** Checks one record through the HTTP API as well: status persisted, persistedAt set, one agent. */
async function checkThroughApi(api, auth, id) {
  const response = await fetch(`${api.base}/api/v1/service-calls/${id}`, { headers: auth });
  const body = await response.json();
  if (response.status !== 200 || body.status !== 'persisted' || !body.persistedAt || body.domainObjects?.[0]?.type !== 'agent') {
    throw new Error(`GET /api/v1/service-calls/${id} answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

async function queueCounts(queue) {
  return queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
}

async function waitQueueIdle(queue, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queueCounts(queue);
    if (counts.waiting + counts.prioritized + counts.delayed + counts.active === 0) return counts;
    if (Date.now() > deadline) throw new Error(`the persistence queue did not empty within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(100);
  }
}

/** Records of `tag` with their times (epoch ms). */
async function recordTimes(db, tag) {
  const { rows } = await db.query(
    `SELECT id, (extract(epoch FROM created_at) * 1000)::float8 AS created, (extract(epoch FROM persisted_at) * 1000)::float8 AS persisted
     FROM service_call_records WHERE call_id LIKE $1 AND status = 'persisted'`,
    [`${tag}%`],
  );
  return rows;
}

/**
 * The same records' drain transactions: when each began (epoch ms), read from the occurred_at
 * (now(): its transaction's start) of its `persistence.persisted` event.
 */
async function drainStarts(db, tag) {
  const { rows } = await db.query(
    `SELECT r.id, (extract(epoch FROM e.occurred_at) * 1000)::float8 AS began
     FROM service_call_records r JOIN domain_events e ON e.tenant_id = r.tenant_id AND e.aggregate_id = r.id AND e.type = 'persistence.persisted'
     WHERE r.call_id LIKE $1 AND r.status = 'persisted'`,
    [`${tag}%`],
  );
  return new Map(rows.map((row) => [row.id, row.began]));
}

/** The app's drain by `workers` worker processes, on a fresh stack; also the latency phase when asked. */
async function measureApp(url, workers, { withLatency, cpus }) {
  log(`${workers} worker(s): fresh stack (database ${SETTINGS.database} recreated and migrated, ${SETTINGS.redisUrl} flushed), no worker yet`);
  const { api, auth, auths } = await startStack(url);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const poll = new pg.Client({ connectionString: url, options: '-c enable_seqscan=off' });
  await poll.connect();
  const observer = { db, poll };
  const queueConnection = new IORedis(SETTINGS.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('persistence', { connection: queueConnection, prefix: SETTINGS.queuePrefix });
  const started = [];
  try {
    const ports = [];
    for (let i = 0; i < workers; i++) ports.push(String(await freePort()));
    const workerStarted = now();
    started.push(...(await Promise.all(ports.map((port) => startWorker(url, SETTINGS.concurrency, port)))));
    log(
      `  ${workers} worker(s) (WORKER_CONCURRENCY=${SETTINGS.concurrency}, PERSIST_BATCH_SIZE=${SETTINGS.batchSize}) ready after ${Math.round(now() - workerStarted)} ms`,
    );
    if (SETTINGS.warmupResults > 0) {
      const warmTag = `warm-w${workers}-`;
      await postBacklog(api, auths, warmTag, SETTINGS.warmupResults, SETTINGS.intakeInFlight);
      await waitPersisted(observer, warmTag, SETTINGS.warmupResults, SETTINGS.drainTimeoutMs);
      log(`  warm-up: the workers drained ${SETTINGS.warmupResults} results; the queue is paused while the measured backlog is posted`);
    }
    // Paused, the workers take no job: the backlog waits in PostgreSQL as if no worker ran.
    await queue.pause();
    const tag = `drain-w${workers}-`;
    const intakeSeconds = await postBacklog(api, auths, tag, SETTINGS.results, SETTINGS.intakeInFlight);
    const before = await queueCounts(queue);
    log(
      `  posted ${SETTINGS.results} results in ${fmt(intakeSeconds)} s (${Math.round(SETTINGS.results / intakeSeconds)}/s, bulk intake: ${SETTINGS.intakeBulkSize} a request, ${SETTINGS.intakeInFlight} in flight); jobs: ${JSON.stringify(before)}`,
    );
    const pending = await statusCounts(db, tag);
    if (pending.pending !== SETTINGS.results)
      throw new Error(`expected ${SETTINGS.results} pending records before the queue resumes, found ${JSON.stringify(pending)}`);
    await checkpoint(url);

    const cpuBefore = cpuSnapshot();
    const resumed = now();
    await queue.resume();
    log(`  queue resumed; draining`);
    await waitFinished(poll, SETTINGS.drainTimeoutMs);
    const cpuAfter = cpuSnapshot();
    const final = await persistedCounts(db, tag, SETTINGS.results);
    const pids = Object.fromEntries(started.map((worker, i) => [`worker ${i + 1}`, worker.child.pid]));
    const cpu = cpuBreakdown(cpuBefore, cpuAfter, {
      ...pids,
      api: api.child.pid,
      'bench process': process.pid,
      postgres: 'postgres',
      redis: 'redis-server',
    });
    const checks = await verifyExactlyOnce(db, tag, SETTINGS.results);
    const after = await queueCounts(queue);
    const times = (await recordTimes(db, tag)).map((r) => r.persisted);
    // None, unless the pause failed: those are left out of the rate and of the cpu per result.
    const beforeResume = times.filter((t) => t < resumed).length;
    const drain = drainRate(times, Math.max(SETTINGS.warmupShare, beforeResume / times.length));
    // Per result persisted after the queue resumed: those whose cpu the readings hold.
    const workerCpuMs = cpuMsPerItem(
      cpuBefore,
      cpuAfter,
      started.map((worker) => worker.child.pid),
      times.length - beforeResume,
    );
    log(
      `  app: ${Math.round(drain.rate)} results/s (results ${drain.skipped + 1}..${times.length}, ${fmt(drain.spanMs / 1000, 2)} s; ${beforeResume} persisted before the queue resumed); ` +
        `first to last ${Math.round(drain.overallRate)}/s over ${fmt(drain.totalMs / 1000, 2)} s; retried ${final.retried}; jobs when the last result was persisted ${JSON.stringify(after)}`,
    );
    log(`  ${describeCpu(cpu, cpus)}; worker cpu per result ${fmt(workerCpuMs, 3)} ms`);
    const result = { workers, intakeSeconds, drain, beforeResume, retried: final.retried, cpu, workerCpuMs, checks, jobsAfter: after };

    if (withLatency) {
      result.idleAfter = await waitQueueIdle(queue, 60_000);
      await sleep(1000);
      // An idle stack: vacuumed, as autovacuum leaves it some time after the backlog.
      await vacuum(url);
      await checkpoint(url);
      const latencyTag = `latency-w${workers}-`;
      log(`  latency: ${SETTINGS.latencyResults} results at ${SETTINGS.latencyRate}/s to the same stack (idle workers)`);
      const sent = await postAtRate(api, auth, latencyTag, SETTINGS.latencyResults, SETTINGS.latencyRate);
      await waitPersisted(observer, latencyTag, SETTINGS.latencyResults, 60_000);
      await verifyExactlyOnce(db, latencyTag, SETTINGS.latencyResults);
      await checkThroughApi(api, auth, sent.records[0].id);
      const latencyRecords = await recordTimes(db, latencyTag);
      result.latency = { ...latencySummary(latencyRecords.map((r) => r.persisted - r.created)), sendSeconds: sent.seconds };
      const began = await drainStarts(db, latencyTag);
      result.latencyToDrain = latencySummary(latencyRecords.map((r) => began.get(r.id) - r.created));
      log(
        `  app intake-to-persisted: p50 ${fmt(result.latency.p50)} ms, p90 ${fmt(result.latency.p90)} ms, p99 ${fmt(result.latency.p99)} ms, max ${fmt(result.latency.max)} ms ` +
          `(sent in ${fmt(sent.seconds, 2)} s); intake to the start of its drain transaction: p50 ${fmt(result.latencyToDrain.p50)} ms, p99 ${fmt(result.latencyToDrain.p99)} ms`,
      );
    }
    return result;
  } finally {
    await queue.close().catch(() => undefined);
    queueConnection.disconnect();
    await db.end().catch(() => undefined);
    await poll.end().catch(() => undefined);
    for (const worker of started) await stop(worker);
    await stop(api);
  }
}

/** A baseline's warm-up: `drain` runs once on SETTINGS.warmupResults rows of its own, then a checkpoint. */
async function warmUp(url, drain) {
  if (SETTINGS.warmupResults === 0) return;
  await drain(SETTINGS.warmupResults);
  await checkpoint(url);
}

/**
 * One sample of the raw batched drain (b): its warm-up, then SETTINGS.results rows of its own. It
 * drains them in under half the time the app takes (about 2.5 s), short enough for one of the
 * machine's moments of slowness to move it by a fifth: (b) is sampled after every drain of the app
 * and with the other baselines, and the median sample is the baseline (see medianSample).
 */
async function measureBatched(url, sample) {
  await checkpoint(url);
  await warmUp(url, (count) => rawBatchedDrain({ databaseUrl: url, count, batchSize: SETTINGS.batchSize, run: `warm-${sample}` }));
  const batched = await rawBatchedDrain({ databaseUrl: url, count: SETTINGS.results, batchSize: SETTINGS.batchSize, run: `measured-${sample}` });
  const rate = drainRate(batched.completions, SETTINGS.warmupShare);
  log(`  raw batched drain, sample ${sample}: ${Math.round(rate.rate)} rows/s (batches of ${SETTINGS.batchSize}, one client)`);
  return rate;
}

/** The median of drain samples by rate; of an even number, the faster of the middle two (the app is then compared with the higher). */
function medianSample(samples) {
  const sorted = [...samples].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measureRaw(url, { withLatency, cpus, batchedSamples }) {
  const concurrency = SETTINGS.concurrency;
  await checkpoint(url);
  const rig = { redisUrl: SETTINGS.redisUrl, databaseUrl: url, concurrency, poolSize: SETTINGS.poolSize };
  await warmUp(url, (count) => rawDrain({ ...rig, count, run: 'warm' }));
  const cpuBefore = cpuSnapshot();
  const raw = await rawDrain({ ...rig, count: SETTINGS.results });
  const cpu = cpuBreakdown(cpuBefore, cpuSnapshot(), { 'bench process (queue, worker, pool)': process.pid, postgres: 'postgres', redis: 'redis-server' });
  const drain = drainRate(raw.completions, SETTINGS.warmupShare);
  log(
    `  raw BullMQ+pg: ${Math.round(drain.rate)} jobs/s (jobs ${drain.skipped + 1}..${raw.completions.length}, ${fmt(drain.spanMs / 1000, 2)} s); ` +
      `first to last ${Math.round(drain.overallRate)}/s over ${fmt(drain.totalMs / 1000, 2)} s`,
  );
  log(`  ${describeCpu(cpu, cpus)}`);
  const result = { drain, cpu };
  batchedSamples.push(await measureBatched(url, batchedSamples.length + 1));
  result.batched = medianSample(batchedSamples);
  result.batchedSamples = batchedSamples;
  log(`  raw batched drain: ${Math.round(result.batched.rate)} rows/s, the median of ${batchedSamples.length} samples`);
  if (withLatency) {
    // As the app's latency: after a vacuum of what the drains before it left.
    await vacuum(url);
    await checkpoint(url);
    const latency = await rawLatency({
      redisUrl: SETTINGS.redisUrl,
      databaseUrl: url,
      concurrency,
      count: SETTINGS.latencyResults,
      ratePerSecond: SETTINGS.latencyRate,
      poolSize: SETTINGS.poolSize,
    });
    result.latency = { ...latencySummary(latency.latencies), sendSeconds: latency.sendSeconds };
    log(
      `  raw add → INSERT committed: p50 ${fmt(result.latency.p50)} ms, p90 ${fmt(result.latency.p90)} ms, p99 ${fmt(result.latency.p99)} ms, max ${fmt(result.latency.max)} ms`,
    );
  }
  return result;
}

function appNotes(app, cpus) {
  return (
    `${SETTINGS.results} agent.registration@1 results posted to POST /api/v1/service-calls/bulk (${SETTINGS.intakeBulkSize} a request, ${SETTINGS.intakeInFlight} in flight, ${Math.round(SETTINGS.results / app.intakeSeconds)}/s) ` +
    `on a fresh database and Redis db while the queue was paused, ${app.workers} worker process(es) (APP_ROLE=worker, WORKER_CONCURRENCY=${SETTINGS.concurrency}, ` +
    `PERSIST_BATCH_SIZE=${SETTINGS.batchSize}, DATABASE_POOL_SIZE=${SETTINGS.poolSize}) running and warmed up by draining ${SETTINGS.warmupResults} results first, ` +
    `then the queue resumed; rate = results persisted per second by persisted_at (PostgreSQL), ` +
    `from result ${app.drain.skipped + 1} to the last (warm-up: the first ${Math.round(SETTINGS.warmupShare * 100)}% and the ${app.beforeResume} persisted before the queue resumed), ` +
    `over ${fmt(app.drain.spanMs / 1000, 2)} s; first to last: ${Math.round(app.drain.overallRate)}/s over ${fmt(app.drain.totalMs / 1000, 2)} s; results retried: ${app.retried}; ` +
    `jobs when the last result was persisted: ${JSON.stringify(app.jobsAfter)}; checked: every result persisted exactly once (${JSON.stringify(app.checks)}); ` +
    `app ${describeCpu(app.cpu, cpus)}; worker cpu per result ${fmt(app.workerCpuMs, 3)} ms (all worker processes, from the queue's resume to the last result); ${APP_WORK}.`
  );
}

function drainFigures(apps, raw, shared, cpus) {
  const figures = [];
  for (const app of apps) {
    const who = `${app.workers} worker process${app.workers > 1 ? 'es' : ''}${TENANTS_NOTE}`;
    figures.push(
      figure({
        name: `${FIGURE_PREFIX}drain, ${who}, vs raw BullMQ+pg (one job per result)`,
        value: app.drain.rate,
        unit: 'results/s',
        baseline: raw.drain.rate,
        // Per worker process: the targets apply to the one-worker figures; the two-worker one is compared with one below.
        target: app.workers === 1 ? 1 : undefined,
        notes:
          `${appNotes(app, cpus)} Baseline (a): ${SETTINGS.results} jobs added with Queue.addBulk, then a BullMQ Worker with concurrency ${SETTINGS.concurrency} in the bench process; ` +
          `${RAW_WORK}, through a pg.Pool of ${SETTINGS.poolSize}; jobs/s from job ${raw.drain.skipped + 1} to the last by the time each INSERT resolved (first to last ` +
          `${Math.round(raw.drain.overallRate)}/s); baseline ${describeCpu(raw.cpu, cpus)}; ${shared}`,
      }),
      figure({
        name: `${FIGURE_PREFIX}drain, ${who}, vs raw batched drain`,
        value: app.drain.rate,
        unit: 'results/s',
        baseline: raw.batched.rate,
        target: app.workers === 1 ? 0.4 : undefined,
        notes:
          `${appNotes(app, cpus)} Baseline (b): ${SETTINGS.results} rows; ${RAW_BATCH_WORK}; rows/s by COMMIT time after a ${Math.round(SETTINGS.warmupShare * 100)}% warm-up, ` +
          `over ${fmt(raw.batched.spanMs / 1000, 2)} s; the median of ${raw.batchedSamples.length} samples, one after each drain of the app and one with the other baselines ` +
          `(${raw.batchedSamples.map((sample) => Math.round(sample.rate)).join(', ')} rows/s); ${shared}`,
      }),
    );
  }
  return figures;
}

function latencyFigures(app, raw, shared) {
  const c = SETTINGS.concurrency;
  const detail = (l) => `p50 ${fmt(l.p50)} ms, p90 ${fmt(l.p90)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms over ${l.count}`;
  const notes =
    `${SETTINGS.latencyResults} results posted one by one at a fixed ${SETTINGS.latencyRate}/s (open loop) to the stack of the one-worker drain after it finished ` +
    `(one api and one idle worker process, WORKER_CONCURRENCY=${c}); latency = persisted_at - created_at of each record (created_at: the intake statement's time in PostgreSQL, ` +
    `persisted_at: clock_timestamp() in the last statement before COMMIT); app ${detail(app.latency)}; ` +
    `the part from the intake to the start of the drain transaction that persisted it (now() of its persistence.persisted event): ${detail(app.latencyToDrain)}; ` +
    `each result wakes the drain (a deduplicated job) after its intake commits; ${APP_WORK}. ` +
    `Baseline: in the bench process a BullMQ Worker (concurrency ${c}) already consuming, and Queue.add of one job at a time at the same ${SETTINGS.latencyRate}/s; ` +
    `latency = from just before Queue.add to the moment the processor's INSERT resolved (committed), both clocks in one process; ${RAW_WORK}, pg.Pool of ${SETTINGS.poolSize}; ` +
    `baseline ${detail(raw.latency)}; the app's path also includes the HTTP request, its own insert of the record and its received event, and the after-commit Queue.add; ${shared}`;
  return ['p50', 'p99'].map((q) =>
    figure({
      name: `${FIGURE_PREFIX}intake-to-persisted ${q} latency, ${SETTINGS.latencyRate}/s, one worker, vs raw BullMQ add→INSERT`,
      value: app.latency[q],
      unit: 'ms',
      baseline: raw.latency[q],
      better: 'lower',
      notes,
    }),
  );
}

/** Replaces this benchmark's figures in latest.json (keeping everyone else's) and writes outbox.json. */
async function saveResults(figures) {
  const kept = await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
  await writeResults(OWN, figures);
  return kept;
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  const machine = await describeMachine(SETTINGS.adminUrl);
  const shared =
    `the load generator (bench process), the api and worker processes, PostgreSQL and Redis all share the ${machine.cpus} cpus; ` +
    `app request logging off (LOG_LEVEL=warn); ${machine.text}`;
  const apps = [];
  const batchedSamples = [];
  for (const workers of SETTINGS.workerCounts) {
    apps.push(await measureApp(url, workers, { withLatency: workers === 1, cpus: machine.cpus }));
    // A sample of (b) right after each of the app's drains, as the machine is then (see measureBatched).
    batchedSamples.push(await measureBatched(url, batchedSamples.length + 1));
  }
  const raw = await measureRaw(url, { withLatency: true, cpus: machine.cpus, batchedSamples });
  const figures = drainFigures(apps, raw, shared, machine.cpus);
  const one = apps.find((app) => app.workers === 1);
  if (one?.latency) figures.push(...latencyFigures(one, raw, shared));
  const two = apps.find((app) => app.workers === 2);
  if (one && two) {
    log(`two workers drain ${fmt(two.drain.rate / one.drain.rate, 2)}× what one does`);
    figures.push(
      figure({
        name: `${FIGURE_PREFIX}drain, 2 worker processes, vs 1 worker process${TENANTS_NOTE}`,
        value: two.drain.rate,
        unit: 'results/s',
        baseline: one.drain.rate,
        target: 1.3,
        notes: `how the drain scales with a second worker process on ${machine.cpus} cpus (see each drain figure for the cpu use of every process); ${shared}`,
      }),
    );
  }

  const kept = await saveResults(figures);
  process.stdout.write('\n' + renderTable(figures) + '\n\n');
  process.stdout.write(
    [
      'ratio = value / baseline. Drain: the share of the baseline rate the app reaches (higher is better). Latency: how many times the baseline (lower is better).',
      `drain: ${SETTINGS.results} results queued while the queue was paused, then drained by ONE or TWO worker processes; rate from persisted_at after a ${Math.round(SETTINGS.warmupShare * 100)}% warm-up.`,
      `warm-up: every drainer (the app's workers, each baseline) first drains ${SETTINGS.warmupResults} results of its own, so that what is measured is compiled code, as in a process that has been running.`,
      `app, per batch of up to ${SETTINGS.batchSize}: one transaction claiming the records (SKIP LOCKED), their agents, their idempotency keys, their events and their status, each in one multi-row statement.`,
      '(a) raw BullMQ+pg: addBulk of the same number of jobs, a Worker of the same concurrency in the bench process, ONE autocommit INSERT per job (pg.Pool of 10).',
      `(b) raw batched drain: one client, ${SETTINGS.batchSize} rows per transaction claimed with SKIP LOCKED, one multi-row INSERT, one UPDATE; the median of a sample after each app drain and one with (a).`,
      `latency: ${SETTINGS.latencyResults} results at ${SETTINGS.latencyRate}/s; app persisted_at - created_at per record; raw: Queue.add to INSERT resolved, same process, same rate.`,
      `The bench process, the api and worker processes, PostgreSQL and Redis share the ${machine.cpus} cpus.`,
      machine.text,
      `Merged into bench/results/latest.json (${kept} other figures kept) and written to bench/results/outbox.json in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );
}

await runMain('bench outbox', main);
