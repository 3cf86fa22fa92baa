import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TenantScope } from '../../src/common/tenancy/tenant-scope';
import { AgentMetricsService } from '../../src/modules/agents/metrics/agent-metrics.service';
import { makeAgent } from '../factories/agent.factory';
import { makeBulkTask, makeSubtask, makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { expectRefusedUnchanged } from '../utils/problems';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { untilFeedCaughtUp } from '../utils/event-feed';
import { statementsDuring } from '../utils/statements';

interface TaskBody {
  id: string;
  workflowId: string;
  agentId: string | null;
  parentTaskId: string | null;
  status: string;
  version: number;
  dependsOn: string[];
  startedAt: string | null;
  finishedAt: string | null;
  ref?: string | null;
  [field: string]: unknown;
}

interface Counts {
  tasks: number;
  dependencies: number;
  events: number;
}

describe('tasks API', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let workflowId: string;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
    workflowId = await createWorkflow();
  });

  async function createWorkflow(as: TestTenant = tenant): Promise<string> {
    return (await t.http().post('/api/v1/workflows').set(as.auth).send(makeWorkflow()).expect(201)).body.id;
  }

  async function createAgent(as: TestTenant = tenant): Promise<string> {
    return (await t.http().post('/api/v1/agents').set(as.auth).send(makeAgent()).expect(201)).body.id;
  }

  async function createTask(overrides: object = {}, as: TestTenant = tenant, workflow = workflowId): Promise<TaskBody> {
    return (await t.http().post('/api/v1/tasks').set(as.auth).send(makeTask(workflow, overrides)).expect(201)).body;
  }

  async function read(id: string, as: TestTenant = tenant): Promise<TaskBody> {
    return (await t.http().get(`/api/v1/tasks/${id}`).set(as.auth).expect(200)).body;
  }

  function patch(id: string, version: number, body: object, as: TestTenant = tenant) {
    return t.http().patch(`/api/v1/tasks/${id}`).set(as.auth).set('If-Match', `"${version}"`).send(body);
  }

  /** Moves a task along `path` (statuses), returning the last answer. */
  async function walk(task: TaskBody, path: string[]): Promise<TaskBody> {
    let current = task;
    for (const status of path) current = (await patch(current.id, current.version, { status }).expect(200)).body;
    return current;
  }

  function addDependencies(id: string, dependsOn: string[], as: TestTenant = tenant) {
    return t.http().post(`/api/v1/tasks/${id}/dependencies`).set(as.auth).send({ dependsOn });
  }

  async function eventsOf(id: string): Promise<{ type: string; payload: Record<string, unknown>; aggregateVersion: number }[]> {
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    return (await t.http().get(`/api/v1/events?aggregateId=${id}`).set(tenant.auth).expect(200)).body.items;
  }

  async function counts(tenantId = tenant.tenantId): Promise<Counts> {
    const db = t.owner;
    const [row] = await db.query(
      `SELECT (SELECT count(*)::int FROM tasks WHERE tenant_id = $1) AS tasks,
              (SELECT count(*)::int FROM task_dependencies WHERE tenant_id = $1) AS dependencies,
              (SELECT count(*)::int FROM domain_events WHERE tenant_id = $1) AS events`,
      [tenantId],
    );
    return row;
  }

  const ids = (items: { id: string }[]) => items.map((item) => item.id);

  describe('creating', () => {
    it('creates a pending task with its agent and dependencies, and reads it back', async () => {
      const agentId = await createAgent();
      const first = await createTask();
      const second = await createTask();
      const res = await t
        .http()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(
          makeTask(workflowId, { agentId, description: 'Write the summary', priority: 5, input: { words: 300 }, dependsOn: [second.id, first.id, first.id] }),
        )
        .expect(201);
      expect(res.body).toMatchObject({
        workflowId,
        agentId,
        parentTaskId: null,
        description: 'Write the summary',
        priority: 5,
        status: 'pending',
        input: { words: 300 },
        output: null,
        error: null,
        durationMs: null,
        startedAt: null,
        finishedAt: null,
        version: 1,
        createdBy: 'test-key',
      });
      expect([...res.body.dependsOn].sort()).toEqual([first.id, second.id].sort());
      expect(res.headers.etag).toBe('"1"');
      const stored = await read(res.body.id);
      expect(stored).toEqual({ ...res.body, dependsOn: [first.id, second.id] });

      const events = await eventsOf(res.body.id);
      expect(events.map((e) => e.type)).toEqual(['task.created']);
      expect(events[0].payload).toMatchObject({ taskId: res.body.id, workflowId, agentId, parentTaskId: null, status: 'pending', priority: 5 });
      expect([...(events[0].payload.dependsOn as string[])].sort()).toEqual([first.id, second.id].sort());
    });

    it('lists the tasks a task depends on, with their status', async () => {
      const a = await createTask();
      const b = await walk(await createTask(), ['running']);
      const c = await createTask({ dependsOn: [a.id, b.id] });
      const res = await t.http().get(`/api/v1/tasks/${c.id}/dependencies`).set(tenant.auth).expect(200);
      expect(res.body.items.map((task: TaskBody) => [task.id, task.status])).toEqual([
        [a.id, 'pending'],
        [b.id, 'running'],
      ]);
      expect(res.body.nextCursor).toBeNull();
      const paged = await t.http().get(`/api/v1/tasks/${c.id}/dependencies?limit=1`).set(tenant.auth).expect(200);
      expect(ids(paged.body.items)).toEqual([a.id]);
      const rest = await t.http().get(`/api/v1/tasks/${c.id}/dependencies?limit=1&cursor=${paged.body.nextCursor}`).set(tenant.auth).expect(200);
      expect(ids(rest.body.items)).toEqual([b.id]);
      expect((await t.http().get(`/api/v1/tasks/${a.id}/dependencies`).set(tenant.auth).expect(200)).body.items).toEqual([]);
    });

    it('answers a workflow, agent or dependency the tenant cannot see with 422 naming the field, the same whether it exists elsewhere or nowhere', async () => {
      const other = await createTenant(t.app, 'other');
      const foreignWorkflow = await createWorkflow(other);
      const foreignAgent = await createAgent(other);
      const foreignTask = await createTask({}, other, foreignWorkflow);
      const before = await counts();

      const attempts: [object, object, string][] = [
        [makeTask(foreignWorkflow), makeTask(randomUUID()), 'workflowId'],
        [makeTask(workflowId, { agentId: foreignAgent }), makeTask(workflowId, { agentId: randomUUID() }), 'agentId'],
        [makeTask(workflowId, { dependsOn: [foreignTask.id] }), makeTask(workflowId, { dependsOn: [randomUUID()] }), 'dependsOn.0'],
      ];
      for (const [foreignBody, missingBody, field] of attempts) {
        const foreign = await t.http().post('/api/v1/tasks').set(tenant.auth).send(foreignBody);
        const missing = await t.http().post('/api/v1/tasks').set(tenant.auth).send(missingBody);
        for (const res of [foreign, missing]) {
          expect(res.status).toBe(422);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
        }
        const strip = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
        expect(strip(foreign.body.detail)).toBe(strip(missing.body.detail));
        expect(foreign.body.code).toBe(missing.body.code);
      }
      expect(await counts()).toEqual(before);
      expect(await read(foreignTask.id, other)).toEqual(foreignTask);
    });

    it('refuses a dependency on a task of another workflow with 422, writing nothing', async () => {
      const elsewhere = await createTask({}, tenant, await createWorkflow());
      const before = await counts();
      const res = await t
        .http()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(makeTask(workflowId, { dependsOn: [elsewhere.id] }));
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'dependsOn.0', message: expect.stringMatching(/another workflow/) }]);
      expect(await counts()).toEqual(before);
    });
  });

  describe('bulk', () => {
    it('creates items with refs and in-batch dependencies, answering in input order with each ref', async () => {
      const existing = await createTask();
      const agentId = await createAgent();
      const items = [
        makeBulkTask(workflowId, { ref: 'report', dependsOn: ['draft', 'review'], description: 'report' }),
        makeBulkTask(workflowId, { ref: 'collect', agentId, dependsOn: [existing.id], description: 'collect' }),
        makeBulkTask(workflowId, { ref: 'draft', dependsOn: ['collect'], description: 'draft' }),
        makeBulkTask(workflowId, { ref: 'review', dependsOn: ['draft', existing.id], description: 'review' }),
        makeBulkTask(workflowId, { description: 'unrelated' }),
      ];
      const res = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201);
      const out: TaskBody[] = res.body.items;
      expect(out.map((task) => [task.ref, task.description])).toEqual([
        ['report', 'report'],
        ['collect', 'collect'],
        ['draft', 'draft'],
        ['review', 'review'],
        [null, 'unrelated'],
      ]);
      const [report, collect, draft, review, unrelated] = out;
      expect([...report.dependsOn].sort()).toEqual([draft.id, review.id].sort());
      expect(collect).toMatchObject({ agentId, dependsOn: [existing.id], status: 'pending', version: 1 });
      expect(draft.dependsOn).toEqual([collect.id]);
      expect([...review.dependsOn].sort()).toEqual([draft.id, existing.id].sort());
      expect(unrelated.dependsOn).toEqual([]);
      expect((await read(report.id)).dependsOn).toEqual([draft.id, review.id].sort());

      // The dependencies hold: report cannot start before draft and review complete.
      const blocked = await patch(report.id, 1, { status: 'running' }).expect(409);
      expect([...blocked.body.blockedBy].sort()).toEqual([draft.id, review.id].sort());
    });

    it('rolls the whole batch back when one item names another tenant’s agent', async () => {
      const other = await createTenant(t.app, 'other');
      const foreignAgent = await createAgent(other);
      const before = await counts();
      const items = [
        ...Array.from({ length: 5 }, (_, i) => makeBulkTask(workflowId, { ref: `r${i}`, dependsOn: i > 0 ? [`r${i - 1}`] : [] })),
        makeBulkTask(workflowId, { agentId: foreignAgent }),
        makeBulkTask(workflowId),
      ];
      const res = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'items.5.agentId', message: expect.any(String) }]);
      expect(await counts()).toEqual(before);
    });

    it('rolls the whole batch back on a ref that names no item, naming the item', async () => {
      const before = await counts();
      const items = [makeBulkTask(workflowId, { ref: 'a' }), makeBulkTask(workflowId, { ref: 'b', dependsOn: ['a', 'nope'] }), makeBulkTask(workflowId)];
      const res = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'items.1.dependsOn.1', message: expect.stringMatching(/"nope"/) }]);
      expect(await counts()).toEqual(before);
    });

    it('refuses duplicate refs, an unknown workflow, and cycles within the batch, writing nothing', async () => {
      const before = await counts();
      const duplicate = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({ items: [makeBulkTask(workflowId, { ref: 'x' }), makeBulkTask(workflowId, { ref: 'y' }), makeBulkTask(workflowId, { ref: 'x' })] });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.errors).toEqual([{ field: 'items.2.ref', message: expect.stringMatching(/item 0/) }]);

      const unknownWorkflow = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({ items: [makeBulkTask(workflowId), makeBulkTask(randomUUID())] });
      expect(unknownWorkflow.status).toBe(422);
      expect(unknownWorkflow.body.errors.map((e: { field: string }) => e.field)).toEqual(['items.1.workflowId']);

      const threeCycle = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({
          items: [
            makeBulkTask(workflowId, { ref: 'a', dependsOn: ['b'] }),
            makeBulkTask(workflowId, { ref: 'b', dependsOn: ['c'] }),
            makeBulkTask(workflowId, { ref: 'c', dependsOn: ['a'] }),
          ],
        });
      expect(threeCycle.status).toBe(422);
      expect(threeCycle.body.cycle).toEqual(['a', 'b', 'c', 'a']);

      const self = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({ items: [makeBulkTask(workflowId, { ref: 'me', dependsOn: ['me'] })] });
      expect(self.status).toBe(422);
      expect(self.body.cycle).toEqual(['me', 'me']);

      const crossWorkflow = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({ items: [makeBulkTask(workflowId, { ref: 'a' }), makeBulkTask(await createWorkflow(), { dependsOn: ['a'] })] });
      expect(crossWorkflow.status).toBe(422);
      expect(crossWorkflow.body.errors.map((e: { field: string }) => e.field)).toEqual(['items.1.dependsOn.0']);

      const afterWorkflow = await counts();
      expect(afterWorkflow.tasks).toBe(before.tasks);
      expect(afterWorkflow.dependencies).toBe(before.dependencies);
    });

    it('creates 1000 tasks in one request and refuses 1001', async () => {
      const items = Array.from({ length: 1000 }, (_, i) => makeBulkTask(workflowId, { ref: `s${i}`, dependsOn: i > 0 ? [`s${i - 1}`] : [] }));
      const res = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201);
      expect(res.body.items).toHaveLength(1000);
      expect(res.body.items[999].dependsOn).toEqual([res.body.items[998].id]);
      const before = await counts();
      expect(before).toMatchObject({ tasks: 1000, dependencies: 999 });
      const tooMany = await t
        .http()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({ items: [...items, makeBulkTask(workflowId)] });
      expect(tooMany.status).toBe(400);
      expect(await counts()).toEqual(before);
    });
  });

  describe('listing', () => {
    it('filters by status, agent and workflow, pages by cursor, and lists a workflow’s tasks', async () => {
      const agentId = await createAgent();
      const otherWorkflow = await createWorkflow();
      const a = await createTask({ agentId });
      const b = await createTask();
      const c = await createTask({ agentId }, tenant, otherWorkflow);
      const d = await createTask();
      await walk(b, ['running']);

      const all = await t.http().get('/api/v1/tasks?limit=3').set(tenant.auth).expect(200);
      expect(ids(all.body.items)).toEqual([a.id, b.id, c.id]);
      const rest = await t.http().get(`/api/v1/tasks?limit=3&cursor=${all.body.nextCursor}`).set(tenant.auth).expect(200);
      expect(ids(rest.body.items)).toEqual([d.id]);
      expect(rest.body.nextCursor).toBeNull();

      const get = async (query: string) => ids((await t.http().get(`/api/v1/tasks?${query}`).set(tenant.auth).expect(200)).body.items);
      expect(await get('status=running')).toEqual([b.id]);
      expect(await get(`agentId=${agentId}`)).toEqual([a.id, c.id]);
      expect(await get(`workflowId=${otherWorkflow}`)).toEqual([c.id]);
      expect(await get(`workflowId=${workflowId}&status=pending&agentId=${agentId}`)).toEqual([a.id]);

      const ofWorkflow = async (query = '') => (await t.http().get(`/api/v1/workflows/${workflowId}/tasks${query}`).set(tenant.auth).expect(200)).body;
      expect(ids((await ofWorkflow()).items)).toEqual([a.id, b.id, d.id]);
      expect(ids((await ofWorkflow('?status=pending')).items)).toEqual([a.id, d.id]);
      expect(ids((await ofWorkflow(`?agentId=${agentId}`)).items)).toEqual([a.id]);
      const firstPage = await ofWorkflow('?limit=2');
      expect(ids(firstPage.items)).toEqual([a.id, b.id]);
      expect(ids((await ofWorkflow(`?limit=2&cursor=${firstPage.nextCursor}`)).items)).toEqual([d.id]);

      const missing = await t.http().get(`/api/v1/workflows/${randomUUID()}/tasks`).set(tenant.auth);
      expect(missing.status).toBe(404);
    });
  });

  describe('subtasks', () => {
    it('creates subtasks in the parent’s workflow and lists a parent’s children', async () => {
      const parent = await createTask();
      const sibling = await createTask();
      const first = await t
        .http()
        .post(`/api/v1/tasks/${parent.id}/subtasks`)
        .set(tenant.auth)
        .send(makeSubtask({ description: 'part 1' }))
        .expect(201);
      expect(first.body).toMatchObject({ parentTaskId: parent.id, workflowId, description: 'part 1', status: 'pending', version: 1 });
      const second = await t
        .http()
        .post(`/api/v1/tasks/${parent.id}/subtasks`)
        .set(tenant.auth)
        .send(makeSubtask({ dependsOn: [first.body.id, sibling.id] }))
        .expect(201);
      expect([...second.body.dependsOn].sort()).toEqual([first.body.id, sibling.id].sort());
      await t.http().post(`/api/v1/tasks/${first.body.id}/subtasks`).set(tenant.auth).send(makeSubtask()).expect(201);

      expect((await read(first.body.id)).parentTaskId).toBe(parent.id);
      const children = await t.http().get(`/api/v1/tasks/${parent.id}/subtasks`).set(tenant.auth).expect(200);
      expect(ids(children.body.items)).toEqual([first.body.id, second.body.id]);
      const none = await t.http().get(`/api/v1/tasks/${sibling.id}/subtasks`).set(tenant.auth).expect(200);
      expect(none.body).toEqual({ items: [], nextCursor: null });

      const missing = await t.http().post(`/api/v1/tasks/${randomUUID()}/subtasks`).set(tenant.auth).send(makeSubtask());
      expect(missing.status).toBe(404);
      const workflowIdInBody = await t
        .http()
        .post(`/api/v1/tasks/${parent.id}/subtasks`)
        .set(tenant.auth)
        .send({ ...makeSubtask(), workflowId });
      expect(workflowIdInBody.status).toBe(400);
    });
  });

  describe('status changes', () => {
    it('runs a task: startedAt on running, finishedAt, output and durationMs on completed, with events', async () => {
      const task = await createTask();
      const running = await patch(task.id, 1, { status: 'running' }).expect(200);
      expect(running.body).toMatchObject({ status: 'running', version: 2, finishedAt: null });
      expect(Date.parse(running.body.startedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(running.headers.etag).toBe('"2"');
      const done = await patch(task.id, 2, { status: 'completed', output: { sources: 3 }, durationMs: 1234 }).expect(200);
      expect(done.body).toMatchObject({ status: 'completed', output: { sources: 3 }, durationMs: 1234, startedAt: running.body.startedAt, version: 3 });
      expect(Date.parse(done.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(running.body.startedAt));
      expect(await read(task.id)).toEqual(done.body);

      expect((await eventsOf(task.id)).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['task.created', 1, expect.objectContaining({ taskId: task.id })],
        ['task.status_changed', 2, { taskId: task.id, workflowId, agentId: null, from: 'pending', to: 'running' }],
        ['task.updated', 3, { taskId: task.id, changed: ['output', 'durationMs'] }],
        ['task.status_changed', 3, { taskId: task.id, workflowId, agentId: null, from: 'running', to: 'completed' }],
      ]);
    });

    it('retries: running → pending clears startedAt, keeps the error, and the task can start again', async () => {
      const running = await walk(await createTask(), ['running']);
      const retried = await patch(running.id, running.version, { status: 'pending', error: 'timeout' }).expect(200);
      expect(retried.body).toMatchObject({ status: 'pending', startedAt: null, error: 'timeout' });
      const again = await patch(running.id, retried.body.version, { status: 'running' }).expect(200);
      expect(again.body.startedAt).not.toBeNull();
      const failed = await patch(running.id, again.body.version, { status: 'failed', error: 'gave up' }).expect(200);
      expect(failed.body).toMatchObject({ status: 'failed', error: 'gave up' });
      expect(failed.body.finishedAt).not.toBeNull();
    });

    const legal: [string[], string][] = [
      [[], 'running'],
      [[], 'completed'],
      [[], 'failed'],
      [[], 'cancelled'],
      [['running'], 'completed'],
      [['running'], 'failed'],
      [['running'], 'cancelled'],
      [['running'], 'pending'],
    ];
    it.each(legal)('after %j allows → %s', async (path, to) => {
      const task = await walk(await createTask(), path);
      expect((await patch(task.id, task.version, { status: to }).expect(200)).body.status).toBe(to);
    });

    const illegal: [string[], string, string[]][] = [
      [[], 'pending', ['running', 'completed', 'failed', 'cancelled']],
      [['running'], 'running', ['completed', 'failed', 'cancelled', 'pending']],
      [['running', 'completed'], 'running', []],
      [['running', 'failed'], 'pending', []],
      [['cancelled'], 'running', []],
    ];
    it.each(illegal)('after %j refuses → %s with 422 listing %j, and changes nothing', async (path, to, allowed) => {
      const task = await walk(await createTask(), path);
      const res = await patch(task.id, task.version, { status: to, output: { sneaked: true } });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'UNPROCESSABLE', from: task.status, to, allowed });
      expect(await read(task.id)).toEqual(task);
    });

    it('changes description, priority and agent while unfinished, and nothing once finished', async () => {
      const agentId = await createAgent();
      const task = await createTask();
      const changed = await patch(task.id, 1, { description: 'Sharper', priority: 9, agentId }).expect(200);
      expect(changed.body).toMatchObject({ description: 'Sharper', priority: 9, agentId, version: 2, status: 'pending' });
      const unassigned = await patch(task.id, 2, { agentId: null }).expect(200);
      expect(unassigned.body.agentId).toBeNull();
      expect((await eventsOf(task.id)).slice(1).map((e) => e.payload.changed)).toEqual([['description', 'priority', 'agentId'], ['agentId']]);

      const other = await createTenant(t.app, 'other');
      const foreignAgent = await patch(task.id, 3, { agentId: await createAgent(other) });
      expect(foreignAgent.status).toBe(422);
      expect(foreignAgent.body.errors.map((e: { field: string }) => e.field)).toEqual(['agentId']);

      const done = await walk(unassigned.body, ['cancelled']);
      const frozen = await patch(task.id, done.version, { description: 'Too late' });
      expect(frozen.status).toBe(422);
      expect(frozen.body.detail).toMatch(/final state/);
      expect(await read(task.id)).toEqual(done);
    });

    it('writes each field sent and only those, clears the ones sent as null, and names them in task.updated', async () => {
      const task = await createTask({ priority: 3 });
      const set = await patch(task.id, 1, {
        description: 'Sharper',
        output: { nested: { list: [1, 'two', null] }, valueOf: 1 },
        error: 'flaky',
        durationMs: 12.25,
      }).expect(200);
      expect(set.body).toMatchObject({
        description: 'Sharper',
        priority: 3,
        output: { nested: { list: [1, 'two', null] }, valueOf: 1 },
        error: 'flaky',
        durationMs: 12.25,
      });
      const cleared = await patch(task.id, 2, { output: null, error: null, durationMs: null, priority: -2 }).expect(200);
      expect(cleared.body).toMatchObject({ description: 'Sharper', priority: -2, output: null, error: null, durationMs: null, status: 'pending', version: 3 });
      expect(await read(task.id)).toEqual(cleared.body);
      expect((await eventsOf(task.id)).slice(1).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['task.updated', 2, { taskId: task.id, changed: ['description', 'output', 'error', 'durationMs'] }],
        ['task.updated', 3, { taskId: task.id, changed: ['output', 'error', 'durationMs', 'priority'] }],
      ]);
    });

    it('takes the start time a body reports with the start, and refuses it with a change that does not start the task', async () => {
      const task = await createTask();
      const startedAt = new Date(Date.now() - 5000).toISOString();
      const refused = await patch(task.id, 1, { status: 'cancelled', startedAt });
      expect(refused.status).toBe(422);
      expect(refused.body.field).toBe('startedAt');
      expect(await read(task.id)).toEqual(task);
      const running = await patch(task.id, 1, { status: 'running', startedAt, description: 'Started' }).expect(200);
      expect(running.body).toMatchObject({ status: 'running', startedAt, finishedAt: null, description: 'Started', version: 2 });
      expect((await eventsOf(task.id)).slice(1).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['task.updated', 2, { taskId: task.id, changed: ['description'] }],
        ['task.status_changed', 2, { taskId: task.id, workflowId, agentId: null, from: 'pending', to: 'running' }],
      ]);
    });

    it('starts, retries, cancels or edits a task in ONE statement (no transaction), and refuses in one too', async () => {
      const agentId = await createAgent();
      const task = await createTask({ agentId });
      const blockedTask = await createTask({ dependsOn: [task.id] });
      const ofTasks = (statements: string[]) => statements.filter((sql) => /\b(tasks|domain_events|BEGIN|COMMIT)\b/i.test(sql));
      const oneStatement = [expect.stringMatching(/^WITH found AS \(/)];
      let version = 1;
      for (const body of [{ status: 'running' }, { status: 'pending', error: 'retry' }, { description: 'Edited', priority: 4 }]) {
        const sent = await statementsDuring(() => patch(task.id, version, body).expect(200));
        expect([body, ofTasks(sent)]).toEqual([body, oneStatement]);
        version++;
      }
      for (const [refused, status] of [
        [() => patch(task.id, 1, { status: 'running' }), 409],
        [() => patch(randomUUID(), 1, { status: 'running' }), 404],
        [() => patch(task.id, version, { status: 'pending' }), 422],
        [() => patch(blockedTask.id, 1, { status: 'running' }), 409],
      ] as const) {
        const sent = await statementsDuring(() => refused().expect(status));
        expect([status, ofTasks(sent)]).toEqual([status, oneStatement]);
      }
      const cancelled = await statementsDuring(() => patch(task.id, version, { status: 'cancelled' }).expect(200));
      expect(ofTasks(cancelled)).toEqual(oneStatement);
      expect((await eventsOf(task.id)).slice(1).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['task.status_changed', 2, { taskId: task.id, workflowId, agentId, from: 'pending', to: 'running' }],
        ['task.updated', 3, { taskId: task.id, changed: ['error'] }],
        ['task.status_changed', 3, { taskId: task.id, workflowId, agentId, from: 'running', to: 'pending' }],
        ['task.updated', 4, { taskId: task.id, changed: ['description', 'priority'] }],
        ['task.status_changed', 5, { taskId: task.id, workflowId, agentId, from: 'pending', to: 'cancelled' }],
      ]);
    });

    it('refuses to start a task before its dependencies complete (409 naming them), then starts it', async () => {
      const a = await createTask();
      const b = await createTask();
      const c = await createTask({ dependsOn: [a.id, b.id] });

      const blocked = await patch(c.id, 1, { status: 'running' });
      expect(blocked.status).toBe(409);
      expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(blocked.body).toMatchObject({ code: 'TASK_BLOCKED', blockedBy: [a.id, b.id].sort() });
      expect(await read(c.id)).toEqual(c);

      await walk(a, ['running', 'completed']);
      const stillBlocked = await patch(c.id, 1, { status: 'running' }).expect(409);
      expect(stillBlocked.body.blockedBy).toEqual([b.id]);

      await walk(b, ['running', 'completed']);
      const started = await patch(c.id, 1, { status: 'running' }).expect(200);
      expect(started.body).toMatchObject({ status: 'running', version: 2 });
      expect(started.body.dependsOn).toEqual([a.id, b.id].sort());
    });

    it('keeps a task waiting for a cancelled dependency blocked; it can still be cancelled', async () => {
      const a = await walk(await createTask(), ['cancelled']);
      const c = await createTask({ dependsOn: [a.id] });
      expect((await patch(c.id, 1, { status: 'running' }).expect(409)).body.blockedBy).toEqual([a.id]);
      await patch(c.id, 1, { status: 'cancelled' }).expect(200);
    });

    it('counts a completion or failure in the agent’s metrics, and nothing else', async () => {
      const agentId = await createAgent();
      const metrics = () => TenantScope.run(tenant.tenantId, () => t.app.get(AgentMetricsService).forAgent(tenant.tenantId, agentId));
      const [x, y, z] = await Promise.all([createTask({ agentId }), createTask({ agentId }), createTask({ agentId })]);
      await walk(x, ['running']).then((running) => patch(x.id, running.version, { status: 'completed', durationMs: 100 }).expect(200));
      await walk(y, ['running']).then((running) => patch(y.id, running.version, { status: 'failed', durationMs: 300 }).expect(200));
      await walk(z, ['running', 'pending', 'cancelled']);
      await walk(await createTask(), ['running', 'completed']);
      expect(await metrics()).toMatchObject({ totalTasks: 2, completedTasks: 1, failedTasks: 1, avgDurationMs: 200, successRate: 0.5 });
    });
  });

  describe('adding dependencies and cycles', () => {
    it('adds dependencies to a pending task, moving its version, and keeps ones already there', async () => {
      const a = await createTask();
      const b = await createTask();
      const c = await createTask({ dependsOn: [a.id] });
      const res = await addDependencies(c.id, [b.id, a.id]).expect(200);
      expect(res.body).toMatchObject({ id: c.id, version: 2, dependsOn: [a.id, b.id].sort() });
      expect(res.headers.etag).toBe('"2"');
      const again = await addDependencies(c.id, [a.id]).expect(200);
      expect(again.body.version).toBe(2);
      expect((await eventsOf(c.id)).map((e) => [e.type, e.payload])).toEqual([
        ['task.created', expect.anything()],
        ['task.updated', { taskId: c.id, changed: ['dependsOn'], addedDependsOn: [b.id] }],
      ]);
      const guarded = await t
        .http()
        .post(`/api/v1/tasks/${c.id}/dependencies`)
        .set(tenant.auth)
        .set('If-Match', '"1"')
        .send({ dependsOn: [a.id] });
      expect(guarded.status).toBe(409);
      expect(guarded.body.currentVersion).toBe(2);
    });

    it('refuses a self-dependency as the cycle [a, a]', async () => {
      const a = await createTask();
      const res = await addDependencies(a.id, [a.id]);
      expect(res.status).toBe(422);
      expect(res.body.cycle).toEqual([a.id, a.id]);
      expect(await read(a.id)).toEqual(a);
    });

    it('refuses a two-cycle and a three-cycle with the cycle in order, changing nothing', async () => {
      const a = await createTask();
      const b = await createTask({ dependsOn: [a.id] });
      const two = await addDependencies(a.id, [b.id]);
      expect(two.status).toBe(422);
      expect(two.body.cycle).toEqual([a.id, b.id, a.id]);

      // c waits for b, b for a: a waiting for c closes a → c → b → a.
      const c = await createTask({ dependsOn: [b.id] });
      const before = await counts();
      const three = await addDependencies(a.id, [c.id]);
      expect(three.status).toBe(422);
      expect(three.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(three.body).toMatchObject({ code: 'UNPROCESSABLE', cycle: [a.id, c.id, b.id, a.id] });
      expect(three.body.detail).toContain(`${a.id} → ${c.id} → ${b.id} → ${a.id}`);
      expect(await counts()).toEqual(before);
      expect(await read(a.id)).toEqual(a);
    });

    it('adds dependencies only to pending tasks, of the same workflow, that the tenant can see', async () => {
      const a = await createTask();
      const running = await walk(await createTask(), ['running']);
      const notPending = await addDependencies(running.id, [a.id]);
      expect(notPending.status).toBe(422);
      expect(notPending.body.detail).toMatch(/pending/);

      const elsewhere = await createTask({}, tenant, await createWorkflow());
      const crossWorkflow = await addDependencies(a.id, [elsewhere.id]);
      expect(crossWorkflow.status).toBe(422);
      expect(crossWorkflow.body.errors.map((e: { field: string }) => e.field)).toEqual(['dependsOn.0']);

      const unknown = await addDependencies(a.id, [randomUUID()]);
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['dependsOn.0']);
      expect(await read(a.id)).toEqual(a);
    });
  });

  describe('tenant isolation', () => {
    let intruder: TestTenant;
    let task: TaskBody;
    let child: TaskBody;

    beforeEach(async () => {
      intruder = await createTenant(t.app, 'intruder');
      task = await createTask({ description: 'secret task' });
      child = (await t.http().post(`/api/v1/tasks/${task.id}/subtasks`).set(tenant.auth).send(makeSubtask()).expect(201)).body;
    });

    it('answers another tenant’s task or workflow id on every path route with 404, like a missing id, changing nothing', async () => {
      const before = await counts();
      const missingTask = randomUUID();
      const routes: [string, (id: string) => Promise<Response>][] = [
        ['GET /tasks/:id', (id) => t.http().get(`/api/v1/tasks/${id}`).set(intruder.auth)],
        ['PATCH /tasks/:id', (id) => patch(id, 1, { status: 'running' }, intruder)],
        ['PATCH /tasks/:id with an agentId', (id) => patch(id, 1, { agentId: randomUUID() }, intruder)],
        ['POST /tasks/:id/subtasks', (id) => t.http().post(`/api/v1/tasks/${id}/subtasks`).set(intruder.auth).send(makeSubtask())],
        ['GET /tasks/:id/subtasks', (id) => t.http().get(`/api/v1/tasks/${id}/subtasks`).set(intruder.auth)],
        ['GET /tasks/:id/dependencies', (id) => t.http().get(`/api/v1/tasks/${id}/dependencies`).set(intruder.auth)],
        ['POST /tasks/:id/dependencies', (id) => addDependencies(id, [randomUUID()], intruder)],
      ];
      for (const [route, call] of routes) {
        const foreign = await call(task.id);
        const missing = await call(missingTask);
        expect([route, foreign.status, missing.status]).toEqual([route, 404, 404]);
        expect(foreign.body.detail.replace(task.id, '<id>')).toBe(missing.body.detail.replace(missingTask, '<id>'));
        expect(JSON.stringify(foreign.body)).not.toContain('secret task');
      }
      const missingWorkflow = randomUUID();
      const foreign = await t.http().get(`/api/v1/workflows/${workflowId}/tasks`).set(intruder.auth);
      const missing = await t.http().get(`/api/v1/workflows/${missingWorkflow}/tasks`).set(intruder.auth);
      expect([foreign.status, missing.status]).toEqual([404, 404]);
      expect(foreign.body.detail.replace(workflowId, '<id>')).toBe(missing.body.detail.replace(missingWorkflow, '<id>'));

      expect(await counts()).toEqual(before);
      expect(await read(task.id)).toEqual(task);
    });

    it('never lists another tenant’s tasks, whatever the filters', async () => {
      for (const query of ['', `?workflowId=${workflowId}`, '?status=pending', `?agentId=${randomUUID()}`]) {
        const list = await t.http().get(`/api/v1/tasks${query}`).set(intruder.auth).expect(200);
        expect(list.body.items).toEqual([]);
      }
      const mine = await t.http().get('/api/v1/tasks').set(tenant.auth).expect(200);
      expect(ids(mine.body.items)).toEqual([task.id, child.id]);
    });

    it('answers another tenant’s ids in bodies with 422, on create, bulk, subtasks, dependencies and patch', async () => {
      const ownWorkflow = await createWorkflow(intruder);
      const ownTask = await createTask({}, intruder, ownWorkflow);
      const before = await counts(intruder.tenantId);
      const calls: [string, () => Promise<Response>, string][] = [
        ['POST /tasks workflowId', () => t.http().post('/api/v1/tasks').set(intruder.auth).send(makeTask(workflowId)), 'workflowId'],
        [
          'POST /tasks dependsOn',
          () =>
            t
              .http()
              .post('/api/v1/tasks')
              .set(intruder.auth)
              .send(makeTask(ownWorkflow, { dependsOn: [task.id] })),
          'dependsOn.0',
        ],
        [
          'POST /tasks/bulk',
          () =>
            t
              .http()
              .post('/api/v1/tasks/bulk')
              .set(intruder.auth)
              .send({ items: [makeBulkTask(ownWorkflow, { dependsOn: [task.id] })] }),
          'items.0.dependsOn.0',
        ],
        [
          'POST /tasks/:id/subtasks',
          () =>
            t
              .http()
              .post(`/api/v1/tasks/${ownTask.id}/subtasks`)
              .set(intruder.auth)
              .send(makeSubtask({ dependsOn: [task.id] })),
          'dependsOn.0',
        ],
        ['POST /tasks/:id/dependencies', () => addDependencies(ownTask.id, [task.id], intruder), 'dependsOn.0'],
      ];
      for (const [route, call, field] of calls) {
        const res = await call();
        expect([route, res.status]).toEqual([route, 422]);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
      const agentOfTenant = await createAgent();
      const assign = await patch(ownTask.id, 1, { agentId: agentOfTenant }, intruder);
      expect(assign.status).toBe(422);
      expect(await counts(intruder.tenantId)).toEqual(before);
      expect(await read(task.id)).toEqual(task);
    });
  });

  describe('bad input: a 4xx problem and nothing written', () => {
    let task: TaskBody;
    beforeEach(async () => {
      task = await createTask();
    });

    const expectRefused = (request: () => Promise<Response>, status: number, fields?: string[]): Promise<Response> =>
      expectRefusedUnchanged(request, status, async () => ({ counts: await counts(), stored: await read(task.id) }), fields);

    const post = (path: string, body: unknown) => () =>
      t
        .http()
        .post(`/api/v1${path}`)
        .set(tenant.auth)
        .send(body as object);

    it('POST /tasks', async () => {
      await expectRefused(post('/tasks', {}), 400, ['workflowId', 'description']);
      await expectRefused(post('/tasks', { ...makeTask('not-a-uuid') }), 400, ['workflowId']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), priority: 1.5, input: 'x' }), 400, ['priority', 'input']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), priority: 2 ** 31 }), 400, ['priority']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), description: null, priority: null }), 400, ['description', 'priority']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), dependsOn: ['nope'] }), 400, ['dependsOn']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), dependsOn: 'x' }), 400, ['dependsOn']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), agentId: 'bob smith' }), 400, ['agentId']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), parentTaskId: task.id }), 400, ['parentTaskId']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), status: 'running' }), 400, ['status']);
      await expectRefused(post('/tasks', { ...makeTask(workflowId), description: 'a\u0000b' }), 400, ['description']);
      await expectRefused(() => t.http().post('/api/v1/tasks').set(tenant.auth).set('Content-Type', 'application/json').send('{"workflowId":'), 400);
    });

    it('POST /tasks/bulk', async () => {
      await expectRefused(post('/tasks/bulk', { items: [] }), 400, ['items']);
      await expectRefused(post('/tasks/bulk', [makeBulkTask(workflowId)]), 400);
      await expectRefused(post('/tasks/bulk', { items: [makeBulkTask(workflowId), { ...makeBulkTask(workflowId), ref: '' }] }), 400, ['items.1.ref']);
      await expectRefused(post('/tasks/bulk', { items: [makeBulkTask(workflowId), { ...makeBulkTask(workflowId), dependsOn: [1] }] }), 400, [
        'items.1.dependsOn',
      ]);
      await expectRefused(post('/tasks/bulk', { items: [{ ...makeBulkTask(workflowId), extra: true }] }), 400, ['items.0.extra']);
    });

    it('PATCH /tasks/:id', async () => {
      const send =
        (body: object, ifMatch = '"1"') =>
        () =>
          t.http().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', ifMatch).send(body);
      await expectRefused(send({ status: 'paused' }), 400, ['status']);
      await expectRefused(send({ status: null, description: null, priority: null }), 400, ['status', 'description', 'priority']);
      await expectRefused(send({ durationMs: -1 }), 400, ['durationMs']);
      await expectRefused(send({ output: [1] }), 400, ['output']);
      await expectRefused(send({ workflowId }), 400, ['workflowId']);
      await expectRefused(send({}), 400);
      await expectRefused(send({ status: 'running' }, 'abc'), 400);
      await expectRefused(() => t.http().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).send({ status: 'running' }), 428);
      await expectRefused(send({ status: 'running' }, '"2"'), 409);
      await expectRefused(send({ agentId: randomUUID() }), 422, ['agentId']);
      await expectRefused(() => t.http().patch('/api/v1/tasks/123').set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }), 400, ['id']);
    });

    it('subtasks and dependencies routes', async () => {
      await expectRefused(post(`/tasks/${task.id}/subtasks`, {}), 400, ['description']);
      await expectRefused(post(`/tasks/${task.id}/subtasks`, { ...makeSubtask(), ref: 'x' }), 400, ['ref']);
      await expectRefused(post('/tasks/abc/subtasks', makeSubtask()), 400, ['id']);
      await expectRefused(post(`/tasks/${task.id}/dependencies`, { dependsOn: [] }), 400, ['dependsOn']);
      await expectRefused(post(`/tasks/${task.id}/dependencies`, { dependsOn: ['x'] }), 400, ['dependsOn']);
      await expectRefused(post(`/tasks/${task.id}/dependencies`, {}), 400, ['dependsOn']);
      await expectRefused(
        () =>
          t
            .http()
            .post(`/api/v1/tasks/${task.id}/dependencies`)
            .set(tenant.auth)
            .set('If-Match', 'x')
            .send({ dependsOn: [task.id] }),
        400,
      );
      await expectRefused(() => t.http().get('/api/v1/tasks/abc/dependencies').set(tenant.auth), 400, ['id']);
      await expectRefused(() => t.http().get('/api/v1/tasks/not-a-uuid').set(tenant.auth), 400, ['id']);
      await expectRefused(() => t.http().get(`/api/v1/tasks/${task.id}x/subtasks`).set(tenant.auth), 400, ['id']);
      await expectRefused(() => t.http().get(`/api/v1/tasks/${task.id}/subtasks?limit=201`).set(tenant.auth), 400, ['limit']);
    });

    it('list routes', async () => {
      await expectRefused(() => t.http().get('/api/v1/tasks?status=paused').set(tenant.auth), 400, ['status']);
      await expectRefused(() => t.http().get('/api/v1/tasks?agentId=bob%20smith&workflowId=1').set(tenant.auth), 400, ['agentId', 'workflowId']);
      await expectRefused(() => t.http().get('/api/v1/tasks?cursor=abc').set(tenant.auth), 400);
      await expectRefused(() => t.http().get('/api/v1/tasks?tenantId=x').set(tenant.auth), 400, ['tenantId']);
      await expectRefused(() => t.http().get(`/api/v1/workflows/${workflowId}/tasks?workflowId=${workflowId}`).set(tenant.auth), 400, ['workflowId']);
      await expectRefused(() => t.http().get(`/api/v1/workflows/${workflowId}/tasks?status=x`).set(tenant.auth), 400, ['status']);
      await expectRefused(() => t.http().get('/api/v1/workflows/abc/tasks').set(tenant.auth), 400, ['id']);
    });
  });
});
