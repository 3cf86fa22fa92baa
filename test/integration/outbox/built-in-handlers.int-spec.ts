import { makeAgent } from '../../factories/agent.factory';
import { makeServiceCall } from '../../factories/service-call.factory';
import { makeTask } from '../../factories/task.factory';
import { makeWorkflow } from '../../factories/workflow.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { waitForServiceCall } from '../../utils/service-calls';

describe('built-in persistence handlers', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ QUEUE_PREFIX: `builtins-${process.pid}`, PERSIST_BACKOFF_MS: '20', SWEEP_INTERVAL_MS: '300' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  const api = () => t.http();
  const settled = (id: string, status: string) => waitForServiceCall(t, tenant, id, status);
  const agent = async (name: string) => (await api().post('/api/v1/agents').set(tenant.auth).send(makeAgent({ name })).expect(201)).body;

  it('core/agent.message@1 sends a message between the tenant’s agents', async () => {
    const [from, to] = [await agent('planner'), await agent('coder')];
    const accepted = await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ schema: 'agent.message@1', result: { fromAgentId: from.id, toAgentId: to.id, type: 'handoff', content: { step: 3 } } }))
      .expect(202);
    const done = await settled(accepted.body.id, 'persisted');
    expect(done.domainObjects[0].type).toBe('message');
    const message = await api().get(`/api/v1/messages/${done.domainObjects[0].id}`).set(tenant.auth).expect(200);
    expect(message.body).toMatchObject({ fromAgentId: from.id, toAgentId: to.id, type: 'handoff', content: { step: 3 }, status: 'sent' });
    const inbox = await api().get(`/api/v1/agents/${to.id}/messages?direction=in`).set(tenant.auth).expect(200);
    expect(inbox.body.items.map((m: { id: string }) => m.id)).toEqual([message.body.id]);
  });

  it('core/agent.message@1 dead-letters at once a message naming an agent the tenant cannot see', async () => {
    const from = await agent('planner');
    const other = await createTenant(t.app);
    const foreign = (await api().post('/api/v1/agents').set(other.auth).send(makeAgent()).expect(201)).body;
    const accepted = await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ schema: 'agent.message@1', result: { fromAgentId: from.id, toAgentId: foreign.id, type: 'x', content: {} } }))
      .expect(202);
    const dead = await settled(accepted.body.id, 'dead_lettered');
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/toAgentId/);
    const [{ n }] = await t.owner.query('SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1', [tenant.tenantId]);
    expect(n).toBe(0);
  });

  it('core/task.result@1 finishes the task, counts it for the agent and records a job result, in one transaction', async () => {
    const worker = await agent('worker');
    const workflow = (await api().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body;
    const task = (
      await api()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(makeTask(workflow.id, { agentId: worker.id }))
        .expect(201)
    ).body;

    const body = makeServiceCall({ schema: 'task.result@1', result: { taskId: task.id, status: 'completed', output: { answer: 42 }, durationMs: 1200 } });
    const accepted = await api().post('/api/v1/service-calls').set(tenant.auth).send(body).expect(202);
    const done = await settled(accepted.body.id, 'persisted');
    expect(done.domainObjects[0].type).toBe('job_result');

    const finished = await api().get(`/api/v1/tasks/${task.id}`).set(tenant.auth).expect(200);
    expect(finished.body).toMatchObject({ status: 'completed', output: { answer: 42 }, durationMs: 1200 });
    expect(finished.body.startedAt).not.toBeNull();
    const metrics = await api().get(`/api/v1/agents/${worker.id}/metrics`).set(tenant.auth).expect(200);
    expect(metrics.body).toMatchObject({ totalTasks: 1, completedTasks: 1, failedTasks: 0, avgDurationMs: 1200, successRate: 1 });
    const rows = await t.owner.query('SELECT job_id, task_id, status FROM job_results WHERE tenant_id = $1', [tenant.tenantId]);
    expect(rows).toEqual([{ job_id: body.callId, task_id: task.id, status: 'completed' }]);

    // A second outcome for the finished task cannot apply: dead-lettered at once, nothing counted twice.
    const late = await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ schema: 'task.result@1', result: { taskId: task.id, status: 'failed', error: 'late' } }))
      .expect(202);
    const dead = await settled(late.body.id, 'dead_lettered');
    expect(dead.attempts).toBe(1);
    const after = await api().get(`/api/v1/agents/${worker.id}/metrics`).set(tenant.auth).expect(200);
    expect(after.body.totalTasks).toBe(1);
  });

  it('core/task.result@1 rejects a result that does not match the schema', async () => {
    const accepted = await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ schema: 'task.result@1', result: { taskId: 'not-a-uuid', status: 'done' } }))
      .expect(202);
    const dead = await settled(accepted.body.id, 'dead_lettered');
    expect(dead.lastError).toMatch(/taskId.*UUID|status/);
  });
});
