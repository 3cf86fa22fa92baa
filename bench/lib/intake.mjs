/**
 * Bulk intake (POST /api/v1/service-calls/bulk, 1000 results) beside its raw baseline: the same
 * 1000 rows as one parameterised multi-row INSERT ... RETURNING * into a copy of the outbox table.
 */
import pg from 'pg';
import { uuidv7 } from '../../dist/common/persistence/uuid-v7.js';
import { cpuSnapshot, foreignShare } from './cpu.mjs';
import { checkpoint } from './db.mjs';
import { timedPost } from './load.mjs';
import { figure, summarize } from './report.mjs';

const RAW_TABLE = 'raw_service_call_records';
const COLUMNS = [
  'id',
  'tenant_id',
  'call_id',
  'namespace',
  'schema_identity',
  'result',
  'status',
  'attempts',
  'next_attempt_at',
  'correlation_id',
  'priority',
  'created_by',
];
export const TARGET_BULK_INTAKE = 0.3;

/** 1000 valid `core/agent.registration@1` results with call ids of their own for run `run`. */
function intakeItems(size, run) {
  return Array.from({ length: size }, (_, i) => ({
    callId: `bench-${run}-${i}`,
    namespace: 'core',
    schema: 'agent.registration@1',
    result: { name: `intake-agent-${i}`, role: 'worker', metadata: { model: 'gpt-x', index: i } },
  }));
}

async function openRawIntakeInserter(url, size) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE IF NOT EXISTS ${RAW_TABLE} (LIKE service_call_records INCLUDING ALL)`);
  const tuples = Array.from({ length: size }, (_, row) => `(${COLUMNS.map((_, col) => `$${row * COLUMNS.length + col + 1}`).join(', ')})`);
  const sql = `INSERT INTO ${RAW_TABLE} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`;
  let run = 0;
  return {
    async insert() {
      const items = intakeItems(size, `raw-${run++}`);
      const started = process.hrtime.bigint();
      const values = [];
      const due = new Date(Date.now() + 10_000);
      for (const item of items) {
        values.push(uuidv7(), 'bench', item.callId, item.namespace, item.schema, JSON.stringify(item.result), 'pending', 0, due, null, 0, 'bench');
      }
      const result = await client.query(sql, values);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.rowCount !== size) throw new Error(`raw intake insert wrote ${result.rowCount} rows, expected ${size}`);
      return elapsed;
    },
    close: () => client.end(),
  };
}

/**
 * `runs` bulk intake requests of `size` results each, alternating with the raw insert. The app
 * should run as APP_ROLE=api: with workers in the same process, the drain of the accepted results
 * would share the cpus with the intake being measured.
 */
export async function measureBulkIntake({ url, app, auth, shared, size, runs, warmups, log }) {
  const bulkUrl = `${app.base}/api/v1/service-calls/bulk`;
  const raw = await openRawIntakeInserter(url, size);
  let run = 0;
  const post = async () => {
    const body = JSON.stringify({ items: intakeItems(size, `app-${run++}`) });
    return timedPost(bulkUrl, { body, headers: auth, expectStatus: 202 });
  };
  try {
    for (let i = 0; i < warmups; i++) {
      await post();
      await raw.insert();
    }
    await checkpoint(url);
    log(`POST /api/v1/service-calls/bulk (${size} results) and raw ${size}-row INSERT into a copy of service_call_records: ${runs} of each, alternating`);
    const appTimes = [];
    const rawTimes = [];
    const before = cpuSnapshot();
    for (let i = 0; i < runs; i++) {
      appTimes.push(await post());
      rawTimes.push(await raw.insert());
    }
    const foreign = foreignShare(before, cpuSnapshot());
    const appSummary = summarize(appTimes);
    const rawSummary = summarize(rawTimes);
    const rows = runs * size;
    const appRate = rows / (appSummary.total / 1000);
    const rawRate = rows / (rawSummary.total / 1000);
    log(
      `  app ${Math.round(appRate)} rows/s (median ${appSummary.median.toFixed(1)} ms/request); raw ${Math.round(rawRate)} rows/s (median ${rawSummary.median.toFixed(1)} ms/insert)`,
    );
    return [
      figure({
        name: `POST /api/v1/service-calls/bulk (${size} results) vs raw multi-row INSERT`,
        value: appRate,
        unit: 'rows/s',
        baseline: rawRate,
        target: TARGET_BULK_INTAKE,
        notes:
          `${runs} sequential requests after ${warmups} warm-up, alternating with the baseline, each with new call ids; app (APP_ROLE=api, no workers) per request: ` +
          `median ${appSummary.median.toFixed(1)} ms, max ${appSummary.max.toFixed(1)} ms; raw: one parameterised ${size}-row INSERT ... RETURNING * of the same columns ` +
          `into a copy of service_call_records (same indexes) over one pg connection, median ${rawSummary.median.toFixed(1)} ms; the app also validates every item and ` +
          `every result against its handler's schema, checks for duplicates, writes one persistence.received event per record in the same transaction, wakes the ` +
          `workers in Redis and answers with every record as JSON; other processes used ${Math.round((foreign ?? 0) * 100)}% of the cpus; ${shared}`,
      }),
    ];
  } finally {
    await raw.close();
  }
}
