/**
 * Full-text search over insights: GET /api/v1/insights/search?q= through the compiled server on a
 * corpus of 100 000 insights, beside the same ranked SQL sent directly with `pg`, measured in the
 * same run. See bench/README.md ("Full-text search figures"). Figures are merged into
 * bench/results/latest.json.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { uuidv7 } from '../dist/common/persistence/uuid-v7.js';
import { cpuSnapshot, foreignShare } from './lib/cpu.mjs';
import { checkpoint, databaseUrl, describeMachine, flushRedis, migrateForServiceRole } from './lib/db.mjs';
import { request } from './lib/http.mjs';
import { CORPUS_VERSION, corpusInsight, SEARCH_QUERIES } from './lib/insight-corpus.mjs';
import { latencySummary } from './lib/outbox-stats.mjs';
import { runMain } from './lib/main.mjs';
import { createApiKey, freePort, stackEnv, startApp, UNREACHED_RATE_LIMITS } from './lib/processes.mjs';
import { figure, mergeResults, renderTable } from './lib/report.mjs';

const env = process.env;
const SETTINGS = {
  adminUrl: env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: env.BENCH_KNOWLEDGE_DATABASE ?? 'agent_ledger_bench_knowledge',
  redisUrl: env.BENCH_KNOWLEDGE_REDIS_URL ?? 'redis://127.0.0.1:6379/12',
  rows: Number(env.BENCH_KNOWLEDGE_ROWS ?? 100_000),
  seconds: Number(env.BENCH_KNOWLEDGE_SECONDS ?? 10),
  warmupSeconds: Number(env.BENCH_KNOWLEDGE_WARMUP_SECONDS ?? 2),
  rounds: Number(env.BENCH_KNOWLEDGE_ROUNDS ?? 5),
  connections: (env.BENCH_KNOWLEDGE_CONNECTIONS ?? '1,10').split(',').map(Number),
  limit: 20,
  batch: 2000,
  poolSize: 10,
};
const TENANT = 'bench-knowledge';
const FIGURE_PREFIX = 'GET /api/v1/insights/search';
const LATEST = new URL('./results/latest.json', import.meta.url);

/** The statement InsightsRepository.search sends (same columns, rank, headline options and order). */
const HEADLINE_OPTIONS = 'StartSel=<b>, StopSel=</b>, MaxFragments=3, MaxWords=30, MinWords=8, FragmentDelimiter=" … "';
// As the app answers by default: no content, its size, a highlight of the summary and the content's first 10,000 characters.
const SEARCH_SQL = `SELECT i.id, i.version, i.created_at, i.updated_at, i.tenant_id, i.summary, i.domain, i.confidence,
        i.created_by, i.created_by_key_id, i.updated_by, i.updated_by_key_id,
        ts_rank(i.search, q.query) AS rank_, octet_length(i.content) AS content_bytes_,
        ts_headline('english', i.summary || ' ' || left(i.content, 10000), q.query, $4) AS highlight_
 FROM insights i, websearch_to_tsquery('english', $2) AS q(query)
 WHERE i.tenant_id = $1 AND i.search @@ q.query AND ($3::text IS NULL OR i.domain = $3)
 ORDER BY rank_ DESC, i.id ASC
 LIMIT $5`;
const searchParams = (q) => [TENANT, q, null, HEADLINE_OPTIONS, SETTINGS.limit];

const log = (message) => process.stderr.write(`[bench knowledge] ${message}\n`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const pct = (share) => (share === undefined ? 'n/a' : `${Math.round(share * 100)}%`);

/** Creates the bench database if it is missing; it is kept between runs so the corpus is seeded once. */
async function ensureDatabase() {
  if (!/^[a-z_][a-z0-9_]*$/.test(SETTINGS.database)) throw new Error(`Refusing odd database name ${SETTINGS.database}`);
  const admin = new pg.Client({ connectionString: SETTINGS.adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [SETTINGS.database]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${SETTINGS.database}`);
    return rowCount === 0;
  } finally {
    await admin.end();
  }
}

/**
 * Seeds `rows` insights for the bench tenant with batched INSERTs (unnest of column arrays, one
 * statement per batch), unless the same corpus is already there. Returns how it went.
 */
async function seedCorpus(client) {
  await client.query('CREATE TABLE IF NOT EXISTS bench_corpus (name text PRIMARY KEY, version int NOT NULL, rows int NOT NULL)');
  const { rows: marks } = await client.query(`SELECT version, rows FROM bench_corpus WHERE name = 'insights'`);
  const { rows: counted } = await client.query('SELECT count(*)::int AS n FROM insights WHERE tenant_id = $1', [TENANT]);
  if (marks[0]?.version === CORPUS_VERSION && marks[0]?.rows === SETTINGS.rows && counted[0].n === SETTINGS.rows) {
    return { reused: true, rows: counted[0].n, seconds: 0 };
  }
  log(
    `seeding ${SETTINGS.rows} insights for tenant ${TENANT} (${counted[0].n} found, corpus ${JSON.stringify(marks[0] ?? null)}), ${SETTINGS.batch} per INSERT`,
  );
  const started = performance.now();
  await client.query('DELETE FROM insights WHERE tenant_id = $1', [TENANT]);
  await client.query(`DELETE FROM bench_corpus WHERE name = 'insights'`);
  const sql = `INSERT INTO insights (id, tenant_id, summary, domain, confidence, content, version, created_by, updated_by)
               SELECT id, $1, summary, domain, confidence, content, 1, 'bench', 'bench'
               FROM unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS t(id, summary, domain, confidence, content)`;
  for (let offset = 0; offset < SETTINGS.rows; offset += SETTINGS.batch) {
    const columns = [[], [], [], [], []];
    for (let i = offset; i < Math.min(SETTINGS.rows, offset + SETTINGS.batch); i++) {
      const insight = corpusInsight(i);
      columns[0].push(uuidv7());
      columns[1].push(insight.summary);
      columns[2].push(insight.domain);
      columns[3].push(insight.confidence);
      columns[4].push(insight.content);
    }
    await client.query(sql, [TENANT, ...columns]);
    if ((offset / SETTINGS.batch) % 10 === 9) log(`  ${offset + SETTINGS.batch} rows, ${fmt((performance.now() - started) / 1000)} s`);
  }
  await client.query('VACUUM ANALYZE insights');
  await client.query(`INSERT INTO bench_corpus (name, version, rows) VALUES ('insights', $1, $2)`, [CORPUS_VERSION, SETTINGS.rows]);
  return { reused: false, rows: SETTINGS.rows, seconds: (performance.now() - started) / 1000 };
}

/** Rows each query matches in the corpus, and the tsquery PostgreSQL made of it. */
async function selectivity(client) {
  const result = {};
  for (const q of SEARCH_QUERIES) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n, websearch_to_tsquery('english', $2)::text AS tsquery FROM insights WHERE tenant_id = $1 AND search @@ websearch_to_tsquery('english', $2)`,
      [TENANT, q],
    );
    result[q] = rows[0];
  }
  return result;
}

function searchPath(q) {
  return `/api/v1/insights/search?q=${encodeURIComponent(q)}&limit=${SETTINGS.limit}`;
}

function get(agent, base, path, headers) {
  return request(agent, base, { path, headers });
}

/** Before measuring: for every query the app answers with exactly the rows, in the order, that the raw SQL returns. */
async function checkSameAnswers(app, pool) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const q of SEARCH_QUERIES) {
      const response = await get(agent, app.base, searchPath(q), app.auth);
      if (response.status !== 200) throw new Error(`GET ${searchPath(q)} answered ${response.status}: ${response.body.slice(0, 500)}`);
      const appIds = JSON.parse(response.body).items.map((item) => item.id);
      const rawIds = (await pool.query(SEARCH_SQL, searchParams(q))).rows.map((row) => row.id);
      if (appIds.length === 0 || JSON.stringify(appIds) !== JSON.stringify(rawIds)) {
        throw new Error(`query ${JSON.stringify(q)}: the app answered ${appIds.length} ids, raw SQL ${rawIds.length}, not the same list`);
      }
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Closed loop: `connections` concurrent loops, each sending the next query of the mix as soon as
 * its previous one answered, for `seconds`. Latencies are kept per query; only successes count.
 */
async function closedLoop({ connections, seconds, send }) {
  const perQuery = new Map(SEARCH_QUERIES.map((q) => [q, []]));
  let next = 0;
  let failures = 0;
  let firstFailure;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const q = SEARCH_QUERIES[next++ % SEARCH_QUERIES.length];
        const t0 = performance.now();
        try {
          await send(q);
          perQuery.get(q).push(performance.now() - t0);
        } catch (error) {
          failures++;
          firstFailure ??= error.message;
        }
      }
    }),
  );
  return { perQuery, failures, firstFailure, seconds: (performance.now() - started) / 1000 };
}

/** The app and the raw baseline at one connection count: warm-ups, then interleaved slices in rotating order. */
async function measureLevel(connections, app, url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const targets = [
    {
      key: 'app',
      send: async (q) => {
        const response = await get(agent, app.base, searchPath(q), app.auth);
        if (response.status !== 200) throw new Error(`status ${response.status}: ${response.body.slice(0, 200)}`);
      },
    },
    { key: 'raw', send: (q) => pool.query(SEARCH_SQL, searchParams(q)) },
  ];
  const totals = Object.fromEntries(
    targets.map((t) => [t.key, { perQuery: new Map(SEARCH_QUERIES.map((q) => [q, []])), failures: 0, firstFailure: undefined, seconds: 0, foreign: 0 }]),
  );
  try {
    for (const target of targets) await closedLoop({ connections, seconds: SETTINGS.warmupSeconds, send: target.send });
    const slice = SETTINGS.seconds / SETTINGS.rounds;
    for (let round = 0; round < SETTINGS.rounds; round++) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length];
        const total = totals[target.key];
        const before = cpuSnapshot();
        const result = await closedLoop({ connections, seconds: slice, send: target.send });
        total.foreign += (foreignShare(before, cpuSnapshot()) ?? 0) * result.seconds;
        total.seconds += result.seconds;
        total.failures += result.failures;
        total.firstFailure ??= result.firstFailure;
        for (const [q, latencies] of result.perQuery) total.perQuery.get(q).push(...latencies);
      }
    }
  } finally {
    agent.destroy();
    await pool.end();
  }
  const summaries = {};
  for (const [key, total] of Object.entries(totals)) {
    const all = [...total.perQuery.values()].flat();
    summaries[key] = {
      ...latencySummary(all),
      requestsPerSecond: all.length / total.seconds,
      failures: total.failures,
      firstFailure: total.firstFailure,
      foreignCpu: total.foreign / total.seconds,
      perQuery: Object.fromEntries([...total.perQuery].map(([q, latencies]) => [q, latencySummary(latencies)])),
    };
  }
  return summaries;
}

function describe(label, r) {
  return (
    `${label}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms over ${r.count} queries, ` +
    `${r.failures} failed, other processes used ${pct(r.foreignCpu)} of the cpus`
  );
}

function perQueryNotes(results, matches) {
  return SEARCH_QUERIES.map(
    (q) =>
      `${JSON.stringify(q)} (${matches[q].n} matches): app p50 ${fmt(results.app.perQuery[q].p50)} / p99 ${fmt(results.app.perQuery[q].p99)} ms, ` +
      `raw p50 ${fmt(results.raw.perQuery[q].p50)} / p99 ${fmt(results.raw.perQuery[q].p99)} ms`,
  ).join('; ');
}

async function main() {
  const started = Date.now();
  const url = databaseUrl(SETTINGS.adminUrl, SETTINGS.database);
  const created = await ensureDatabase();
  // Migrated by its owner; the app connects as a role under row-level security, as in production.
  const appUrl = await migrateForServiceRole(url);
  await flushRedis(SETTINGS.redisUrl);
  const port = await freePort();
  log(`starting the app (APP_ROLE=api) on port ${port} against ${SETTINGS.database}${created ? ' (new database)' : ''}, request logging off (LOG_LEVEL=warn)`);
  const server = await startApp(
    stackEnv(
      { databaseUrl: appUrl, redisUrl: SETTINGS.redisUrl, queuePrefix: 'bench-knowledge', poolSize: SETTINGS.poolSize },
      { ...UNREACHED_RATE_LIMITS, MIGRATIONS_RUN: 'false', APP_ROLE: 'api', PORT: String(port) },
    ),
  );
  const key = await createApiKey({ DATABASE_URL: appUrl, LOG_LEVEL: 'warn' }, TENANT, 'bench-knowledge');
  const app = { base: server.base, auth: { authorization: `Bearer ${key}` } };

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let seed;
  let matches;
  try {
    seed = await seedCorpus(client);
    log(seed.reused ? `reusing the ${seed.rows} insights already seeded` : `seeded ${seed.rows} insights in ${fmt(seed.seconds)} s (VACUUM ANALYZE included)`);
    matches = await selectivity(client);
  } finally {
    await client.end();
  }
  log(`queries and the rows they match: ${SEARCH_QUERIES.map((q) => `${q} → ${matches[q].n}`).join(', ')}`);
  const checkPool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await checkSameAnswers(app, checkPool);
  } finally {
    await checkPool.end();
  }
  log(`checked: for each of the ${SEARCH_QUERIES.length} queries the app returns the same ${SETTINGS.limit} rows, in the same order, as the raw SQL`);

  const machine = await describeMachine(url);
  const shared = `the load generator runs in the bench process and shares the ${machine.cpus} cpus with the server under test and PostgreSQL; ${machine.text}`;
  const corpus =
    `${SETTINGS.rows} insights of one tenant (deterministic corpus v${CORPUS_VERSION}: 10 domains, 50 to 110 words each, ${seed.reused ? 'seeded by an earlier run' : `seeded in ${fmt(seed.seconds)} s`}); ` +
    `${SEARCH_QUERIES.length} queries sent in turn (quoted phrase, or, -word included), limit ${SETTINGS.limit}`;
  const figures = [];
  for (const connections of SETTINGS.connections) {
    await checkpoint(url);
    log(
      `${connections} connection(s): ${SETTINGS.warmupSeconds}s warm-up each, then ${SETTINGS.seconds}s each in ${SETTINGS.rounds} interleaved slices (app, raw pg)`,
    );
    const results = await measureLevel(connections, app, url);
    log(`  ${describe('app', results.app)}`);
    log(`  ${describe('raw pg', results.raw)}`);
    for (const q of SEARCH_QUERIES) {
      log(
        `    ${q.padEnd(30)} ${String(matches[q].n).padStart(6)} matches  app p50 ${fmt(results.app.perQuery[q].p50).padStart(6)} ms  raw p50 ${fmt(results.raw.perQuery[q].p50).padStart(6)} ms`,
      );
    }
    for (const [key, r] of Object.entries(results)) if (r.failures > 0) log(`  WARNING: ${key}: ${r.failures} failed requests, first: ${r.firstFailure}`);
    const notes =
      `${corpus}; closed loop at ${connections} connection(s), ${SETTINGS.warmupSeconds}s warm-up, then ${SETTINGS.seconds}s in ${SETTINGS.rounds} slices interleaved with the baseline; ` +
      `${describe('app', results.app)}; ${describe('raw pg', results.raw)}; ` +
      `app: GET with a Bearer key over a keep-alive connection, validation, the search statement through TypeORM (pool of ${SETTINGS.poolSize}), rows hydrated and sent as JSON; ` +
      `raw: the same statement (websearch_to_tsquery, ts_rank, ts_headline, ORDER BY rank, LIMIT ${SETTINGS.limit}) with pg.Pool.query, rows parsed, no HTTP; ` +
      `per query: ${perQueryNotes(results, matches)}; ${shared}`;
    const name = (what) => `${FIGURE_PREFIX} ${what}, ${connections} conn, vs raw pg`;
    figures.push(
      figure({ name: name('throughput'), value: results.app.requestsPerSecond, unit: 'req/s', baseline: results.raw.requestsPerSecond, notes }),
      figure({ name: name('p50 latency'), value: results.app.p50, unit: 'ms', baseline: results.raw.p50, better: 'lower', notes }),
      figure({ name: name('p99 latency'), value: results.app.p99, unit: 'ms', baseline: results.raw.p99, better: 'lower', notes }),
    );
  }

  const kept = await mergeResults(LATEST, FIGURE_PREFIX, figures, log);
  process.stdout.write('\n' + renderTable(figures) + '\n\n');
  process.stdout.write(
    [
      'ratio = value / baseline. Throughput: the share of the baseline reached (higher is better). Latency: how many times the baseline (lower is better).',
      `corpus: ${corpus}.`,
      'raw pg: the ranked statement the app sends (websearch_to_tsquery, ts_rank, ts_headline), sent with pg directly from the bench process, no HTTP.',
      machine.text,
      `Merged into bench/results/latest.json (${kept} other figures kept) in ${Math.round((Date.now() - started) / 1000)} s.`,
    ].join('\n') + '\n',
  );
}

await runMain('bench knowledge', main);
