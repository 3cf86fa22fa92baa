import type { Response } from 'supertest';
import { makeAgent } from '../factories/agent.factory';
import { makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { TestTenant, useTwoTenants } from '../utils/test-app';

/** What a client may hear when two writers touch the same rows: success, gone, or lost the race. Never a 5xx. */
const ACCEPTABLE = [200, 201, 204, 404, 409];
const ROUNDS = 15;

interface Scene {
  agent: string;
  workflow: string;
  task: string;
}

describe('writes that race on shared rows', () => {
  const suite = useTwoTenants();
  const api = () => suite.t.http();

  async function scene(tenant: TestTenant): Promise<Scene> {
    const agent = (await api().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body.id;
    const workflow = (await api().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body.id;
    const task = (
      await api()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(makeTask(workflow, { agentId: agent }))
        .expect(201)
    ).body.id;
    return { agent, workflow, task };
  }

  const complete = (tenant: TestTenant, s: Scene) =>
    api().patch(`/api/v1/tasks/${s.task}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'completed', durationMs: 150.5 });

  type Write = (tenant: TestTenant, s: Scene) => Promise<Response>;
  const pairs: [string, Write, Write, number[]][] = [
    ['completing a task while its agent is deleted', complete, (tenant, s) => api().delete(`/api/v1/agents/${s.agent}`).set(tenant.auth), []],
    ['completing a task while its workflow is deleted', complete, (tenant, s) => api().delete(`/api/v1/workflows/${s.workflow}`).set(tenant.auth), []],
    ['completing a task while it is deleted', complete, (tenant, s) => api().delete(`/api/v1/tasks/${s.task}`).set(tenant.auth), []],
    [
      'reassigning a task while its agent is deleted',
      (tenant, s) => api().patch(`/api/v1/tasks/${s.task}`).set(tenant.auth).set('If-Match', '"1"').send({ agentId: s.agent, priority: 5 }),
      (tenant, s) => api().delete(`/api/v1/agents/${s.agent}`).set(tenant.auth),
      // The body names the agent being deleted: once it is gone, that reference names nothing (422, like any unknown agent).
      [422],
    ],
    [
      'deleting an agent while its workflow is deleted',
      (tenant, s) => api().delete(`/api/v1/agents/${s.agent}`).set(tenant.auth),
      (tenant, s) => api().delete(`/api/v1/workflows/${s.workflow}`).set(tenant.auth),
      [],
    ],
  ];

  it.each(pairs)('%s: only 2xx, 404 or 409, and the metrics match the tasks', async (_name, first, second, alsoAcceptable) => {
    const { tenant } = suite;
    const scenes = await Promise.all(Array.from({ length: ROUNDS }, () => scene(tenant)));
    const answers = await Promise.all(scenes.map((s) => Promise.all([first(tenant, s), second(tenant, s)])));
    const statuses = answers.flat().map((res) => res.status);
    expect(statuses.filter((status) => !ACCEPTABLE.includes(status) && !alsoAcceptable.includes(status))).toEqual([]);

    // Every counted outcome belongs to an agent that still exists, and matches its completed tasks.
    const metrics = await suite.db.query(
      `SELECT m.agent_id, m.completed_tasks, (SELECT count(*)::int FROM tasks t WHERE t.agent_id = m.agent_id AND t.status = 'completed') AS completed
       FROM agent_metrics m WHERE m.tenant_id = $1`,
      [tenant.tenantId],
    );
    for (const row of metrics) expect(row.completed_tasks).toBeGreaterThanOrEqual(row.completed);
    const orphans = await suite.db.query(
      'SELECT count(*)::int AS n FROM agent_metrics m WHERE m.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = m.agent_id)',
      [tenant.tenantId],
    );
    expect(orphans[0].n).toBe(0);
  });
});
