/**
 * The outbox benchmark's baselines: raw BullMQ and pg, no framework. A Queue, a Worker of the
 * given concurrency whose processor runs ONE autocommit INSERT of the job's agent into the raw copy
 * of the agents table through a pg.Pool, and nothing else: no record lock, no idempotency key, no
 * domain events, no status update.
 */
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import pg from 'pg';
import { uuidv7 } from '../../dist/common/persistence/uuid-v7.js';
import { INSERT_COLUMNS, RAW_TABLE, rowValues } from './db.mjs';

const TENANT = 'bench';
const ACTOR = 'bench';
const INSERT_SQL = `INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The options the app gives its persistence jobs (attempts, backoff, retention), so Redis keeps as much. */
const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

function connect(redisUrl) {
  return new IORedis(redisUrl, { maxRetriesPerRequest: null });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`raw BullMQ baseline: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A queue, its worker (not started) and the pool the processor inserts through. */
function openRig({ redisUrl, databaseUrl, prefix, queueName, concurrency, poolSize, onProcessed }) {
  const queueConnection = connect(redisUrl);
  const workerConnection = connect(redisUrl);
  const queue = new Queue(queueName, { connection: queueConnection, prefix });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const failures = [];
  // pool.end() resolves before every socket is closed; a late error on an ended pool is not the baseline's.
  pool.on('error', (error) => {
    if (!pool.ending) failures.push(`pg pool: ${error.message}`);
  });
  const worker = new Worker(
    queueName,
    async (job) => {
      await pool.query(INSERT_SQL, rowValues(TENANT, ACTOR, job.data));
      onProcessed(job.data, performance.timeOrigin + performance.now());
    },
    { connection: workerConnection, prefix, concurrency, autorun: false },
  );
  worker.on('failed', (job, error) => failures.push(`${job?.id}: ${error.message}`));
  worker.on('error', (error) => failures.push(error.message));
  return {
    queue,
    worker,
    pool,
    failures,
    async close() {
      await worker.close();
      await queue.close();
      await pool.end();
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}

/** Counts the rows the baseline wrote, to check that every job inserted exactly one. */
async function countRows(databaseUrl, prefix) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS rows, count(DISTINCT name)::int AS names FROM ${RAW_TABLE} WHERE name LIKE $1`, [
      `${prefix}%`,
    ]);
    return rows[0];
  } finally {
    await client.end();
  }
}

/**
 * Drain baseline: `count` jobs added with addBulk while no worker runs, then a Worker of
 * `concurrency` drains them. Resolves with every job's completion time (epoch ms, fractional).
 * `run` names the run, whose rows are told apart by it (a warm-up run, then the measured one).
 */
export async function rawDrain({ redisUrl, databaseUrl, concurrency, count, poolSize, run = 'measured', timeoutMs = 120_000 }) {
  const tag = `raw-drain-c${concurrency}-${run}-`;
  const completions = [];
  const rig = openRig({
    redisUrl,
    databaseUrl,
    prefix: `bench-raw-drain-${concurrency}`,
    queueName: 'persistence',
    concurrency,
    poolSize,
    onProcessed: (_data, at) => completions.push(at),
  });
  try {
    for (let offset = 0; offset < count; offset += 1000) {
      const jobs = [];
      for (let i = offset; i < Math.min(count, offset + 1000); i++) {
        jobs.push({ name: 'persistence.persist', data: { name: `${tag}${i}`, role: 'bench' }, opts: { ...JOB_OPTIONS, jobId: uuidv7() } });
      }
      await rig.queue.addBulk(jobs);
    }
    const waiting = await rig.queue.getWaitingCount();
    if (waiting !== count) throw new Error(`raw BullMQ baseline: ${waiting} jobs waiting after addBulk, expected ${count}`);
    const started = performance.timeOrigin + performance.now();
    void rig.worker.run();
    await waitFor(`${count} jobs to be processed`, () => completions.length >= count || rig.failures.length > 0, timeoutMs);
    if (rig.failures.length > 0) throw new Error(`raw BullMQ baseline: jobs failed: ${rig.failures.slice(0, 5).join('; ')}`);
    const rows = await countRows(databaseUrl, tag);
    if (rows.rows !== count || rows.names !== count) throw new Error(`raw BullMQ baseline wrote ${rows.rows} rows (${rows.names} distinct) for ${count} jobs`);
    return { completions, started };
  } finally {
    await rig.close();
  }
}

/**
 * Latency baseline: `count` jobs added one at a time at `ratePerSecond` (open loop, on a fixed
 * schedule) to a queue a Worker of `concurrency` is already consuming; for each, the time from just
 * before `queue.add` to the moment the processor's INSERT has committed, both read in this process.
 */
export async function rawLatency({ redisUrl, databaseUrl, concurrency, count, ratePerSecond, poolSize, timeoutMs = 60_000 }) {
  const tag = `raw-latency-c${concurrency}-`;
  const addedAt = new Array(count);
  const latencies = [];
  const rig = openRig({
    redisUrl,
    databaseUrl,
    prefix: `bench-raw-latency-${concurrency}`,
    queueName: 'persistence',
    concurrency,
    poolSize,
    onProcessed: (data, at) => latencies.push(at - addedAt[data.index]),
  });
  try {
    void rig.worker.run();
    await rig.worker.waitUntilReady();
    // Open the pool's connections first, as the app's pool is open when its latency is measured.
    await Promise.all(Array.from({ length: poolSize }, () => rig.pool.query('SELECT 1')));
    const adds = [];
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      addedAt[i] = performance.timeOrigin + performance.now();
      adds.push(rig.queue.add('persistence.persist', { index: i, name: `${tag}${i}`, role: 'bench' }, { ...JOB_OPTIONS, jobId: uuidv7() }));
    }
    await Promise.all(adds);
    const sendSeconds = (performance.now() - t0) / 1000;
    await waitFor(`${count} jobs to be processed`, () => latencies.length >= count || rig.failures.length > 0, timeoutMs);
    if (rig.failures.length > 0) throw new Error(`raw BullMQ baseline: jobs failed: ${rig.failures.slice(0, 5).join('; ')}`);
    const rows = await countRows(databaseUrl, tag);
    if (rows.rows !== count || rows.names !== count) throw new Error(`raw BullMQ baseline wrote ${rows.rows} rows (${rows.names} distinct) for ${count} jobs`);
    return { latencies, sendSeconds };
  } finally {
    await rig.close();
  }
}

/**
 * Batched drain baseline, the ceiling of the app's design on this machine: `count` pending rows in
 * a raw outbox table, then ONE client drains them in transactions of `batchSize`: SELECT … FOR
 * UPDATE SKIP LOCKED of the oldest pending rows, ONE multi-row INSERT of their agents into the raw
 * copy of the agents table, ONE UPDATE marking them persisted, COMMIT. Nothing else (no events, no
 * idempotency keys, no queue). Resolves with every row's completion time (epoch ms, at its COMMIT).
 * `run` names the run, as for rawDrain.
 */
export async function rawBatchedDrain({ databaseUrl, count, batchSize, run = 'measured' }) {
  const tag = `raw-batch-${run}-`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS raw_outbox (id uuid PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'pending')`);
    await client.query(`CREATE INDEX IF NOT EXISTS raw_outbox_pending ON raw_outbox (id) WHERE status = 'pending'`);
    for (let offset = 0; offset < count; offset += 1000) {
      const names = Array.from({ length: Math.min(1000, count - offset) }, (_, i) => `${tag}${offset + i}`);
      await client.query(`INSERT INTO raw_outbox (id, name) SELECT * FROM unnest($1::uuid[], $2::text[])`, [names.map(() => uuidv7()), names]);
    }
    await client.query('VACUUM ANALYZE raw_outbox');
    const completions = [];
    for (;;) {
      await client.query('BEGIN');
      const { rows } = await client.query(`SELECT id, name FROM raw_outbox WHERE status = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [batchSize]);
      if (rows.length === 0) {
        await client.query('COMMIT');
        break;
      }
      const params = [];
      const values = rows.map((row) => {
        const start = params.length;
        params.push(...rowValues(TENANT, ACTOR, { name: row.name, role: 'bench' }));
        return `(${INSERT_COLUMNS.map((_, i) => `$${start + i + 1}`).join(', ')})`;
      });
      await client.query(`INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, params);
      await client.query(`UPDATE raw_outbox SET status = 'persisted' WHERE id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
      await client.query('COMMIT');
      const at = performance.timeOrigin + performance.now();
      for (let i = 0; i < rows.length; i++) completions.push(at);
    }
    const written = await countRows(databaseUrl, tag);
    if (written.rows !== count || written.names !== count)
      throw new Error(`raw batched drain wrote ${written.rows} rows (${written.names} distinct) for ${count}`);
    return { completions };
  } finally {
    await client.end();
  }
}
