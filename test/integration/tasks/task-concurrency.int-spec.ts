import { findCycle, dependencyGraph } from '../../../src/modules/tasks/task-graph';
import { makeBulkTask, makeTask } from '../../factories/task.factory';
import { makeWorkflow } from '../../factories/workflow.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { untilFeedCaughtUp } from '../../utils/event-feed';
import { waitFor } from '../../utils/wait';

describe('tasks under concurrent writers', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let workflowId: string;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
    workflowId = (await t.http().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body.id;
  });

  async function createTasks(n: number): Promise<string[]> {
    const items = Array.from({ length: n }, () => makeBulkTask(workflowId));
    const res = await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201);
    return res.body.items.map((task: { id: string }) => task.id);
  }

  async function edgesOfWorkflow(): Promise<[string, string][]> {
    const rows: { task_id: string; depends_on_task_id: string }[] = await t.owner.query(
      'SELECT d.task_id, d.depends_on_task_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id WHERE t.workflow_id = $1',
      [workflowId],
    );
    return rows.map((row) => [row.task_id, row.depends_on_task_id]);
  }

  function addDependencies(id: string, dependsOn: string[]) {
    return t.http().post(`/api/v1/tasks/${id}/dependencies`).set(tenant.auth).send({ dependsOn });
  }

  it('lets exactly one of two concurrent PATCHes of a task win; the other gets 409 and the winner’s change stands', async () => {
    const [id] = await createTasks(1);
    const [a, b] = await Promise.all([
      t.http().patch(`/api/v1/tasks/${id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }),
      t.http().patch(`/api/v1/tasks/${id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'cancelled' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const stored = await t.http().get(`/api/v1/tasks/${id}`).set(tenant.auth).expect(200);
    expect(stored.body).toMatchObject({ status: winner.body.status, version: 2 });
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get(`/api/v1/events?aggregateId=${id}&type=task.status_changed`).set(tenant.auth).expect(200);
    expect(events.body.items.map((e: { payload: { to: string } }) => e.payload.to)).toEqual([winner.body.status]);
  });

  it('serialises ten concurrent completions of one running task: one wins, nine get 409', async () => {
    const [id] = await createTasks(1);
    await t.http().patch(`/api/v1/tasks/${id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t
          .http()
          .patch(`/api/v1/tasks/${id}`)
          .set(tenant.auth)
          .set('If-Match', '"2"')
          .send({ status: i % 2 ? 'completed' : 'failed', output: { writer: i } }),
      ),
    );
    expect(answers.filter((res) => res.status === 200)).toHaveLength(1);
    expect(answers.filter((res) => res.status === 409)).toHaveLength(9);
    const winner = answers.find((res) => res.status === 200)!;
    const stored = await t.http().get(`/api/v1/tasks/${id}`).set(tenant.auth).expect(200);
    expect(stored.body).toMatchObject({ version: 3, status: winner.body.status, output: winner.body.output });
  });

  it('answers 409 with the current version when another writer changes the task between the read and the write of a PATCH', async () => {
    const [id] = await createTasks(1);
    // Another writer holds the row with an uncommitted change: the PATCH's read still sees version 1,
    // its compare-and-set waits for the row, then finds version 2.
    const writer = t.owner.createQueryRunner();
    await writer.connect();
    try {
      await writer.startTransaction();
      await writer.query(`UPDATE tasks SET status = 'cancelled', version = version + 1 WHERE id = $1`, [id]);
      const patching = t
        .http()
        .patch(`/api/v1/tasks/${id}`)
        .set(tenant.auth)
        .set('If-Match', '"1"')
        .send({ status: 'running' })
        .then((res) => res);
      await waitFor('the PATCH to wait for the row', async () => {
        const [{ n }] = await t.owner.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE tasks t SET%'`,
        );
        return n > 0;
      });
      await writer.commitTransaction();
      const answer = await patching;
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, currentVersion: 2 });
    } finally {
      await writer.release();
    }
    const stored = await t.http().get(`/api/v1/tasks/${id}`).set(tenant.auth).expect(200);
    expect(stored.body).toMatchObject({ status: 'cancelled', version: 2, startedAt: null });
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get(`/api/v1/events?aggregateId=${id}&type=task.status_changed`).set(tenant.auth).expect(200);
    expect(events.body.items).toEqual([]);
  });

  it('never starts a task before its dependency has completed, while the dependency completes concurrently', async () => {
    for (let round = 0; round < 8; round++) {
      const [dependency] = await createTasks(1);
      await t.http().patch(`/api/v1/tasks/${dependency}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200);
      const task = (
        await t
          .http()
          .post('/api/v1/tasks')
          .set(tenant.auth)
          .send(makeTask(workflowId, { dependsOn: [dependency] }))
          .expect(201)
      ).body.id;
      const [completed, started] = await Promise.all([
        t.http().patch(`/api/v1/tasks/${dependency}`).set(tenant.auth).set('If-Match', '"2"').send({ status: 'completed' }),
        t.http().patch(`/api/v1/tasks/${task}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }),
      ]);
      expect(completed.status).toBe(200);
      // Either the start saw the completion (200) or it came first and was refused, naming the dependency.
      if (started.status !== 200) expect([started.status, started.body.code, started.body.blockedBy]).toEqual([409, 'TASK_BLOCKED', [dependency]]);
      const stored = await t.http().get(`/api/v1/tasks/${task}`).set(tenant.auth).expect(200);
      expect(stored.body).toMatchObject(started.status === 200 ? { status: 'running', version: 2 } : { status: 'pending', version: 1 });
      // Once the dependency has completed, the start goes through.
      if (started.status !== 200) await t.http().patch(`/api/v1/tasks/${task}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200);
    }
  });

  it('never lets two concurrent requests close a two-cycle (A waits for B, B waits for A)', async () => {
    for (let round = 0; round < 8; round++) {
      const [a, b] = await createTasks(2);
      const [ab, ba] = await Promise.all([addDependencies(a, [b]), addDependencies(b, [a])]);
      expect([ab.status, ba.status].sort()).toEqual([200, 422]);
      const refused = ab.status === 422 ? ab : ba;
      expect(refused.body.cycle).toHaveLength(3);
    }
    expect(findCycle(dependencyGraph(await edgesOfWorkflow()))).toBeNull();
  });

  it('never lets three concurrent requests close a three-cycle', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b, c] = await createTasks(3);
      const answers = await Promise.all([addDependencies(a, [b]), addDependencies(b, [c]), addDependencies(c, [a])]);
      expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 422]);
      expect(answers.find((res) => res.status === 422)!.body.cycle).toHaveLength(4);
    }
    expect(findCycle(dependencyGraph(await edgesOfWorkflow()))).toBeNull();
  });

  it('never starts a task whose dependency is being added at the same moment', async () => {
    for (let round = 0; round < 8; round++) {
      const [dependency, task] = await createTasks(2);
      const [added, started] = await Promise.all([
        addDependencies(task, [dependency]),
        t.http().patch(`/api/v1/tasks/${task}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }),
      ]);
      // Either the start came first (the addition then finds a running task: 422) or the
      // addition did (the start then conflicts on the version: 409). Never both.
      expect(['200/409', '422/200']).toContain(`${added.status}/${started.status}`);
      const stored = await t.http().get(`/api/v1/tasks/${task}`).set(tenant.auth).expect(200);
      expect(stored.body.status === 'running' && stored.body.dependsOn.length > 0).toBe(false);
    }
  });

  it('creates tasks in one workflow concurrently with dependency changes without deadlock or loss', async () => {
    const [a, b] = await createTasks(2);
    const creators = Array.from({ length: 10 }, () =>
      t
        .http()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(makeTask(workflowId, { dependsOn: [a] })),
    );
    const [adding, ...created] = await Promise.all([addDependencies(b, [a]), ...creators]);
    expect(adding.status).toBe(200);
    expect(created.map((res) => res.status)).toEqual(Array(10).fill(201));
    const list = await t.http().get(`/api/v1/workflows/${workflowId}/tasks?limit=200`).set(tenant.auth).expect(200);
    expect(list.body.items).toHaveLength(12);
  });
});
