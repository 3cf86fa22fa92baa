import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, waitUntilReady } from '../utils/server-process';
import { waitFor } from '../utils/wait';

/** The zero-setup default: no DATABASE_URL, PGlite under DATA_DIR, the real compiled server. */
describe('embedded profile (npm start with no configuration)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-embedded-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const env = () => ({ DATA_DIR: dataDir, REDIS_URL: process.env.TEST_REDIS_URL!, QUEUE_PREFIX: `embedded-${process.pid}` });

  it('boots on an empty DATA_DIR, serves POST /agents, and keeps the agent across a restart', { timeout: 240_000 }, async () => {
    const first = await startServer(env());
    let agent: { id: string; name: string; version: number };
    try {
      await waitUntilReady(first);
      const created = await fetch(`${first.baseUrl}/api/v1/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survivor', role: 'archivist' }),
      });
      expect(created.status).toBe(201);
      agent = (await created.json()) as typeof agent;
      expect(agent).toMatchObject({ name: 'survivor', version: 1, createdBy: 'anonymous' });
      expect(first.output()).toContain('Authentication is off');

      // Full-text search runs on the embedded engine too: generated tsvector column, ranking, highlights.
      const insight = await fetch(`${first.baseUrl}/api/v1/insights`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ summary: 'Crawler notes', domain: 'ops', confidence: 0.7, content: 'The crawler keeps running searches.' }),
      });
      expect(insight.status).toBe(201);
      const found = (await (await fetch(`${first.baseUrl}/api/v1/insights/search?q=run`)).json()) as { items: { highlight: string }[] };
      expect(found.items).toHaveLength(1);
      expect(found.items[0].highlight).toContain('<b>running</b>');

      // A bulk write stores every item's event in the statement of its rows, on the embedded engine too.
      const logged = await fetch(`${first.baseUrl}/api/v1/action-logs/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ actionType: 'fetch' }, { actionType: 'parse', traceId: 't-1' }] }),
      });
      expect(logged.status).toBe(201);
      const logIds = ((await logged.json()) as { items: { id: string }[] }).items.map((log) => log.id);
      const recorded = await waitFor('the bulk write’s events in the feed', async () => {
        const page = (await (await fetch(`${first.baseUrl}/api/v1/events?type=action_log.recorded`)).json()) as {
          items: { aggregateId: string; payload: { traceId: string | null } }[];
        };
        return page.items.length === logIds.length && page.items;
      });
      expect(recorded.map((event) => [event.aggregateId, event.payload.traceId])).toEqual([
        [logIds[0], null],
        [logIds[1], 't-1'],
      ]);

      // A task's change is one statement (its read, the compare-and-set under the lifecycle rules,
      // its events) on the embedded engine too, refusals included.
      const send = async (method: string, path: string, body: object, ifMatch?: string) => {
        const res = await fetch(`${first.baseUrl}/api/v1${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const workflow = await send('POST', '/workflows', { description: 'w' });
      const firstTask = await send('POST', '/tasks', { workflowId: workflow.body.id, description: 'first' });
      const then = await send('POST', '/tasks', { workflowId: workflow.body.id, description: 'then', dependsOn: [firstTask.body.id] });
      expect(await send('PATCH', `/tasks/${then.body.id}`, { status: 'running' }, '"1"')).toMatchObject({
        status: 409,
        body: { code: 'TASK_BLOCKED', blockedBy: [firstTask.body.id] },
      });
      const startedAt = new Date(Date.now() - 1000).toISOString();
      expect(await send('PATCH', `/tasks/${firstTask.body.id}`, { status: 'running', startedAt, output: { step: 1 } }, '"1"')).toMatchObject({
        status: 200,
        body: { status: 'running', startedAt, output: { step: 1 }, version: 2 },
      });
      expect(await send('PATCH', `/tasks/${firstTask.body.id}`, { status: 'running' }, '"2"')).toMatchObject({
        status: 422,
        body: { from: 'running', to: 'running' },
      });
      expect(await send('PATCH', `/tasks/${firstTask.body.id}`, { status: 'pending' }, '"1"')).toMatchObject({ status: 409, body: { currentVersion: 2 } });
      const changes = await waitFor('the task’s events in the feed', async () => {
        const page = (await (await fetch(`${first.baseUrl}/api/v1/events?aggregateId=${firstTask.body.id}`)).json()) as {
          items: { type: string; aggregateVersion: number; payload: Record<string, unknown> }[];
        };
        return page.items.length === 3 && page.items;
      });
      expect(changes.map((event) => [event.type, event.aggregateVersion, event.payload.from ?? event.payload.changed])).toEqual([
        ['task.created', 1, undefined],
        ['task.updated', 2, ['output']],
        ['task.status_changed', 2, 'pending'],
      ]);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(join(dataDir, 'agent-ledger.lock'))).toBe(false);

    const second = await startServer(env());
    try {
      await waitUntilReady(second);
      const read = await fetch(`${second.baseUrl}/api/v1/agents/${agent.id}`);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(agent);
      const events = (await (await fetch(`${second.baseUrl}/api/v1/events?aggregateId=${agent.id}`)).json()) as { items: { type: string }[] };
      expect(events.items.map((e) => e.type)).toEqual(['agent.registered']);

      // A second process on the same directory would corrupt it: it must refuse, in one line.
      const intruder = await startServer(env());
      expect(await intruder.exited).toBe(1);
      expect(intruder.output().trim()).toMatch(/^agent-ledger could not start: The embedded database in .* is in use by process \d+/);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses AUTH=off on a non-loopback address, naming the variables', async () => {
    const server = await startServer({ ...env(), AUTH: 'off', HOST: '0.0.0.0' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('AUTH=off is allowed only while HOST is a loopback address (got HOST=0.0.0.0)');
  });

  it('stops at boot with a message naming a bad variable', async () => {
    const server = await startServer({ ...env(), PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toBe('agent-ledger could not start: Invalid configuration: PORT must be an integer from 0 to 65535 (got "eighty")');
  });
});
