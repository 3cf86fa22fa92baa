/**
 * npm run bench:soak — the service as it is deployed to scale: two APP_ROLE=api processes and two
 * APP_ROLE=worker processes on one PostgreSQL and one Redis, under a fixed rate of mixed reads and
 * writes (round-robin over the two APIs, spread over several tenants) for SOAK_SECONDS (300).
 * Reports the error rate, p50/p99 latency, the resident memory of each process (at start, after
 * the warm-up, at the end) and checks that every write answered 2xx is in PostgreSQL and every
 * accepted service call was persisted. See bench/README.md ("Soak").
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ApiKeysRepository } from '../dist/common/auth/api-keys.repository.js';
import { ApiKeysService } from '../dist/common/auth/api-keys.service.js';
import { createAppDataSource } from '../dist/data-source.js';
import { databaseUrl, describeMachine, flushRedis, migrateForServiceRole, recreateDatabase, serviceUrl } from './lib/db.mjs';
import { request } from './lib/http.mjs';
import { runMain } from './lib/main.mjs';
import { cpuBreakdown, cpuSnapshot, describeCpu, latencySummary } from './lib/outbox-stats.mjs';
import { freePort, stackEnv, startApp } from './lib/processes.mjs';
import { figure, mergeResults, renderTable, writeResults } from './lib/report.mjs';
import { extraRows, isWrite, MIX, newTenant, nextRequest, pendingCalls, requestFor, verifyAcknowledged, verifyCalls } from './lib/soak-workload.mjs';

const env = process.env;
const seconds = Number(env.SOAK_SECONDS ?? 300);
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.SOAK_DATABASE ?? 'agent_ledger_soak',
  redisUrl: env.SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379/10',
  seconds,
  warmupSeconds: Number(env.SOAK_WARMUP_SECONDS ?? Math.min(30, Math.round(seconds / 5))),
  rate: Number(env.SOAK_RATE ?? 100),
  // Each tenant has its own API key: 100 req/s over 20 keys is 300 requests a minute per key, and
  // 30 a minute on intake, under the per-key rate limits a deployment would set.
  tenants: Number(env.SOAK_TENANTS ?? 20),
  maxInFlight: 500,
  sampleEverySeconds: 10,
  poolSize: 10,
  drainTimeoutMs: 120_000,
};
const FIGURE_PREFIX = 'soak ';
const LATEST = new URL('./results/latest.json', import.meta.url);
const OWN = new URL('./results/soak.json', import.meta.url);

const log = (message) => process.stderr.write(`[soak] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/** Resident memory of a process in MiB, from /proc/<pid>/status (VmRSS). */
function rssMiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The app connects as the service role, under row-level security, with the default rate limits. */
function appEnv(url, extra) {
  return stackEnv({ databaseUrl: serviceUrl(url), redisUrl: SETTINGS.redisUrl, queuePrefix: 'soak', poolSize: SETTINGS.poolSize }, extra);
}

/** Two api processes and two workers on the fresh database, migrated by its owner first. */
async function startStack(url) {
  await migrateForServiceRole(url);
  const processes = [];
  for (const [name, role] of [
    ['api 1', 'api'],
    ['api 2', 'api'],
    ['worker 1', 'worker'],
    ['worker 2', 'worker'],
  ]) {
    const handle = await startApp(appEnv(url, { APP_ROLE: role, MIGRATIONS_RUN: 'false', PORT: String(await freePort()) }));
    processes.push({ name, role, handle, pid: handle.child.pid });
    log(`  ${name} (APP_ROLE=${role}) ready, pid ${handle.child.pid}, ${handle.base}`);
  }
  return processes;
}

/** One API key per tenant, made by the app's own key service (hashed, stored like the CLI does). */
async function createTenants(url) {
  const dataSource = createAppDataSource({ profile: 'server', url, poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false });
  await dataSource.initialize();
  try {
    const keys = new ApiKeysService(new ApiKeysRepository(dataSource), { apiKeyCacheTtlMs: 0, apiKeyNegativeCacheTtlMs: 0 });
    const tenants = [];
    for (let i = 0; i < SETTINGS.tenants; i++) {
      const tenantId = `soak-${i}`;
      tenants.push(newTenant(tenantId, (await keys.create(tenantId, 'soak')).key));
    }
    return tenants;
  } finally {
    await dataSource.destroy();
  }
}

/** Sends one generated request and applies its answer to the tenant's state; never throws. */
async function send(api, agent, tenant, generated) {
  const started = performance.now();
  try {
    const response = await request(agent, api.base, {
      method: generated.method,
      path: generated.path,
      headers: { ...tenant.headers, ...generated.headers },
      body: generated.body,
    });
    const ms = performance.now() - started;
    const ok = response.status >= 200 && response.status < 300;
    if (ok && isWrite(generated.op)) generated.onSuccess(JSON.parse(response.body));
    return { ms, status: response.status, ok, detail: ok ? undefined : response.body.slice(0, 300) };
  } catch (error) {
    return { ms: performance.now() - started, status: 0, ok: false, detail: error.message };
  }
}

/** Each tenant gets a workflow and two agents before the clock starts (so every operation has a target). */
async function setUp(apis, agents, tenants) {
  for (const tenant of tenants) {
    for (const op of ['workflow.create', 'agent.create', 'agent.create']) {
      const generated = requestFor(tenant, op);
      const outcome = await send(apis[0], agents[0], tenant, generated);
      if (!outcome.ok) throw new Error(`setting up ${tenant.tenantId}: ${op} answered ${outcome.status}: ${outcome.detail}`);
    }
  }
}

/**
 * Open loop at a fixed rate: request i is sent at t0 + i/rate whatever the answers before it,
 * to API i mod 2, for tenant (i div 2) mod tenants. `onSample(elapsedSeconds)` runs once a second.
 */
async function drive({ apis, agents, tenants, onSample }) {
  const results = [];
  const inFlight = new Set();
  const interval = 1000 / SETTINGS.rate;
  const t0 = performance.now();
  const end = t0 + SETTINGS.seconds * 1000;
  let nextSample = 0;
  let dropped = 0;
  for (let i = 0; ; i++) {
    const due = t0 + i * interval;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed >= nextSample) {
      onSample(elapsed);
      nextSample += 1;
    }
    if (inFlight.size >= SETTINGS.maxInFlight) {
      dropped++;
      continue;
    }
    const apiIndex = i % apis.length;
    const tenant = tenants[Math.floor(i / apis.length) % tenants.length];
    const generated = nextRequest(tenant);
    if (generated.entity) tenant.busy.add(generated.entity);
    const sentAt = elapsed;
    const pending = send(apis[apiIndex], agents[apiIndex], tenant, generated).then((outcome) => {
      if (generated.entity) tenant.busy.delete(generated.entity);
      results.push({ ...outcome, op: generated.op, api: apiIndex, at: sentAt });
      inFlight.delete(pending);
    });
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
  return { results, dropped, seconds: (performance.now() - t0) / 1000 };
}

function summarizeResults(results, dropped, fromSecond) {
  const measured = results.filter((r) => r.at >= fromSecond);
  const ok = measured.filter((r) => r.ok);
  const failures = {};
  const examples = [];
  for (const r of results.filter((r) => !r.ok)) {
    const key = `${r.op} ${r.status || 'no answer'}`;
    failures[key] = (failures[key] ?? 0) + 1;
    if (examples.length < 5) examples.push(`${key}: ${r.detail}`);
  }
  const byOp = {};
  for (const op of Object.keys(MIX)) {
    const mine = measured.filter((r) => r.op === op);
    const latency = latencySummary(mine.filter((r) => r.ok).map((r) => r.ms));
    byOp[op] = { requests: mine.length, failed: mine.filter((r) => !r.ok).length, p50: latency.p50, p99: latency.p99 };
  }
  const byApi = [0, 1].map((api) => measured.filter((r) => r.api === api).length);
  return {
    sent: results.length,
    dropped,
    failed: results.filter((r) => !r.ok).length + dropped,
    errorRate: (results.filter((r) => !r.ok).length + dropped) / (results.length + dropped),
    rateLimited: results.filter((r) => r.status === 429).length,
    failures,
    examples,
    measured: { requests: measured.length, ok: ok.length, ...latencySummary(ok.map((r) => r.ms)) },
    byOp,
    byApi,
  };
}

async function waitDrained(db, tenants) {
  const deadline = Date.now() + SETTINGS.drainTimeoutMs;
  for (;;) {
    const pending = await pendingCalls(db, tenants);
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} accepted service calls still pending ${SETTINGS.drainTimeoutMs} ms after the load ended`);
    await sleep(250);
  }
}

function figures(report, shared) {
  const s = report.summary;
  const load =
    `${SETTINGS.seconds} s at a fixed ${SETTINGS.rate} req/s (open loop) over 2 APP_ROLE=api processes in turn, 2 APP_ROLE=worker processes draining the outbox, ` +
    `one PostgreSQL and one Redis; ${SETTINGS.tenants} tenants with a key each; mix ${Object.entries(MIX)
      .map(([op, w]) => `${op} ${w}%`)
      .join(', ')}; ` +
    `latencies and throughput after a ${SETTINGS.warmupSeconds} s warm-up`;
  const perOp = Object.entries(s.byOp)
    .map(([op, o]) => `${op}: ${o.requests} sent, ${o.failed} failed, p50 ${fmt(o.p50)} / p99 ${fmt(o.p99)} ms`)
    .join('; ');
  const notes = `${load}; after the warm-up, ${report.cpu} ("other": processes outside this soak); ${s.sent} requests sent (${s.byApi.join(' / ')} to api 1 / api 2 after the warm-up), ${s.failed} failed (${JSON.stringify(s.failures)}), ${s.rateLimited} answered 429; per operation: ${perOp}; ${shared}`;
  const memory = report.memory.map((p) =>
    figure({
      name: `${FIGURE_PREFIX}RSS of ${p.name} at the end vs after the warm-up`,
      value: p.end,
      unit: 'MiB',
      baseline: p.warm,
      better: 'lower',
      notes: `VmRSS from /proc/${p.pid}/status: ${fmt(p.start)} MiB at start (ready, before any load), ${fmt(p.warm)} MiB after the ${SETTINGS.warmupSeconds} s warm-up, ${fmt(p.end)} MiB at the end (growth ${fmt(p.end - p.warm)} MiB); every ${SETTINGS.sampleEverySeconds} s: ${p.timeline.map((v) => fmt(v, 0)).join(', ')} MiB; ${load}`,
    }),
  );
  const v = report.verification;
  return [
    figure({
      name: `${FIGURE_PREFIX}throughput (2xx), 2 api + 2 workers, vs the target rate`,
      value: s.measured.ok / report.measuredSeconds,
      unit: 'req/s',
      baseline: SETTINGS.rate,
      notes,
    }),
    figure({
      name: `${FIGURE_PREFIX}error rate (non-2xx, no answer or not sent)`,
      value: s.errorRate * 100,
      unit: '%',
      baseline: undefined,
      better: 'lower',
      notes,
    }),
    figure({ name: `${FIGURE_PREFIX}p50 latency`, value: s.measured.p50, unit: 'ms', baseline: undefined, better: 'lower', notes }),
    figure({ name: `${FIGURE_PREFIX}p99 latency`, value: s.measured.p99, unit: 'ms', baseline: undefined, better: 'lower', notes }),
    ...memory,
    figure({
      name: `${FIGURE_PREFIX}acknowledged writes found in PostgreSQL with their last acknowledged state`,
      value: v.acknowledged.checked - v.acknowledged.missing - v.acknowledged.stale,
      unit: 'rows',
      baseline: v.acknowledged.checked,
      notes: `every agent, workflow, task and integrated object created with a 2xx is in PostgreSQL at the version (and description, status or data) of the last 2xx answer about it; missing ${v.acknowledged.missing}, stale ${v.acknowledged.stale}; rows beyond the acknowledged ones: ${JSON.stringify(v.extra)}; ${load}`,
    }),
    figure({
      name: `${FIGURE_PREFIX}accepted service calls persisted after the drain`,
      value: v.calls.withDomainRow,
      unit: 'results',
      baseline: v.calls.accepted,
      notes: `every POST /service-calls answered 2xx, after the workers drained the queue (${fmt(report.drainSeconds)} s after the load ended): persisted ${v.calls.persisted}, with its domain row (agent or insight) ${v.calls.withDomainRow}, not persisted ${JSON.stringify(v.calls.notPersisted)}; ${load}`,
    }),
  ];
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  log(`recreating database ${SETTINGS.database} and flushing ${SETTINGS.redisUrl}; starting 2 api and 2 worker processes`);
  await recreateDatabase(SETTINGS.adminUrl, SETTINGS.database);
  await flushRedis(SETTINGS.redisUrl);
  const processes = await startStack(url);
  const apis = processes.filter((p) => p.role === 'api').map((p) => p.handle);
  // Idle sockets are closed after 4 s, before any server's keep-alive timeout: a socket the server
  // closes just as the client reuses it fails with ECONNRESET, a client artefact, not a server error.
  const agents = apis.map(() => new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 }));
  const tenants = await createTenants(url);
  await setUp(apis, agents, tenants);
  const machine = await describeMachine(url);

  const memory = processes.map((p) => ({ name: p.name, pid: p.pid, start: rssMiB(p.pid), warm: NaN, end: NaN, timeline: [] }));
  let warmTaken = false;
  let cpuAfterWarmup;
  log(
    `${SETTINGS.seconds} s at ${SETTINGS.rate} req/s over ${SETTINGS.tenants} tenants, warm-up ${SETTINGS.warmupSeconds} s; ` +
      `RSS at start: ${memory.map((m) => `${m.name} ${fmt(m.start)} MiB`).join(', ')}`,
  );
  const run = await drive({
    apis,
    agents,
    tenants,
    onSample: (elapsed) => {
      if (!warmTaken && elapsed >= SETTINGS.warmupSeconds) {
        warmTaken = true;
        for (const m of memory) m.warm = rssMiB(m.pid);
        cpuAfterWarmup = cpuSnapshot();
        log(`  after the warm-up (${fmt(elapsed, 0)} s): RSS ${memory.map((m) => `${m.name} ${fmt(m.warm)} MiB`).join(', ')}`);
      }
      if (Math.floor(elapsed) % SETTINGS.sampleEverySeconds !== 0) return;
      for (const m of memory) m.timeline.push(rssMiB(m.pid));
      if (elapsed >= 1) log(`  ${fmt(elapsed, 0)} s: RSS ${memory.map((m) => `${m.name} ${fmt(m.timeline.at(-1), 0)}`).join(', ')} MiB`);
    },
  });
  for (const m of memory) {
    m.end = rssMiB(m.pid);
    if (!warmTaken) m.warm = m.end;
  }
  const groups = Object.fromEntries([
    ...processes.map((p) => [p.name, p.pid]),
    ['load generator', process.pid],
    ['postgres', 'postgres'],
    ['redis', 'redis-server'],
  ]);
  const cpu = describeCpu(cpuBreakdown(cpuAfterWarmup, cpuSnapshot(), groups), machine.cpus);
  log(`after the warm-up, ${cpu}`);
  agents.forEach((agent) => agent.destroy());
  const dead = processes.filter((p) => p.handle.child.exitCode !== null || p.handle.child.signalCode !== null);
  if (dead.length > 0) throw new Error(`processes died during the soak: ${dead.map((p) => `${p.name}: ${p.handle.tail.slice(-5).join(' | ')}`).join('; ')}`);

  const summary = summarizeResults(run.results, run.dropped, SETTINGS.warmupSeconds);
  log(
    `load over: ${summary.sent} requests in ${fmt(run.seconds)} s, ${summary.failed} failed (${fmt(summary.errorRate * 100, 3)}%), ${summary.rateLimited} answered 429; ` +
      `after the warm-up p50 ${fmt(summary.measured.p50)} ms, p99 ${fmt(summary.measured.p99)} ms, max ${fmt(summary.measured.max)} ms`,
  );
  for (const example of summary.examples) log(`  failure: ${example}`);
  log(`RSS at the end: ${memory.map((m) => `${m.name} ${fmt(m.end)} MiB (${m.end >= m.warm ? '+' : ''}${fmt(m.end - m.warm)} since the warm-up)`).join(', ')}`);

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  let verification;
  const drainStarted = performance.now();
  try {
    await waitDrained(db, tenants);
    verification = { acknowledged: await verifyAcknowledged(db, tenants), calls: await verifyCalls(db, tenants), extra: await extraRows(db, tenants) };
  } finally {
    await db.end();
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const v = verification;
  log(
    `checked: ${v.acknowledged.checked} acknowledged rows, ${v.acknowledged.missing} missing, ${v.acknowledged.stale} stale; ` +
      `service calls accepted ${v.calls.accepted}, persisted ${v.calls.persisted}, with their domain row ${v.calls.withDomainRow}; extra rows ${JSON.stringify(v.extra)}`,
  );
  for (const detail of v.acknowledged.details) log(`  ${detail}`);

  const report = {
    settings: SETTINGS,
    measuredSeconds: run.seconds - SETTINGS.warmupSeconds,
    summary,
    memory,
    verification,
    drainSeconds,
    cpu,
    machine: machine.text,
  };
  const shared = `the load generator (this process), the 4 app processes, PostgreSQL and Redis share the ${machine.cpus} cpus; app request logging off (LOG_LEVEL=warn); ${machine.text}`;
  const results = figures(report, shared);
  const kept = await mergeResults(LATEST, FIGURE_PREFIX, results, log);
  await writeResults(OWN, [report]);
  process.stdout.write('\n' + renderTable(results) + '\n\n');
  process.stdout.write(
    [
      `soak: ${SETTINGS.seconds} s at ${SETTINGS.rate} req/s, 2 api + 2 worker processes, ${SETTINGS.tenants} tenants; latencies after a ${SETTINGS.warmupSeconds} s warm-up.`,
      'RSS rows: value = VmRSS at the end, baseline = after the warm-up (ratio > 1 means growth).',
      'Checks: every acknowledged write found at its last acknowledged state; every accepted service call persisted with its domain row.',
      machine.text,
      `Merged into bench/results/latest.json (${kept} other figures kept) and written in full to bench/results/soak.json in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );

  const extra = Object.values(v.extra).reduce((sum, n) => sum + Math.max(0, n), 0);
  // A write that got no answer, or a 5xx, may or may not have committed.
  const unanswered = run.results.filter((r) => (r.status === 0 || r.status >= 500) && isWrite(r.op)).length;
  const problems = [];
  if (v.acknowledged.missing + v.acknowledged.stale > 0) problems.push(`${v.acknowledged.missing} acknowledged writes missing, ${v.acknowledged.stale} stale`);
  if (v.calls.withDomainRow !== v.calls.accepted) problems.push(`${v.calls.accepted - v.calls.withDomainRow} accepted service calls not persisted`);
  if (extra > unanswered) problems.push(`${extra} rows beyond the acknowledged writes (${unanswered} writes got no answer or a 5xx)`);
  if (problems.length > 0) throw new Error(`soak checks failed: ${problems.join('; ')}`);
}

await runMain('soak', main);
