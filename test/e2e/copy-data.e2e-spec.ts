import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createAppDataSource } from '../../src/data-source';
import { runCli } from '../utils/cli-process';
import { startServer, waitUntilReady } from '../utils/server-process';
import { waitFor } from '../utils/wait';
import { PER_DATABASE_TABLES } from '../../src/cli/copy-data/catalog';

type Json = Record<string, unknown>;

/** The embedded data a developer built, moved into PostgreSQL with `npm run cli -- copy-data`. */
describe('copy-data (embedded data directory → PostgreSQL)', () => {
  const targetUrl = process.env.TEST_DATABASE_URL!;
  const run = randomUUID().slice(0, 8);
  let dataDir: string;
  let target: Client;
  const ids: Record<string, string> = {};

  const serverEnv = () => ({ DATA_DIR: dataDir, REDIS_URL: process.env.TEST_REDIS_URL!, QUEUE_PREFIX: `copy-data-${run}` });
  const copyData = (...args: string[]) => runCli(['copy-data', '--from-embedded', dataDir, '--to', targetUrl, ...args]);

  /** Opens the embedded database in this process (the CLI and the server must not hold it meanwhile). */
  async function withSource<T>(work: (source: DataSource) => Promise<T>): Promise<T> {
    const source = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { migrationsRun: false, logging: false });
    await source.initialize();
    try {
      await source.query(`SET TimeZone = 'UTC'`);
      return await work(source);
    } finally {
      await source.destroy();
    }
  }

  async function buildEmbeddedData(baseUrl: string): Promise<void> {
    let writes = 0;
    const send = async (method: string, path: string, body: unknown, status: number, version?: number): Promise<Json> => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (version !== undefined) headers['if-match'] = `"${version}"`;
      // As a retrying client would: every write carries an idempotency key, which copy-data copies too.
      if (method === 'POST') headers['idempotency-key'] = `copy-data-${run}-${++writes}`;
      const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: JSON.stringify(body) });
      const answer = (await res.json()) as Json;
      expect({ path, status: res.status, answer }).toMatchObject({ path, status });
      return answer;
    };
    const post = (path: string, body: unknown, status = 201) => send('POST', path, body, status);
    const id = (answer: Json) => answer.id as string;

    // Text that only an exact copy keeps: quotes, backslashes, braces, commas, non-ASCII, an empty string.
    const tricky = 'Says "hi", keeps C:\\temp\\{x}, NULL, naïve café ✓';
    ids.planner = id(
      await post('/agents', { name: `planner-${run}`, role: 'planner', description: tricky, metadata: { model: 'm1', nested: { list: [1, 2.5, null, 'x'] } } }),
    );
    ids.worker = id(await post('/agents', { name: `worker-${run}`, role: 'worker', description: '' }));
    await send('PATCH', `/agents/${ids.planner}`, { status: 'busy' }, 200, 1);
    await post('/agents/' + ids.worker + '/heartbeat', { status: 'busy' }, 200);

    ids.workflow = id(await post('/workflows', { description: `release ${run}`, input: { goal: tricky } }));
    await send('PATCH', `/workflows/${ids.workflow}`, { status: 'running' }, 200, 1);
    ids.parent = id(await post('/tasks', { workflowId: ids.workflow, description: 'plan', agentId: ids.worker, priority: 5, input: { steps: 3 } }));
    ids.child = id(await post(`/tasks/${ids.parent}/subtasks`, { description: 'step one' }));
    ids.grandchild = id(await post(`/tasks/${ids.child}/subtasks`, { description: 'step one, part a' }));
    ids.dependent = id(await post('/tasks', { workflowId: ids.workflow, description: 'ship', dependsOn: [ids.parent] }));
    await send('PATCH', `/tasks/${ids.parent}`, { status: 'running' }, 200, 1);

    const message = await post('/messages', {
      fromAgentId: ids.planner,
      toAgentId: ids.worker,
      taskId: ids.parent,
      type: 'request',
      content: { text: tricky },
    });
    await send('PATCH', `/messages/${id(message)}`, { status: 'received' }, 200, 1);
    await post('/health-records', {
      component: `crawler-${run}`,
      status: 'degraded',
      message: 'slow',
      responseTimeMs: 830,
      agentId: ids.worker,
      details: { queue: 12 },
    });
    await post('/system-metrics', { name: `queue.depth.${run}`, value: 0.1 + 0.2, unit: 'jobs', tags: { region: 'eu' } });
    await post('/action-logs', { actionType: 'tool.search', parameters: { q: tricky }, durationMs: 120, traceId: `trace-${run}`, agentId: ids.planner });
    await post('/job-results', {
      jobId: `job-${run}`,
      taskId: ids.parent,
      agentId: ids.worker,
      status: 'ok',
      outputArtifacts: { files: ['a.txt'] },
      metrics: { tokens: 1234 },
    });
    await post('/insights', { summary: 'Crawler notes', domain: 'ops', confidence: 0.7, content: 'The crawler keeps running searches.' });
    const pattern = await post('/patterns', { trigger: `on-failure-${run}`, steps: [{ do: 'retry' }, { do: 'escalate' }] });
    await post(`/patterns/${id(pattern)}/usage`, {}, 200);
    await post('/integrated-objects', {
      platform: 'zendesk',
      originalId: `ticket-${run}`,
      objectType: 'ticket',
      companyId: 'acme',
      originalData: { subject: tricky },
      integratedContent: 'Login fails',
      metadata: { priority: 'high' },
    });

    // Results handed to the outbox and persisted by the worker: records, chunks, a job result, agent metrics, an insight.
    const calls = [
      await post(
        '/service-calls',
        {
          callId: `done-${run}`,
          namespace: 'core',
          schema: 'task.result@1',
          result: { taskId: ids.parent, status: 'completed', output: { shipped: true }, durationMs: 1500 },
        },
        202,
      ),
      await post(
        '/service-calls',
        {
          callId: `insight-${run}`,
          namespace: 'knowledge',
          schema: 'insight@1',
          result: { summary: 'Retry later', domain: 'ops', confidence: 0.25, content: 'Backoff helps.' },
        },
        202,
      ),
    ];
    for (const call of calls) {
      await waitFor(`service call ${id(call)} persisted`, async () => {
        const res = await fetch(`${baseUrl}/api/v1/service-calls/${id(call)}`);
        return ((await res.json()) as Json).status === 'persisted';
      });
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-copy-'));
    const key = await runCli(['api-keys', 'create', '--tenant', `copy-${run}`, '--name', 'ops'], { DATA_DIR: dataDir });
    expect(key.code).toBe(0);

    const server = await startServer(serverEnv());
    try {
      await waitUntilReady(server);
      await buildEmbeddedData(server.baseUrl);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    // A subtask whose id sorts before its parent's (ids made after the clock was set back): the
    // copy must still write the parent first.
    ids.early = `00000000-${run.slice(0, 4)}-7${run.slice(4, 7)}-8000-${randomUUID().slice(-12)}`;
    await withSource((source) =>
      source.query(
        `INSERT INTO tasks SELECT (jsonb_populate_record(t, jsonb_build_object('id', $1::text, 'parent_task_id', t.id::text, 'description', 'clock was behind'))).* FROM tasks t WHERE t.id = $2`,
        [ids.early, ids.grandchild],
      ),
    );
    // Rows brought in by import-legacy (and its ledger), from a legacy table that is dropped afterwards.
    const legacy = `legacy_objects_${run.replace(/\W/g, '_')}`;
    await withSource(async (source) => {
      await source.query(`CREATE TABLE ${legacy} (id text PRIMARY KEY, type text, data jsonb, created_at timestamptz, updated_at timestamptz)`);
      await source.query(`INSERT INTO ${legacy} VALUES ('a1', 'agent', $1, now(), now()), ('i1', 'insight', $2, now(), now())`, [
        JSON.stringify({ name: `legacy-${run}`, role: 'archivist' }),
        JSON.stringify({ summary: 'Imported', domain: 'ops', confidence: 0.5, content: 'From the "old" store: naïve café ✓' }),
      ]);
    });
    const imported = await runCli(['import-legacy', '--from', dataDir, '--table', legacy], { DATA_DIR: dataDir });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    await withSource((source) => source.query(`DROP TABLE ${legacy}`));

    target = new Client({ connectionString: targetUrl });
    await target.connect();
    await target.query(`SET TimeZone = 'UTC'`);
  }, 240_000);

  afterAll(async () => {
    await target?.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A database of its own for the duration of `work`, for targets the shared test database cannot be. */
  async function withScratchDatabase(work: (url: string, client: Client) => Promise<void>): Promise<void> {
    const name = `copy_data_target_${process.pid}_${Date.now()}`;
    await target.query(`CREATE DATABASE ${name}`);
    const url = new URL(targetUrl);
    url.pathname = `/${name}`;
    const client = new Client({ connectionString: url.toString() });
    try {
      await client.connect();
      await client.query(`SET TimeZone = 'UTC'`);
      await work(url.toString(), client);
    } finally {
      await client.end();
      await target.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }

  /** Every table of the source with its primary key, from the catalog (new tables are covered too), but those each database keeps its own. */
  async function sourceTables(source: DataSource): Promise<{ table: string; primaryKey: string[] }[]> {
    return source.query(
      `
      SELECT c.table_name AS table, json_agg(k.column_name ORDER BY k.ordinal_position) AS "primaryKey"
        FROM information_schema.tables c
        JOIN information_schema.table_constraints p ON p.table_name = c.table_name AND p.table_schema = 'public' AND p.constraint_type = 'PRIMARY KEY'
        JOIN information_schema.key_column_usage k ON k.constraint_name = p.constraint_name AND k.table_schema = 'public'
       WHERE c.table_schema = 'public' AND c.table_type = 'BASE TABLE' AND c.table_name <> ALL($1::text[])
       GROUP BY c.table_name ORDER BY c.table_name`,
      [PER_DATABASE_TABLES],
    );
  }

  /** Asserts that every source row is in the target with equal content; returns the target ids of the source's events, in source order. */
  async function expectEverySourceRowInTarget(): Promise<string[]> {
    return withSource(async (source) => {
      let eventIds: string[] = [];
      for (const { table, primaryKey } of await sourceTables(source)) {
        const rows: Json[] = (
          await source.query(`SELECT to_jsonb(t) AS row FROM public."${table}" t ORDER BY ${primaryKey.map((c) => `"${c}"`).join(', ')}`)
        ).map((r: { row: Json }) => r.row);
        expect({ table, empty: rows.length === 0 }).toEqual({ table, empty: false });

        if (table === 'domain_events') {
          // Event ids and the transaction ids that order the feed are the target's own (docs/migrating-data.md);
          // each event is there once, with the same content, in the same order.
          const { rows: found } = await target.query(
            `SELECT count(t.id)::int AS copies, max(t.id)::text AS id
               FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS s(content, ord)
               LEFT JOIN domain_events t ON t.aggregate_id = (s.content->>'aggregate_id')::uuid AND to_jsonb(t) - 'id' - 'xid' = s.content - 'id' - 'xid'
              GROUP BY s.ord ORDER BY s.ord`,
            [JSON.stringify(rows)],
          );
          expect(found.map((r) => r.copies)).toEqual(rows.map(() => 1));
          eventIds = found.map((r) => r.id);
          continue;
        }
        const keys = JSON.stringify(rows.map((row) => Object.fromEntries(primaryKey.map((column) => [column, row[column]]))));
        const { rows: copied } = await target.query(
          `SELECT to_jsonb(t) AS row FROM public."${table}" t JOIN jsonb_populate_recordset(NULL::public."${table}", $1::jsonb) k USING (${primaryKey.map((c) => `"${c}"`).join(', ')})
            ORDER BY ${primaryKey.map((c) => `t."${c}"`).join(', ')}`,
          [keys],
        );
        expect({ table, rows: copied.map((r) => r.row) }).toEqual({ table, rows });
      }
      return eventIds;
    });
  }

  const summaryTotals = (stdout: string) => {
    const match = /^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(stdout);
    expect(match, stdout).not.toBeNull();
    const [, sourceRows, copied, alreadyPresent, conflicts] = match!.map(Number);
    return { sourceRows, copied, alreadyPresent, conflicts };
  };

  it('copies every row of every table with equal content, parents first, and --verify passes', { timeout: 180_000 }, async () => {
    // Batches of 2: keysets across many batches, and a subtask never lands before its parent.
    const first = await copyData('--verify', '--batch-size', '2');
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^tasks: 5 rows read, 5 copied, 0 already present in [\d.]+ s \(\d+ rows\/s\)$/m);
    expect(first.stdout).toContain('verify ok: every source row is in the target with the same content');
    const totals = summaryTotals(first.stdout);
    expect(totals).toMatchObject({ conflicts: 0 });
    expect(totals.copied).toBe(totals.sourceRows);

    const eventIds = (await expectEverySourceRowInTarget()).map(BigInt);
    expect(eventIds.every((id, i) => i === 0 || id > eventIds[i - 1])).toBe(true);

    // The event sequence is past every copied event: the next event gets a new, larger id.
    const { rows } = await target.query(
      `INSERT INTO domain_events (tenant_id, type, aggregate_type, aggregate_id, actor_id) VALUES ('copy-check', 'copy.checked', 'test', gen_random_uuid(), 'test') RETURNING id::text`,
    );
    expect(BigInt(rows[0].id)).toBeGreaterThan(eventIds[eventIds.length - 1]);
  });

  it('copies nothing new when run again, and --verify still passes', { timeout: 120_000 }, async () => {
    const again = await copyData('--verify');
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    const totals = summaryTotals(again.stdout);
    expect(totals).toMatchObject({ copied: 0, conflicts: 0 });
    expect(totals.alreadyPresent).toBe(totals.sourceRows);
    await expectEverySourceRowInTarget(); // each event still there exactly once
  });

  it('reports a target row that differs as a conflict, keeps it, and --verify fails naming the table', { timeout: 120_000 }, async () => {
    await target.query(`UPDATE agents SET name = 'changed in production' WHERE id = $1`, [ids.planner]);
    const res = await copyData('--verify');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`agents: 3 rows read, 0 copied, 2 already present, 1 differ in the target (kept as they are; keys: ${ids.planner})`);
    expect(res.stdout).toMatch(/^agents\s+primary-key\s+3\s+3\s+DIFFERS \(1 rows\)$/m);
    expect(res.stdout).toContain('verify FAILED for agents');
    const { rows } = await target.query(`SELECT name FROM agents WHERE id = $1`, [ids.planner]);
    expect(rows).toEqual([{ name: 'changed in production' }]);
  });

  it('refuses a data directory held by a running server, in one line', { timeout: 120_000 }, async () => {
    const server = await startServer(serverEnv());
    try {
      await waitUntilReady(server);
      const res = await copyData();
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toMatch(/^copy-data: the embedded database in .* is in use by process \d+: stop that server, then copy$/);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses a database holding a migration this version does not know', { timeout: 120_000 }, async () => {
    const future = `FromTheFuture${Date.now()}`;
    await withSource((source) => source.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [Date.now(), future]));
    try {
      const res = await copyData();
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(
        `copy-data: the source database holds migrations this version does not know (${future}): run copy-data from a version that has them`,
      );
    } finally {
      await withSource((source) => source.query(`DELETE FROM migrations WHERE name = $1`, [future]));
    }

    // The target: an empty database first gets every migration, then refuses once it holds an unknown one.
    await withScratchDatabase(async (url, scratch) => {
      const fresh = await runCli(['copy-data', '--from-embedded', dataDir, '--to', url]);
      expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({ code: 0, stderr: '' });
      expect(fresh.stdout).toMatch(/^target: applied \d+ pending migrations \(Foundation\d+, /m);
      await scratch.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [Date.now(), future]);
      const res = await runCli(['copy-data', '--from-embedded', dataDir, '--to', url]);
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(
        `copy-data: the target database holds migrations this version does not know (${future}): run copy-data from a version that has them`,
      );
    });
  });

  it('copies a table added later with no code change, keeping identity values, and moves its sequence', { timeout: 120_000 }, async () => {
    const tables = [
      `CREATE TABLE probes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL, parent_id bigint REFERENCES probes (id), tags text[])`,
      `CREATE TABLE probe_readings (id serial PRIMARY KEY, probe_id bigint NOT NULL REFERENCES probes (id), reading double precision, took interval)`,
    ];
    const rows = async (db: { query: (sql: string) => Promise<unknown> }, table: string) => {
      const result = (await db.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY id`)) as { row: Json }[] | { rows: { row: Json }[] };
      return (Array.isArray(result) ? result : result.rows).map((r) => r.row);
    };
    await withSource(async (source) => {
      for (const sql of tables) await source.query(sql);
      await source.query(`ALTER TABLE probes ALTER COLUMN id RESTART WITH 41`);
      await source.query(`INSERT INTO probes (label, tags) VALUES ('root', '{a,"b c","d\\"e"}'), ('other', NULL)`);
      await source.query(`INSERT INTO probes (label, parent_id) VALUES ('leaf', 41)`);
      await source.query(`INSERT INTO probe_readings (probe_id, reading, took) VALUES (41, 1e-7, '1 day 02:03:04.5'), (43, -0.5, NULL)`);
    });
    try {
      const source = await withSource(async (db) => ({ probes: await rows(db, 'probes'), readings: await rows(db, 'probe_readings') }));
      await withScratchDatabase(async (url, scratch) => {
        for (const sql of tables) await scratch.query(sql); // what a migration would have made
        const res = await runCli(['copy-data', '--from-embedded', dataDir, '--to', url, '--verify']);
        expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
        expect(res.stdout).toMatch(/^probes: 3 rows read, 3 copied, 0 already present in /m);
        expect(res.stdout).toContain('public.probes_id_seq (probes.id): moved past 43');
        expect(await rows(scratch, 'probes')).toEqual(source.probes);
        const withoutId = (list: Json[]) => list.map(({ id: _id, ...rest }) => rest);
        expect(withoutId(await rows(scratch, 'probe_readings'))).toEqual(withoutId(source.readings));
        const { rows: next } = await scratch.query(`INSERT INTO probes (label) VALUES ('made in production') RETURNING id::int`);
        expect(next[0].id).toBeGreaterThan(43);
      });
    } finally {
      await withSource(async (source) => {
        await source.query('DROP TABLE probe_readings');
        await source.query('DROP TABLE probes');
      });
    }
  });

  it('answers bad arguments with the usage and exit code 2', async () => {
    for (const args of [
      [],
      ['--to', targetUrl],
      ['--from-embedded', '/tmp', '--to', 'mysql://x'],
      ['--from-embedded', '/tmp', '--to', targetUrl, '--batch-size', '0'],
    ]) {
      const res = await runCli(['copy-data', ...args]);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr).toContain('usage: npm run cli -- copy-data --from-embedded <data dir> --to <postgres url>');
    }
    const empty = mkdtempSync(join(tmpdir(), 'agent-ledger-copy-empty-'));
    try {
      const res = await runCli(['copy-data', '--from-embedded', empty, '--to', targetUrl]);
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(`copy-data: ${empty} holds no embedded database (no pg/PG_VERSION)`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
