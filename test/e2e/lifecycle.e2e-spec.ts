import { makeAgent } from '../factories/agent.factory';
import { makeMessage } from '../factories/message.factory';
import { makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { expectIndistinguishable, expectProblem, expectRefusedUnchanged } from '../utils/problems';
import { statementsDuring } from '../utils/statements';
import { TestTenant, useTwoTenants } from '../utils/test-app';

interface Row {
  id: string;
  version: number;
  [field: string]: unknown;
}

describe('the whole lifecycle: deletes, updates, reads by id, counts', () => {
  const suite = useTwoTenants();
  const api = () => suite.t.http();
  const post = async (tenant: TestTenant, path: string, body: object): Promise<Row> =>
    (await api().post(`/api/v1${path}`).set(tenant.auth).send(body).expect(201)).body;
  const events = async (aggregateId: string) =>
    suite.db.query<{ type: string; payload: Record<string, unknown> }[]>('SELECT type, payload FROM domain_events WHERE aggregate_id = $1 ORDER BY id', [
      aggregateId,
    ]);
  const count = async (table: string, where = 'tenant_id = $1', params: unknown[] = [suite.tenant.tenantId]) =>
    Number((await suite.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0].n);

  /** A workflow with a task, its subtask, a second task that depends on the first, and a message about the first. */
  async function graph(tenant = suite.tenant) {
    const workflow = await post(tenant, '/workflows', makeWorkflow());
    const agent = await post(tenant, '/agents', makeAgent());
    const task = await post(tenant, '/tasks', makeTask(workflow.id, { agentId: agent.id }));
    const subtask = await post(tenant, `/tasks/${task.id}/subtasks`, { description: 'part' });
    const dependent = await post(tenant, '/tasks', makeTask(workflow.id, { dependsOn: [task.id] }));
    const message = await post(tenant, '/messages', makeMessage(agent.id, agent.id, { taskId: task.id }));
    return { workflow, agent, task, subtask, dependent, message };
  }

  it('deletes a workflow with its tasks, subtasks and dependencies: 204, an event naming them, messages kept without their task', async () => {
    const { tenant, other } = suite;
    const { workflow, task, subtask, dependent, message } = await graph();
    const snapshot = () => Promise.all(['workflows', 'tasks', 'task_dependencies'].map((table) => count(table)));
    await expectRefusedUnchanged(() => api().delete(`/api/v1/workflows/${workflow.id}`).set(tenant.auth).set('If-Match', '"2"'), 409, snapshot);
    const foreign = await expectRefusedUnchanged(() => api().delete(`/api/v1/workflows/${workflow.id}`).set(other.auth), 404, snapshot);
    expectIndistinguishable(foreign, workflow.id, await api().delete(`/api/v1/workflows/${message.id}`).set(other.auth), message.id);

    await api().delete(`/api/v1/workflows/${workflow.id}`).set(tenant.auth).set('If-Match', '"1"').expect(204);
    expect(await snapshot()).toEqual([0, 0, 0]);
    const kept = await api().get(`/api/v1/messages/${message.id}`).set(tenant.auth).expect(200);
    expect(kept.body.taskId).toBeNull();
    const [deleted] = (await events(workflow.id)).filter((e) => e.type === 'workflow.deleted');
    expect(deleted.payload).toEqual({ workflowId: workflow.id, taskIds: [task.id, subtask.id, dependent.id].sort() });
    expectProblem(await api().delete(`/api/v1/workflows/${workflow.id}`).set(tenant.auth), 404, 'NOT_FOUND');
  });

  it('deletes a task with its subtasks and dependency edges; a task that waited for it may start', async () => {
    const { tenant, other } = suite;
    const { task, subtask, dependent } = await graph();
    await expectRefusedUnchanged(
      () => api().delete(`/api/v1/tasks/${task.id}`).set(other.auth),
      404,
      () => count('tasks'),
    );
    expectProblem(await api().patch(`/api/v1/tasks/${dependent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }), 409, 'TASK_BLOCKED');

    await api().delete(`/api/v1/tasks/${task.id}`).set(tenant.auth).expect(204);
    expect(await count('tasks')).toBe(1);
    expect(await count('task_dependencies')).toBe(0);
    const [deleted] = (await events(task.id)).filter((e) => e.type === 'task.deleted');
    expect(deleted.payload).toMatchObject({ taskId: task.id, subtaskIds: [subtask.id] });
    const started = await api().patch(`/api/v1/tasks/${dependent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200);
    expect(started.body.dependsOn).toEqual([]);
  });

  it('deletes a message, guarded by If-Match when sent', async () => {
    const { tenant, other } = suite;
    const { message } = await graph();
    await expectRefusedUnchanged(
      () => api().delete(`/api/v1/messages/${message.id}`).set(other.auth),
      404,
      () => count('messages'),
    );
    await expectRefusedUnchanged(
      () => api().delete(`/api/v1/messages/${message.id}`).set(tenant.auth).set('If-Match', '"9"'),
      409,
      () => count('messages'),
    );
    await api().delete(`/api/v1/messages/${message.id}`).set(tenant.auth).set('If-Match', '"1"').expect(204);
    expect((await events(message.id)).map((e) => e.type)).toEqual(['message.sent', 'message.deleted']);
    expectProblem(await api().get(`/api/v1/messages/${message.id}`).set(tenant.auth), 404, 'NOT_FOUND');
  });

  it('lists the messages about a task, and 404 for a task the caller cannot see', async () => {
    const { tenant, other } = suite;
    const { task, message, agent } = await graph();
    await post(tenant, '/messages', makeMessage(agent.id, agent.id));
    const listed = await api().get(`/api/v1/tasks/${task.id}/messages`).set(tenant.auth).expect(200);
    expect(listed.body).toMatchObject({ items: [{ id: message.id, taskId: task.id }], nextCursor: null });
    expectProblem(await api().get(`/api/v1/tasks/${task.id}/messages`).set(other.auth), 404, 'NOT_FOUND');
  });

  it.each([
    ['insights', { summary: 's', domain: 'd', confidence: 0.5, content: 'c' }, { confidence: 0.75 }, { confidence: 2 }],
    ['patterns', { trigger: 'on start', steps: [1] }, { steps: [1, 2] }, { steps: 'x' }],
  ])('PATCH and DELETE /%s/:id: compare-and-set, one winner of two, 428 without a version, events', async (path, body, change, bad) => {
    const { tenant, other } = suite;
    const created = await post(tenant, `/${path}`, body);
    const read = async () => (await api().get(`/api/v1/${path}/${created.id}`).set(tenant.auth).expect(200)).body;
    const patch = (auth: Record<string, string>, ifMatch: string | undefined, sent: object) => {
      const request = api().patch(`/api/v1/${path}/${created.id}`).set(auth);
      return ifMatch === undefined ? request.send(sent) : request.set('If-Match', ifMatch).send(sent);
    };
    await expectRefusedUnchanged(() => patch(tenant.auth, undefined, change), 428, read);
    await expectRefusedUnchanged(() => patch(tenant.auth, '"1"', bad), 400, read);
    await expectRefusedUnchanged(() => patch(tenant.auth, '"1"', {}), 400, read);
    await expectRefusedUnchanged(() => patch(other.auth, '"1"', change), 404, read);

    const [one, two] = await Promise.all([patch(tenant.auth, '"1"', change), patch(tenant.auth, '"1"', change)]);
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const updated = [one, two].find((res) => res.status === 200)!;
    expect(updated.body).toMatchObject({ ...change, version: 2 });
    expect(updated.headers.etag).toBe('"2"');

    await expectRefusedUnchanged(() => api().delete(`/api/v1/${path}/${created.id}`).set(tenant.auth).set('If-Match', '"1"'), 409, read);
    await api().delete(`/api/v1/${path}/${created.id}`).set(tenant.auth).set('If-Match', '"2"').expect(204);
    const kind = path.slice(0, -1);
    expect((await events(created.id)).map((e) => e.type).slice(-2)).toEqual([`${kind}.updated`, `${kind}.deleted`]);
    expectProblem(await api().get(`/api/v1/${path}/${created.id}`).set(tenant.auth), 404, 'NOT_FOUND');
  });

  it('refuses a pattern trigger the tenant already has with 409', async () => {
    const { tenant } = suite;
    await post(tenant, '/patterns', { trigger: 'taken', steps: [] });
    const mine = await post(tenant, '/patterns', { trigger: 'mine', steps: [] });
    const res = await api().patch(`/api/v1/patterns/${mine.id}`).set(tenant.auth).set('If-Match', '"1"').send({ trigger: 'taken' });
    expectProblem(res, 409, 'PATTERN_TRIGGER_TAKEN');
  });

  it.each([
    ['action-logs', { actionType: 'tool.search', durationMs: 12.25 }],
    ['job-results', { jobId: 'job-1', metrics: { pages: 3 } }],
    ['health-records', { component: 'db', status: 'ok', responseTimeMs: 3.75 }],
    ['system-metrics', { name: 'queue.depth', value: 4.5 }],
  ])('reads a record of /%s by id (404 for another tenant), and records its event in the same statement', async (path, body) => {
    const { tenant, other } = suite;
    const created = await post(tenant, `/${path}`, body);
    expect(created).toMatchObject(body);
    const read = await api().get(`/api/v1/${path}/${created.id}`).set(tenant.auth).expect(200);
    expect(read.body).toEqual(created);
    expectProblem(await api().get(`/api/v1/${path}/${created.id}`).set(other.auth), 404, 'NOT_FOUND');
    const type = `${path.slice(0, -1).replace('-', '_')}.recorded`;
    expect((await events(created.id)).map((e) => e.type)).toEqual([type]);
  });

  it('records one event per item of a bulk request, and none for a refused one', async () => {
    const { tenant } = suite;
    const items = Array.from({ length: 25 }, (_, i) => ({ actionType: `step-${i}` }));
    const bulk = await api().post('/api/v1/action-logs/bulk').set(tenant.auth).send({ items }).expect(201);
    const ids = bulk.body.items.map((item: Row) => item.id);
    const rows = await suite.db.query(`SELECT aggregate_id FROM domain_events WHERE tenant_id = $1 AND type = 'action_log.recorded' ORDER BY id`, [
      tenant.tenantId,
    ]);
    expect(rows.map((row: { aggregate_id: string }) => row.aggregate_id)).toEqual(ids);
    const before = await count('domain_events');
    await api()
      .post('/api/v1/job-results/bulk')
      .set(tenant.auth)
      .send({ items: [{ jobId: 'a' }, { jobId: 'b', agentId: 'agent_nobody' }] })
      .expect(422);
    expect(await count('domain_events')).toBe(before);
  });

  it('stores each bulk item’s event as a single create stores it: type, aggregate, actor, correlation id and payload', async () => {
    const { tenant } = suite;
    const agent = await post(tenant, '/agents', makeAgent({ key: 'agent_sena' }));
    const { task } = await graph();
    const stored = (ids: string[]) =>
      suite.db.query(
        `SELECT type, aggregate_type, aggregate_id, aggregate_version, actor_id, correlation_id, payload
         FROM domain_events WHERE tenant_id = $1 AND aggregate_id = ANY($2::uuid[]) ORDER BY id`,
        [tenant.tenantId, ids],
      );
    const send = (path: string, body: object, correlationId: string) =>
      api().post(`/api/v1${path}`).set(tenant.auth).set('X-Actor-Id', 'planner-7').set('X-Request-Id', correlationId).send(body).expect(201);
    const logs = [
      { actionType: 'tool "search" ✓', traceId: 'trace-ü\\n', agentId: 'agent_sena', parameters: { q: 'x' } },
      { actionType: 'step', durationMs: 1.5 },
    ];
    const results = [
      { jobId: 'job-"1"', taskId: task.id, agentId: agent.id, status: 'completed' },
      { jobId: 'job-2', metrics: { pages: 3 } },
    ];

    const single = (await send('/action-logs', logs[0], 'corr-single')).body;
    let bulkLogs: Row[] = [];
    const sent = await statementsDuring(async () => (bulkLogs = (await send('/action-logs/bulk', { items: logs }, 'corr-logs')).body.items));
    // The rows and their events, in one statement: every item of a bulk request has its event, or none is stored.
    expect(sent.filter((sql) => /\bINSERT INTO\b/.test(sql))).toEqual([expect.stringMatching(/INSERT INTO "action_logs".*INSERT INTO domain_events/)]);
    const bulkResults = (await send('/job-results/bulk', { items: results }, 'corr-results')).body.items;

    const event = (type: string, aggregateType: string, aggregateId: string, correlationId: string, payload: object) => ({
      type,
      aggregate_type: aggregateType,
      aggregate_id: aggregateId,
      aggregate_version: null,
      actor_id: 'planner-7',
      correlation_id: correlationId,
      payload,
    });
    const logEvent = (log: Row, correlationId: string) =>
      event('action_log.recorded', 'action_log', log.id, correlationId, {
        actionLogId: log.id,
        actionType: log.actionType,
        agentId: log.agentId,
        traceId: log.traceId,
      });
    expect(await stored([single.id])).toEqual([logEvent(single, 'corr-single')]);
    expect(await stored(bulkLogs.map((log: Row) => log.id))).toEqual(bulkLogs.map((log: Row) => logEvent(log, 'corr-logs')));
    expect(bulkLogs[0]).toMatchObject({ actionType: 'tool "search" ✓', traceId: 'trace-ü\\n', agentId: agent.id });
    expect(await stored(bulkResults.map((result: Row) => result.id))).toEqual(
      bulkResults.map((result: Row) =>
        event('job_result.recorded', 'job_result', result.id, 'corr-results', {
          jobResultId: result.id,
          jobId: result.jobId,
          taskId: result.taskId,
          agentId: result.agentId,
          status: result.status,
        }),
      ),
    );
    expect(bulkResults[0]).toMatchObject({ jobId: 'job-"1"', taskId: task.id, agentId: agent.id });
  });

  it('counts tasks by status, of the tenant or of one workflow', async () => {
    const { tenant, other } = suite;
    const { workflow, task } = await graph();
    await graph(other);
    await api().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'completed' }).expect(200);
    const second = await post(tenant, '/workflows', makeWorkflow());
    await post(tenant, '/tasks', makeTask(second.id));
    const all = await api().get('/api/v1/tasks/counts').set(tenant.auth).expect(200);
    expect(all.body).toEqual({ pending: 3, running: 0, completed: 1, failed: 0, cancelled: 0 });
    const one = await api().get(`/api/v1/tasks/counts?workflowId=${workflow.id}`).set(tenant.auth).expect(200);
    expect(one.body).toEqual({ pending: 2, running: 0, completed: 1, failed: 0, cancelled: 0 });
    expectProblem(await api().get('/api/v1/tasks/counts?workflowId=x').set(tenant.auth), 400, 'VALIDATION_FAILED');
  });
});
