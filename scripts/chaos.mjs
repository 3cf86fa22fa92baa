/**
 * npm run chaos — the outbox under abuse, on real processes: one API process and two worker
 * processes on PostgreSQL and Redis. For each scenario it posts results, breaks something
 * mid-drain, waits for the drain to finish and counts what became of every result:
 *   kill  — a worker is killed with SIGKILL mid-drain (and started again, as a supervisor would);
 *   flush — Redis loses every job (FLUSHDB) mid-drain; the sweeper rebuilds the queue;
 *   terminate — every PostgreSQL backend of the database is terminated (pg_terminate_backend),
 *               twice, mid-drain: batches in flight roll back, intake requests fail and are retried.
 * "duplicates" and "lost" must read 0. Exits 1 if they do not, or if the drain does not finish.
 *
 * Options: --results N (default 1000), --scenario kill|flush|terminate|all (default all), --json.
 * Environment: CHAOS_DATABASE_URL (a database it may drop and create; default
 * postgres://postgres@127.0.0.1:5432/agent_ledger_chaos), CHAOS_REDIS_URL (a Redis database it may
 * flush; default redis://127.0.0.1:6379/12). The database is dropped again after a clean run.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { migrateForServiceRole, serviceUrl } from '../bench/lib/db.mjs';
import { createApiKey, freePort, startApp, stop, stopAll } from '../bench/lib/processes.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] && !args[index + 1].startsWith('--') ? args[index + 1] : fallback;
};
const RESULTS = Number(option('results', '1000'));
const SCENARIOS = option('scenario', 'all') === 'all' ? ['kill', 'flush', 'terminate'] : [option('scenario')];
const JSON_OUTPUT = args.includes('--json');
const DATABASE_URL = process.env.CHAOS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agent_ledger_chaos';
const REDIS_URL = process.env.CHAOS_REDIS_URL ?? 'redis://127.0.0.1:6379/12';
const DRAIN_TIMEOUT_MS = Number(process.env.CHAOS_DRAIN_TIMEOUT_MS ?? 120_000);

const log = (line) => {
  if (!JSON_OUTPUT) console.log(`[chaos] ${line}`);
  else console.error(`[chaos] ${line}`);
};

function adminUrl() {
  const url = new URL(DATABASE_URL);
  url.pathname = '/postgres';
  return url.toString();
}

/** Drops the scratch database after a clean run (a failed run leaves it for inspection). */
async function dropDatabase() {
  const name = new URL(DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function recreateDatabase() {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Refusing odd database name ${name}`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
}

function baseEnv(extra) {
  return {
    DATABASE_URL: serviceUrl(DATABASE_URL),
    REDIS_URL,
    HOST: '127.0.0.1',
    AUTH: 'apikey',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: `chaos-${process.pid}`,
    SWEEP_INTERVAL_MS: '1000',
    PERSIST_BACKOFF_MS: '100',
    PERSIST_MAX_BACKOFF_MS: '2000',
    WORKER_CONCURRENCY: '10',
    SHUTDOWN_GRACE_MS: '5000',
    // One key posts every result: budgets the scenario never reaches (rate limits are not what it tests).
    RATE_LIMIT_DEFAULT: '1000000000',
    RATE_LIMIT_STRICT: '1000000000',
    ...extra,
  };
}

/** One process after the other: on a loaded machine, three booting at once may each miss the readiness deadline. */
async function startStack() {
  const api = await startApp(baseEnv({ APP_ROLE: 'api', PORT: String(await freePort()), MIGRATIONS_RUN: 'false' }));
  const workers = [];
  for (let i = 0; i < 2; i++) workers.push(await startWorker());
  return { api, workers };
}

async function startWorker(port) {
  return startApp(baseEnv({ APP_ROLE: 'worker', PORT: port ?? String(await freePort()) }));
}

/**
 * Posts one result as a client would: a 5xx (the database went away under the request) or a
 * connection lost on the way is retried with the same call id, which the intake deduplicates (200
 * with the first record). A dead API process is not retried: the run fails on it.
 */
async function postOne(api, key, callId) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(`${api.base}/api/v1/service-calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ callId, namespace: 'core', schema: 'agent.registration@1', result: { name: callId, role: 'chaos' } }),
      });
    } catch (error) {
      if (api.child.exitCode !== null || api.child.signalCode !== null)
        throw new Error(`the API process exited (${api.child.exitCode ?? api.child.signalCode})`, { cause: error });
      if (attempt >= 20) throw error;
      log(`POST /service-calls lost its connection (${error.cause?.code ?? error.cause?.message ?? error.message}); retrying ${callId}`);
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      continue;
    }
    if (response.status === 202 || response.status === 200) return;
    const text = await response.text();
    if (response.status < 500 || attempt >= 20) throw new Error(`POST /service-calls answered ${response.status}: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

/** Terminates every other backend connected to the scratch database (the app's pools, batches in flight). */
async function terminateBackends(db) {
  const { rows } = await db.query(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows[0].n;
}

/** Posts `count` agent-registration results, 25 in flight; each agent is named after its call id. */
async function post(api, key, count) {
  const ids = [];
  let next = 0;
  const send = async () => {
    while (next < count) {
      const callId = `chaos-${randomUUID()}`;
      next++;
      await postOne(api, key, callId);
      ids.push(callId);
    }
  };
  await Promise.all(Array.from({ length: 25 }, send));
  return ids;
}

async function counts(db, tenant) {
  const { rows } = await db.query(
    `SELECT
       (SELECT count(*)::int FROM service_call_records WHERE tenant_id = $1) AS records,
       (SELECT count(*)::int FROM service_call_records WHERE tenant_id = $1 AND status = 'persisted') AS persisted,
       (SELECT count(*)::int FROM service_call_records WHERE tenant_id = $1 AND status = 'pending') AS pending,
       (SELECT count(*)::int FROM agents WHERE tenant_id = $1) AS agents,
       (SELECT count(DISTINCT name)::int FROM agents WHERE tenant_id = $1) AS distinct_agents,
       (SELECT count(*)::int FROM persisted_chunks WHERE tenant_id = $1) AS chunks`,
    [tenant],
  );
  return rows[0];
}

async function waitUntil(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return false;
}

/** The last lines of every process, to explain a scenario that did not finish. */
function logTails(stack) {
  for (const handle of [stack.api, ...stack.workers]) log(`last lines of ${handle.name} (pid ${handle.child.pid}):\n${handle.tail.join('\n')}`);
}

async function runScenario(name, { tenant, key }, stack, db, redis) {
  const started = Date.now();
  const posting = post(stack.api, key, RESULTS);
  // Awaited below; a failure meanwhile must reach main()'s handler (which stops the processes), not crash the run.
  posting.catch(() => logTails(stack));
  await waitUntil('a quarter of the results to be persisted', async () => (await counts(db, tenant)).persisted >= RESULTS / 4, DRAIN_TIMEOUT_MS);
  if (name === 'kill') {
    const victim = stack.workers.shift();
    victim.child.kill('SIGKILL');
    await victim.exited;
    log(`killed worker pid ${victim.child.pid} with SIGKILL at ${(await counts(db, tenant)).persisted} persisted; starting a replacement`);
    // The survivor drains on meanwhile; the replacement joins when it is up.
    const replacement = startWorker().then((worker) => stack.workers.push(worker));
    replacement.catch(() => undefined); // awaited (and its failure reported) when the scenario ends
    stack.replacements.push(replacement);
  } else if (name === 'flush') {
    await redis.flushdb();
    log(`flushed Redis at ${(await counts(db, tenant)).persisted} persisted`);
  } else {
    log(`terminated ${await terminateBackends(db)} backends at ${(await counts(db, tenant)).persisted} persisted`);
    if (!(await waitUntil('half of the results to be persisted', async () => (await counts(db, tenant)).persisted >= RESULTS / 2, DRAIN_TIMEOUT_MS)))
      logTails(stack);
    log(`terminated ${await terminateBackends(db)} backends again at ${(await counts(db, tenant)).persisted} persisted`);
  }
  const posted = (await posting).length;
  const drained = await waitUntil('the drain to finish', async () => (await counts(db, tenant)).persisted >= posted, DRAIN_TIMEOUT_MS);
  // The scenario ends with its replacement worker up: one still starting when the next scenario breaks
  // something (its connections terminated, say) would fail to start for that scenario's reason.
  await Promise.all(stack.replacements.splice(0));
  const final = await counts(db, tenant);
  return {
    scenario: name,
    posted,
    persisted: final.persisted,
    domainObjects: final.agents,
    chunks: final.chunks,
    duplicates: final.agents - final.distinct_agents,
    lost: posted - final.distinct_agents,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    drained,
  };
}

async function main() {
  log(`results per scenario: ${RESULTS}; database ${DATABASE_URL}; Redis ${REDIS_URL}`);
  await recreateDatabase();
  await migrateForServiceRole(DATABASE_URL);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.flushdb();
  const db = new pg.Client({ connectionString: DATABASE_URL });
  const stack = await startStack();
  const tenants = [];
  for (const name of SCENARIOS) {
    const tenant = `chaos-${name}-${Date.now().toString(36)}`;
    tenants.push({ tenant, key: await createApiKey(baseEnv({}), tenant, `chaos-${name}`) });
  }
  stack.replacements = [];
  await db.connect();
  const results = [];
  try {
    for (const [i, scenario] of SCENARIOS.entries()) {
      log(`scenario ${scenario}: posting ${RESULTS} results to 1 API process drained by 2 workers`);
      results.push(await runScenario(scenario, tenants[i], stack, db, redis));
    }
  } finally {
    await Promise.allSettled(stack.replacements);
    await Promise.all([stop(stack.api), ...stack.workers.map((worker) => stop(worker))]);
    await stopAll();
    await db.end();
    redis.disconnect();
  }
  if (JSON_OUTPUT) console.log(JSON.stringify(results));
  else {
    console.log('\nscenario  posted  persisted  domain objects  duplicates  lost  seconds');
    for (const r of results) {
      console.log(
        `${r.scenario.padEnd(8)}  ${String(r.posted).padStart(6)}  ${String(r.persisted).padStart(9)}  ${String(r.domainObjects).padStart(14)}  ${String(r.duplicates).padStart(10)}  ${String(r.lost).padStart(4)}  ${String(r.seconds).padStart(7)}`,
      );
    }
  }
  const ok = results.every((r) => r.drained && r.duplicates === 0 && r.lost === 0 && r.chunks === r.posted);
  if (ok) await dropDatabase();
  process.exitCode = ok ? 0 : 1;
}

main().catch(async (error) => {
  console.error(`[chaos] failed: ${error.stack ?? error.message}`);
  await stopAll();
  process.exit(1);
});
