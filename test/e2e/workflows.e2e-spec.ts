import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { makeBulkTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { expectRefusedUnchanged } from '../utils/problems';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { untilFeedCaughtUp } from '../utils/event-feed';

interface WorkflowBody {
  id: string;
  status: string;
  version: number;
  startedAt: string | null;
  finishedAt: string | null;
  taskCounts?: Record<string, number>;
  [field: string]: unknown;
}

describe('workflows API', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  async function createWorkflow(as: TestTenant = tenant, overrides = {}): Promise<WorkflowBody> {
    return (await t.http().post('/api/v1/workflows').set(as.auth).send(makeWorkflow(overrides)).expect(201)).body;
  }

  function patch(id: string, version: number, body: object, as: TestTenant = tenant) {
    return t.http().patch(`/api/v1/workflows/${id}`).set(as.auth).set('If-Match', `"${version}"`).send(body);
  }

  async function read(id: string): Promise<WorkflowBody> {
    return (await t.http().get(`/api/v1/workflows/${id}`).set(tenant.auth).expect(200)).body;
  }

  async function eventsOf(id: string): Promise<{ type: string; payload: Record<string, unknown>; aggregateVersion: number }[]> {
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    return (await t.http().get(`/api/v1/events?aggregateId=${id}`).set(tenant.auth).expect(200)).body.items;
  }

  /** Moves a workflow along `path` (statuses), returning the last answer. */
  async function walk(workflow: WorkflowBody, path: string[]): Promise<WorkflowBody> {
    let current = workflow;
    for (const status of path) current = (await patch(current.id, current.version, { status }).expect(200)).body;
    return current;
  }

  it('creates a pending workflow and reads it back with zero task counts and its version as ETag', async () => {
    const created = await t
      .http()
      .post('/api/v1/workflows')
      .set(tenant.auth)
      .send({ description: 'Survey batteries', input: { topic: 'batteries', depth: 2 } })
      .expect(201);
    expect(created.body).toMatchObject({
      description: 'Survey batteries',
      input: { topic: 'batteries', depth: 2 },
      status: 'pending',
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      version: 1,
      createdBy: 'test-key',
      taskCounts: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 },
    });
    expect(created.headers.etag).toBe('"1"');

    const read = await t.http().get(`/api/v1/workflows/${created.body.id}`).set(tenant.auth).expect(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe('"1"');
    expect((await eventsOf(created.body.id)).map((e) => [e.type, e.payload])).toEqual([
      ['workflow.created', { workflowId: created.body.id, status: 'pending' }],
    ]);
  });

  it('counts its tasks by status, zeros included, and only its own', async () => {
    const workflow = await createWorkflow();
    const other = await createWorkflow();
    const items = [...Array.from({ length: 6 }, () => makeBulkTask(workflow.id)), makeBulkTask(other.id)];
    const { body: created } = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201);
    const [a, b, c] = created.items;
    const move = (task: { id: string }, version: number, status: string) =>
      t.http().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', `"${version}"`).send({ status }).expect(200);
    await move(a, 1, 'running');
    await move(b, 1, 'running');
    await move(b, 2, 'completed');
    await move(c, 1, 'cancelled');

    expect((await read(workflow.id)).taskCounts).toEqual({ pending: 3, running: 1, completed: 1, failed: 0, cancelled: 1 });
    expect((await read(other.id)).taskCounts).toEqual({ pending: 1, running: 0, completed: 0, failed: 0, cancelled: 0 });
  });

  it('lists in creation order with a status filter and cursor pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createWorkflow()).id);
    const first = await t.http().get('/api/v1/workflows?limit=2').set(tenant.auth).expect(200);
    expect(first.body.items.map((w: WorkflowBody) => w.id)).toEqual(ids.slice(0, 2));
    expect(first.body.items[0].taskCounts).toBeUndefined();
    const second = await t.http().get(`/api/v1/workflows?limit=2&cursor=${first.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(second.body.items.map((w: WorkflowBody) => w.id)).toEqual(ids.slice(2, 4));
    const third = await t.http().get(`/api/v1/workflows?limit=2&cursor=${second.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(third.body.items.map((w: WorkflowBody) => w.id)).toEqual(ids.slice(4));
    expect(third.body.nextCursor).toBeNull();

    await patch(ids[1], 1, { status: 'running' }).expect(200);
    await patch(ids[3], 1, { status: 'cancelled' }).expect(200);
    const running = await t.http().get('/api/v1/workflows?status=running').set(tenant.auth).expect(200);
    expect(running.body.items.map((w: WorkflowBody) => w.id)).toEqual([ids[1]]);
    const pending = await t.http().get('/api/v1/workflows?status=pending').set(tenant.auth).expect(200);
    expect(pending.body.items.map((w: WorkflowBody) => w.id)).toEqual([ids[0], ids[2], ids[4]]);
  });

  it('runs a workflow to completion: startedAt on running, finishedAt and output on completed, with events', async () => {
    const workflow = await createWorkflow();
    const running = await patch(workflow.id, 1, { status: 'running' }).expect(200);
    expect(running.body).toMatchObject({ status: 'running', version: 2, finishedAt: null });
    expect(Date.parse(running.body.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(running.headers.etag).toBe('"2"');

    const done = await patch(workflow.id, 2, { status: 'completed', output: { summary: 'three sources' } }).expect(200);
    expect(done.body).toMatchObject({ status: 'completed', version: 3, output: { summary: 'three sources' }, startedAt: running.body.startedAt });
    expect(Date.parse(done.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(running.body.startedAt));
    expect(await read(workflow.id)).toMatchObject({ status: 'completed', output: { summary: 'three sources' }, version: 3 });

    expect((await eventsOf(workflow.id)).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
      ['workflow.created', 1, { workflowId: workflow.id, status: 'pending' }],
      ['workflow.status_changed', 2, { workflowId: workflow.id, from: 'pending', to: 'running' }],
      ['workflow.updated', 3, { workflowId: workflow.id, changed: ['output'] }],
      ['workflow.status_changed', 3, { workflowId: workflow.id, from: 'running', to: 'completed' }],
    ]);
  });

  it('records a failure with its error, and a cancellation before the start', async () => {
    const failing = await walk(await createWorkflow(), ['running']);
    const failed = await patch(failing.id, failing.version, { status: 'failed', error: 'model quota exhausted' }).expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', error: 'model quota exhausted' });
    expect(failed.body.finishedAt).not.toBeNull();

    const cancelled = await walk(await createWorkflow(), ['cancelled']);
    expect(cancelled).toMatchObject({ status: 'cancelled', startedAt: null });
    expect(cancelled.finishedAt).not.toBeNull();
  });

  describe('status transitions over HTTP', () => {
    const legal: [string[], string][] = [
      [[], 'running'],
      [[], 'completed'],
      [[], 'failed'],
      [[], 'cancelled'],
      [['running'], 'completed'],
      [['running'], 'failed'],
      [['running'], 'cancelled'],
    ];
    it.each(legal)('after %j allows → %s', async (path, to) => {
      const workflow = await walk(await createWorkflow(), path);
      const res = await patch(workflow.id, workflow.version, { status: to }).expect(200);
      expect(res.body.status).toBe(to);
    });

    const illegal: [string[], string, string[]][] = [
      [[], 'pending', ['running', 'completed', 'failed', 'cancelled']],
      [['running'], 'pending', ['completed', 'failed', 'cancelled']],
      [['running'], 'running', ['completed', 'failed', 'cancelled']],
      [['running', 'completed'], 'running', []],
      [['running', 'failed'], 'completed', []],
      [['cancelled'], 'pending', []],
    ];
    it.each(illegal)('after %j refuses → %s with 422 listing %j, and changes nothing', async (path, to, allowed) => {
      const workflow = await walk(await createWorkflow(), path);
      const before = await read(workflow.id);
      const res = await patch(workflow.id, workflow.version, { status: to, output: { sneaked: true } });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'UNPROCESSABLE', from: workflow.status, to, allowed });
      expect(await read(workflow.id)).toEqual(before);
    });
  });

  it('changes the description of an unfinished workflow, but nothing of a finished one', async () => {
    const workflow = await createWorkflow();
    const renamed = await patch(workflow.id, 1, { description: 'Renamed' }).expect(200);
    expect(renamed.body).toMatchObject({ description: 'Renamed', version: 2, status: 'pending' });
    expect((await eventsOf(workflow.id)).map((e) => [e.type, e.payload])).toEqual([
      ['workflow.created', { workflowId: workflow.id, status: 'pending' }],
      ['workflow.updated', { workflowId: workflow.id, changed: ['description'] }],
    ]);

    const done = await walk(renamed.body, ['running', 'completed']);
    const frozen = await patch(done.id, done.version, { description: 'Too late' });
    expect(frozen.status).toBe(422);
    expect(frozen.body.detail).toMatch(/final state/);
    expect(await read(done.id)).toMatchObject({ description: 'Renamed', version: done.version });
  });

  it('refuses stale and missing versions, and lets exactly one of two racing writers win', async () => {
    const workflow = await createWorkflow();
    const [a, b] = await Promise.all([patch(workflow.id, 1, { status: 'running' }), patch(workflow.id, 1, { status: 'cancelled' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect(await read(workflow.id)).toMatchObject({ status: winner.body.status, version: 2 });
    expect((await eventsOf(workflow.id)).filter((e) => e.type === 'workflow.status_changed')).toHaveLength(1);

    const blind = await t.http().patch(`/api/v1/workflows/${workflow.id}`).set(tenant.auth).send({ description: 'blind' }).expect(428);
    expect(blind.body.code).toBe('PRECONDITION_REQUIRED');
    const fresh = await createWorkflow();
    const viaBody = await t.http().patch(`/api/v1/workflows/${fresh.id}`).set(tenant.auth).send({ version: 1, description: 'by body' }).expect(200);
    expect(viaBody.body).toMatchObject({ description: 'by body', version: 2 });
    const stale = await t.http().patch(`/api/v1/workflows/${fresh.id}`).set(tenant.auth).send({ version: 1, status: 'running' }).expect(409);
    expect(stale.body.currentVersion).toBe(2);
  });

  describe('tenant isolation', () => {
    it('answers another tenant’s workflow id with 404 exactly like a missing one, and changes nothing', async () => {
      const workflow = await createWorkflow();
      const intruder = await createTenant(t.app, 'intruder');
      const missingId = randomUUID();
      const same = (foreign: Response, missing: Response) => {
        expect(foreign.status).toBe(404);
        expect(missing.status).toBe(404);
        expect(foreign.body.code).toBe('NOT_FOUND');
        expect(foreign.body.detail.replace(workflow.id, '<id>')).toBe(missing.body.detail.replace(missingId, '<id>'));
        expect(JSON.stringify(foreign.body)).not.toContain(workflow.description as string);
      };
      same(await t.http().get(`/api/v1/workflows/${workflow.id}`).set(intruder.auth), await t.http().get(`/api/v1/workflows/${missingId}`).set(intruder.auth));
      same(await patch(workflow.id, 1, { status: 'cancelled' }, intruder), await patch(missingId, 1, { status: 'cancelled' }, intruder));
      const list = await t.http().get('/api/v1/workflows?limit=200').set(intruder.auth).expect(200);
      expect(list.body.items).toEqual([]);
      expect(await read(workflow.id)).toEqual(workflow);
      expect(await eventsOf(workflow.id)).toHaveLength(1);
    });
  });

  describe('bad input: a 4xx problem and nothing written', () => {
    let workflow: WorkflowBody;
    beforeEach(async () => {
      workflow = await createWorkflow();
    });

    async function counts(): Promise<{ workflows: number; events: number }> {
      const db = t.owner;
      const [workflows] = await db.query('SELECT count(*)::int AS n FROM workflows WHERE tenant_id = $1', [tenant.tenantId]);
      const [events] = await db.query('SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1', [tenant.tenantId]);
      return { workflows: workflows.n, events: events.n };
    }

    const expectRefused = (request: () => Promise<Response>, status: number, fields?: string[]): Promise<Response> =>
      expectRefusedUnchanged(request, status, async () => ({ counts: await counts(), stored: await read(workflow.id) }), fields);

    const post = (body: unknown) => () =>
      t
        .http()
        .post('/api/v1/workflows')
        .set(tenant.auth)
        .send(body as object);

    it('POST /workflows: missing, mistyped and unknown fields', async () => {
      await expectRefused(post({}), 400, ['description']);
      await expectRefused(post({ description: '' }), 400, ['description']);
      await expectRefused(post({ description: null }), 400, ['description']);
      await expectRefused(post({ description: 'x', input: [1, 2] }), 400, ['input']);
      await expectRefused(post({ description: 'x', input: null }), 400, ['input']);
      await expectRefused(post({ description: 'x', status: 'running' }), 400, ['status']);
      await expectRefused(post({ description: 'x'.repeat(10_001) }), 400, ['description']);
      await expectRefused(post({ description: 'a\u0000b' }), 400, ['description']);
      await expectRefused(() => t.http().post('/api/v1/workflows').set(tenant.auth).set('Content-Type', 'application/json').send('{"description":'), 400);
    });

    it('PATCH /workflows/:id: bad fields, empty body, bad If-Match, bad id', async () => {
      const send =
        (body: object, ifMatch = '"1"') =>
        () =>
          t.http().patch(`/api/v1/workflows/${workflow.id}`).set(tenant.auth).set('If-Match', ifMatch).send(body);
      await expectRefused(send({ status: 'paused' }), 400, ['status']);
      await expectRefused(send({ status: null }), 400, ['status']);
      await expectRefused(send({ description: null }), 400, ['description']);
      await expectRefused(send({ output: 'text' }), 400, ['output']);
      await expectRefused(send({ error: 42 }), 400, ['error']);
      await expectRefused(send({ tenantId: 'other' }), 400, ['tenantId']);
      await expectRefused(send({}), 400);
      await expectRefused(send({ status: 'running' }, 'abc'), 400);
      await expectRefused(send({ status: 'running' }, '"9999999999"'), 400);
      await expectRefused(() => t.http().patch('/api/v1/workflows/not-a-uuid').set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }), 400, [
        'id',
      ]);
    });

    it('GET /workflows and /workflows/:id: bad filters, limits, cursors and ids', async () => {
      await expectRefused(() => t.http().get('/api/v1/workflows?status=paused').set(tenant.auth), 400, ['status']);
      await expectRefused(() => t.http().get('/api/v1/workflows?limit=0').set(tenant.auth), 400, ['limit']);
      await expectRefused(() => t.http().get('/api/v1/workflows?cursor=abc').set(tenant.auth), 400);
      await expectRefused(() => t.http().get('/api/v1/workflows?owner=me').set(tenant.auth), 400, ['owner']);
      await expectRefused(() => t.http().get('/api/v1/workflows/123').set(tenant.auth), 400, ['id']);
    });
  });
});
