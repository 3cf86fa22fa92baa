import { makeAgent } from '../../factories/agent.factory';
import { makeHealthRecord } from '../../factories/health-record.factory';
import { makeMessage } from '../../factories/message.factory';
import { makeServiceCall } from '../../factories/service-call.factory';
import { makeSystemMetric } from '../../factories/system-metric.factory';
import { makeSubtask, makeTask } from '../../factories/task.factory';
import { makeWorkflow } from '../../factories/workflow.factory';
import { TestApp, TestTenant } from '../test-app';

/**
 * A few real rows of every kind for `tenant`, through the API, so that generated path ids and
 * references can hit them: agents, a workflow with dependent tasks and a subtask, messages,
 * health records, a system metric, knowledge rows, service calls (one of them dead-lettered).
 * `label` goes into the free text of each row.
 */
export async function seedTenant({ app, owner }: TestApp, tenant: TestTenant, label: string): Promise<void> {
  const post = async (url: string, body: object): Promise<{ id: string }> => {
    const res = await app.inject({ method: 'POST', url: `/api/v1${url}`, headers: tenant.auth, payload: body });
    if (res.statusCode >= 300) throw new Error(`seeding POST ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  };
  const agents = [];
  for (const role of ['researcher', 'writer', 'critic']) agents.push(await post('/agents', makeAgent({ role, description: `${label} ${role}` })));
  const workflow = await post('/workflows', makeWorkflow({ description: `${label} workflow` }));
  const first = await post('/tasks', makeTask(workflow.id, { agentId: agents[0].id, description: `${label} first task` }));
  const second = await post('/tasks', makeTask(workflow.id, { agentId: agents[1].id, dependsOn: [first.id], description: `${label} second task` }));
  await post(`/tasks/${first.id}/subtasks`, makeSubtask({ description: `${label} subtask` }));
  await post('/messages', makeMessage(agents[0].id, agents[1].id, { content: { text: label } }));
  await post('/messages', { ...makeMessage(agents[1].id, agents[2].id, { content: { text: label } }), taskId: second.id });
  await post('/health-records', makeHealthRecord({ agentId: agents[0].id, message: label }));
  await post('/system-metrics', makeSystemMetric({ tags: { label } }));
  await post('/action-logs', { actionType: 'tool.search', parameters: { q: label }, traceId: `trace-${label}`, agentId: agents[0].id });
  await post('/job-results', { jobId: `job-${label}`, taskId: first.id, agentId: agents[0].id, status: 'completed', metrics: { label } });
  await post('/insights', { summary: `${label} insight`, domain: 'reliability', confidence: 0.7, content: `Backoff with jitter helps ${label}` });
  await post('/insights', { summary: `${label} second insight`, domain: 'cost', confidence: 0.4, content: `Batching saves ${label}` });
  await post('/patterns', { trigger: `${label} asks for a summary`, steps: [{ tool: 'search' }, { tool: 'summarize' }] });
  await post('/patterns', { trigger: `${label} asks for a plan`, steps: ['plan'] });
  await post('/service-calls', makeServiceCall({ result: makeAgent({ description: label }) }));
  const dead = await post('/service-calls', makeServiceCall({ result: makeAgent({ description: label }) }));
  await owner.query(
    `UPDATE service_call_records SET status = 'dead_lettered', attempts = 1, last_error = 'seeded as dead-lettered' WHERE id = $1 AND tenant_id = $2`,
    [dead.id, tenant.tenantId],
  );
}
