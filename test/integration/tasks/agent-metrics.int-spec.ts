import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { AgentMetricsService } from '../../../src/modules/agents/metrics/agent-metrics.service';
import { makeAgent } from '../../factories/agent.factory';
import { makeBulkTask } from '../../factories/task.factory';
import { makeWorkflow } from '../../factories/workflow.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';

describe('agent metrics follow task outcomes', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  /** What the counters must be: a recount of the agent's finished tasks. */
  async function recount(agentId: string): Promise<{ total: number; completed: number; failed: number; durationSum: number; timed: number }> {
    const [row] = await t.owner.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              coalesce(sum(duration_ms), 0)::int AS "durationSum",
              count(duration_ms)::int AS timed
       FROM tasks WHERE tenant_id = $1 AND agent_id = $2 AND status IN ('completed', 'failed')`,
      [tenant.tenantId, agentId],
    );
    return row;
  }

  it('equal a recount of the tasks table after a burst of 24 concurrent completions, with racing duplicates', async () => {
    const agentId = (await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body.id;
    const workflowId = (await t.http().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body.id;
    const items = Array.from({ length: 24 }, () => makeBulkTask(workflowId, { agentId }));
    const tasks: { id: string }[] = (await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201)).body.items;
    await Promise.all(
      tasks.map((task) => t.http().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200)),
    );

    // Every task gets two competing outcomes at once: exactly one of each pair may count.
    const outcome = (i: number, copy: number) => ({
      status: (i + copy) % 3 === 0 ? 'failed' : 'completed',
      ...(i % 4 === 0 ? {} : { durationMs: 100 * (i + 1) + copy }),
    });
    const answers = await Promise.all(
      tasks.flatMap((task, i) =>
        [0, 1].map((copy) => t.http().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', '"2"').send(outcome(i, copy))),
      ),
    );
    expect(answers.filter((res) => res.status === 200)).toHaveLength(24);
    expect(answers.filter((res) => res.status === 409)).toHaveLength(24);

    const expected = await recount(agentId);
    expect(expected.total).toBe(24);
    const metrics = await TenantScope.run(tenant.tenantId, () => t.app.get(AgentMetricsService).forAgent(tenant.tenantId, agentId));
    expect(metrics).toMatchObject({ totalTasks: expected.total, completedTasks: expected.completed, failedTasks: expected.failed });
    expect(metrics.avgDurationMs).toBeCloseTo(expected.durationSum / expected.timed, 6);
    expect(metrics.successRate).toBeCloseTo(expected.completed / expected.total, 6);
  });

  it('does not count cancellations, retries, or tasks without an agent', async () => {
    const agentId = (await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body.id;
    const workflowId = (await t.http().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body.id;
    const items = [makeBulkTask(workflowId, { agentId }), makeBulkTask(workflowId, { agentId }), makeBulkTask(workflowId)];
    const [cancelled, retried, unassigned] = (await t.http().post('/api/v1/tasks/bulk').set(tenant.auth).send({ items }).expect(201)).body.items;
    const step = (id: string, version: number, body: object) =>
      t.http().patch(`/api/v1/tasks/${id}`).set(tenant.auth).set('If-Match', `"${version}"`).send(body).expect(200);
    await step(cancelled.id, 1, { status: 'running' });
    await step(cancelled.id, 2, { status: 'cancelled' });
    await step(retried.id, 1, { status: 'running' });
    await step(retried.id, 2, { status: 'pending', error: 'timeout' });
    await step(unassigned.id, 1, { status: 'running' });
    await step(unassigned.id, 2, { status: 'completed', durationMs: 5 });

    const metrics = await TenantScope.run(tenant.tenantId, () => t.app.get(AgentMetricsService).forAgent(tenant.tenantId, agentId));
    expect(metrics).toMatchObject({ totalTasks: 0, completedTasks: 0, failedTasks: 0 });
    expect(await recount(agentId)).toMatchObject({ total: 0 });
  });
});
