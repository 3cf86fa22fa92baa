/**
 * Workflow and task figures: seeding agents and tasks one request at a time and through the bulk
 * routes (beside the seed system's published totals and raw pg inserts of the same rows), and
 * PATCH /tasks/:id transitions per second (beside raw pg UPDATEs of the same rows).
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { uuidv7 } from '../../dist/common/persistence/uuid-v7.js';
import { cpuSnapshot, foreignShare } from './cpu.mjs';
import { INSERT_COLUMNS, RAW_TABLE, rowValues } from './db.mjs';
import { probe, timedPost } from './load.mjs';
import { figure, summarize } from './report.mjs';

export const RAW_TASKS_TABLE = 'raw_tasks';
const TASK_COLUMNS = ['id', 'tenant_id', 'workflow_id', 'description', 'priority', 'status', 'input', 'created_by', 'updated_by'];
const TENANT = 'bench';
const ACTOR = 'bench';

/** Totals the seed system reported for the same work, one request per row. */
export const SEED_SYSTEM_MS = { agents: 1000, tasks: 1674 };

/** A copy of the migrated `tasks` table (same columns, defaults, checks and indexes; no foreign keys). */
export async function createRawTaskTable(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${RAW_TASKS_TABLE} (LIKE tasks INCLUDING ALL)`);
  } finally {
    await client.end();
  }
}

function taskValues(workflowId, item) {
  return [uuidv7(), TENANT, workflowId, item.description, item.priority ?? 0, 'pending', JSON.stringify(item.input ?? {}), ACTOR, ACTOR];
}

function insertSql(table, columns, rowCount) {
  const tuples = [];
  for (let row = 0; row < rowCount; row++) {
    tuples.push(`(${columns.map((_, col) => `$${row * columns.length + col + 1}`).join(', ')})`);
  }
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`;
}

/** Times `fn` (async), in milliseconds. */
async function timed(fn) {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * One scenario: the app's total for `appRun()` and the raw total for `rawRun()`, alternating,
 * `runs` times each after one warm-up of each; medians are reported.
 */
async function alternate(runs, appRun, rawRun) {
  await appRun();
  await rawRun();
  const app = [];
  const raw = [];
  for (let i = 0; i < runs; i++) {
    app.push(await timed(appRun));
    raw.push(await timed(rawRun));
  }
  return { app: summarize(app), raw: summarize(raw) };
}

/**
 * Seeding as a client would do it: 100 agents and 50 tasks (in one workflow, created beforehand and
 * not timed), each one POST at a time, then each set as one bulk request. Every figure is reported
 * twice: beside the seed system's total for the same rows, and beside raw pg inserting the same
 * rows over one connection (one INSERT per row, or one multi-row INSERT for the bulk routes).
 */
export async function measureSeeding({ url, app, auth, shared, runs, log }) {
  const agents = Array.from({ length: 100 }, (_, i) => ({ name: `seed-agent-${i}`, role: 'worker', metadata: { model: 'gpt-x', index: i } }));
  const workflow = await probe(`${app.base}/api/v1/workflows`, { body: JSON.stringify({ description: 'bench seeding' }), headers: auth });
  const tasks = Array.from({ length: 50 }, (_, i) => ({ workflowId: workflow.id, description: `seed task ${i}`, priority: i % 5, input: { step: i } }));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const agentSql = insertSql(RAW_TABLE, INSERT_COLUMNS, 1);
  const taskSql = insertSql(RAW_TASKS_TABLE, TASK_COLUMNS, 1);
  const agentsBulkSql = insertSql(RAW_TABLE, INSERT_COLUMNS, agents.length);
  const tasksBulkSql = insertSql(RAW_TASKS_TABLE, TASK_COLUMNS, tasks.length);
  const post = (path, body) => timedPost(`${app.base}/api/v1${path}`, { body: JSON.stringify(body), headers: auth });

  const scenarios = [
    {
      key: 'agents',
      name: 'create 100 agents, one POST /api/v1/agents each',
      rawLabel: 'raw pg, one INSERT per agent',
      app: async () => {
        for (const agent of agents) await post('/agents', agent);
      },
      raw: async () => {
        for (const agent of agents) await client.query(agentSql, rowValues(TENANT, ACTOR, agent));
      },
    },
    {
      key: 'agents',
      name: 'create 100 agents, one POST /api/v1/agents/bulk',
      rawLabel: 'raw pg, one 100-row INSERT',
      app: () => post('/agents/bulk', { items: agents }),
      raw: () =>
        client.query(
          agentsBulkSql,
          agents.flatMap((agent) => rowValues(TENANT, ACTOR, agent)),
        ),
    },
    {
      key: 'tasks',
      name: 'create 50 tasks in one workflow, one POST /api/v1/tasks each',
      rawLabel: 'raw pg, one INSERT per task',
      app: async () => {
        for (const task of tasks) await post('/tasks', task);
      },
      raw: async () => {
        for (const task of tasks) await client.query(taskSql, taskValues(workflow.id, task));
      },
    },
    {
      key: 'tasks',
      name: 'create 50 tasks in one workflow, one POST /api/v1/tasks/bulk',
      rawLabel: 'raw pg, one 50-row INSERT',
      app: () => post('/tasks/bulk', { items: tasks }),
      raw: () =>
        client.query(
          tasksBulkSql,
          tasks.flatMap((task) => taskValues(workflow.id, task)),
        ),
    },
  ];

  const figures = [];
  try {
    for (const scenario of scenarios) {
      const before = cpuSnapshot();
      const { app: appTimes, raw: rawTimes } = await alternate(runs, scenario.app, scenario.raw);
      const foreign = foreignShare(before, cpuSnapshot());
      const seed = SEED_SYSTEM_MS[scenario.key];
      log(
        `  ${scenario.name}: app median ${appTimes.median.toFixed(1)} ms (seed system ${seed} ms); ${scenario.rawLabel}: median ${rawTimes.median.toFixed(1)} ms`,
      );
      const notes =
        `median of ${runs} runs after one warm-up, alternating with the raw baseline; app min ${appTimes.min.toFixed(1)} ms, max ${appTimes.max.toFixed(1)} ms; ` +
        `requests sent one after another over a keep-alive connection; the workflow is created beforehand and not timed; ` +
        `${scenario.rawLabel}: median ${rawTimes.median.toFixed(1)} ms over one pg connection, into a copy of the table (no foreign keys); ` +
        `the app also validates, checks references, writes one domain_events row per row and answers with the rows as JSON; ` +
        `other processes used ${Math.round((foreign ?? 0) * 100)}% of the cpus; ${shared}`;
      figures.push(
        figure({
          name: `${scenario.name} vs the seed system`,
          value: appTimes.median,
          unit: 'ms',
          baseline: seed,
          better: 'lower',
          notes: `baseline: the seed system's published total for the same rows (${seed} ms); ${notes}`,
        }),
        figure({ name: `${scenario.name} vs ${scenario.rawLabel}`, value: appTimes.median, unit: 'ms', baseline: rawTimes.median, better: 'lower', notes }),
      );
    }
  } finally {
    await client.end();
  }
  return figures;
}

/** Creates `count` pending tasks in `workflowId` through the bulk route; returns their ids in order. */
async function createTasksThroughApi(app, auth, workflowId, count) {
  const ids = [];
  for (let offset = 0; offset < count; offset += 1000) {
    const items = Array.from({ length: Math.min(1000, count - offset) }, (_, i) => ({ workflowId, description: `transition ${offset + i}` }));
    const created = await probe(`${app.base}/api/v1/tasks/bulk`, { body: JSON.stringify({ items }), headers: auth });
    ids.push(...created.items.map((task) => task.id));
  }
  return ids;
}

/** The raw baseline's rows: the same number of pending tasks in the raw copy of the table. */
async function createRawTasks(client, workflowId, count) {
  const ids = [];
  for (let offset = 0; offset < count; offset += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - offset) }, (_, i) => taskValues(workflowId, { description: `transition ${offset + i}` }));
    await client.query(insertSql(RAW_TASKS_TABLE, TASK_COLUMNS, rows.length), rows.flat());
    ids.push(...rows.map((row) => row[0]));
  }
  return ids;
}

/**
 * PATCH /tasks/:id pending → running with If-Match "1" on each of `ids`, from `connections` autocannon
 * connections. The rate is over the time from the start to the last answer: autocannon ends a run of
 * `amount` requests at its next whole-second tick, and its own `duration` with it (10,000 transitions
 * answered in 4.3 s read as 5 s).
 */
async function patchEach(app, auth, ids, connections) {
  let next = 0;
  let lastAnswer = 0;
  const before = cpuSnapshot();
  const started = performance.now();
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: app.base,
        connections,
        pipelining: 1,
        amount: ids.length,
        timeout: 10,
        requests: [
          {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', 'if-match': '"1"', ...auth },
            body: JSON.stringify({ status: 'running' }),
            setupRequest: (request) => ({ ...request, path: `/api/v1/tasks/${ids[next++ % ids.length]}` }),
          },
        ],
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', () => (lastAnswer = performance.now()));
  });
  const seconds = (lastAnswer - started) / 1000;
  return { result, seconds, rate: result['2xx'] / seconds, foreign: foreignShare(before, cpuSnapshot()) };
}

/** The raw baseline's compare-and-set UPDATE of each of `ids`, from `connections` concurrent loops over a pool of as many. */
async function updateEach(url, ids, connections) {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const sql = `UPDATE ${RAW_TASKS_TABLE} SET status = 'running', started_at = now(), updated_at = now(), updated_by = $2, version = version + 1
               WHERE id = $1 AND tenant_id = $3 AND version = 1 RETURNING *`;
  let next = 0;
  let updated = 0;
  const latencies = [];
  const before = cpuSnapshot();
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < ids.length) {
          const id = ids[next++];
          const sent = process.hrtime.bigint();
          const { rowCount } = await pool.query(sql, [id, ACTOR, TENANT]);
          latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
          updated += rowCount;
        }
      }),
    );
  } finally {
    await pool.end();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { updated, rate: updated / seconds, latencies, foreign: foreignShare(before, cpuSnapshot()) };
}

/**
 * PATCH /tasks/:id pending → running with If-Match "1" at `connections` connections, every request
 * on a task of its own (`count` tasks created beforehand), beside raw pg doing the same compare-and-set
 * UPDATE on as many rows from as many concurrent connections. Each side first does the same on
 * `warmup` tasks of its own, unmeasured: measured is code the JIT has compiled, as in a process
 * that has been running (the first transitions of a fresh process run at about half the rate).
 */
export async function measureTransitions({ url, app, auth, shared, count, warmup, connections, log }) {
  const workflow = await probe(`${app.base}/api/v1/workflows`, { body: JSON.stringify({ description: 'bench transitions' }), headers: auth });
  const appIds = await createTasksThroughApi(app, auth, workflow.id, warmup + count);
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  const rawIds = await createRawTasks(setup, workflow.id, warmup + count);
  await setup.end();

  if (warmup > 0) {
    const warm = await patchEach(app, auth, appIds.slice(0, warmup), connections);
    log(`  warm-up: ${warmup} PATCH /tasks/:id at ${Math.round(warm.rate)}/s, unmeasured`);
    if (warm.result.non2xx > 0 || warm.result.errors > 0)
      log(`  WARNING: the warm-up's PATCH /tasks/:id had ${warm.result.non2xx} non-2xx answers and ${warm.result.errors} errors`);
  }
  const { result, seconds: appSeconds, rate: appRate, foreign: appForeign } = await patchEach(app, auth, appIds.slice(warmup), connections);
  if (result.non2xx > 0 || result.errors > 0) log(`  WARNING: PATCH /tasks/:id had ${result.non2xx} non-2xx answers and ${result.errors} errors`);

  if (warmup > 0) await updateEach(url, rawIds.slice(0, warmup), connections);
  const { updated: rawUpdated, rate: rawRate, latencies: rawLatencies, foreign: rawForeign } = await updateEach(url, rawIds.slice(warmup), connections);
  const raw = summarize(rawLatencies);
  const rawP99 = [...rawLatencies].sort((a, b) => a - b)[Math.floor(rawLatencies.length * 0.99)];

  log(
    `  PATCH /tasks/:id pending → running: ${Math.round(appRate)} transitions/s (p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `${result['2xx']} of ${count} answered 2xx in ${appSeconds.toFixed(2)} s); raw pg UPDATE: ${Math.round(rawRate)}/s (p50 ${raw.median.toFixed(1)} ms, p99 ${rawP99.toFixed(1)} ms)`,
  );
  return [
    figure({
      name: `PATCH /api/v1/tasks/:id transitions (pending → running), ${connections} conn, vs raw pg UPDATE`,
      value: appRate,
      unit: 'transitions/s',
      baseline: rawRate,
      target: 0.35,
      notes:
        `${count} pending tasks created beforehand through POST /tasks/bulk; autocannon, ${connections} connections, each request on a task of its own with If-Match "1", ` +
        `after a warm-up of ${warmup} transitions on tasks of their own (the raw side likewise); ` +
        `app: ${result['2xx']} 2xx in ${appSeconds.toFixed(2)} s from the first request to the last answer, ${result.non2xx} non-2xx, ${result.errors} errors, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, other processes used ${Math.round((appForeign ?? 0) * 100)}% of the cpus; ` +
        `per transition the app runs one prepared statement: read the task with its dependencies' statuses (a task may not start before them), ` +
        `the compare-and-set UPDATE guarded by the lifecycle rules, one domain_events row (CTEs), and answers with the task as JSON; ` +
        `raw: ${connections} concurrent loops over a pg.Pool of ${connections}, one autocommit compare-and-set UPDATE ... RETURNING * per row of a copy of the table, no HTTP; ` +
        `${rawUpdated} rows updated, p50 ${raw.median.toFixed(1)} ms, p99 ${rawP99.toFixed(1)} ms, other processes used ${Math.round((rawForeign ?? 0) * 100)}% of the cpus; ${shared}`,
    }),
  ];
}
