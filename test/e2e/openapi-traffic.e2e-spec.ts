import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { makeAgent } from '../factories/agent.factory';
import { makeHealthRecord } from '../factories/health-record.factory';
import { makeMessage } from '../factories/message.factory';
import { makeServiceCall } from '../factories/service-call.factory';
import { makeSystemMetric } from '../factories/system-metric.factory';
import { makeBulkTask, makeSubtask, makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { untilFeedCaughtUp } from '../utils/event-feed';
import { checkedAgent, CheckedAgent, OpenApiContract } from '../utils/openapi-contract';
import { expectProblem } from '../utils/problems';
import { SseClient } from '../utils/sse-client';
import { TestTenant, useTwoTenants } from '../utils/test-app';

const ADMIN_TENANT = `contract-adm-${process.pid}`;

/** Operations whose answers are not checked here, and why. */
const UNCHECKED: Record<string, string> = {
  'GET /metrics': 'the Prometheus text exposition format; its operation declares no content, and it belongs to the metrics endpoint',
};

/**
 * Real traffic against the document the app serves at /docs-json: every operation is called for
 * its success and its main errors through a client that checks each answer (declared status,
 * body matching its schema, declared headers present), so that any drift fails here.
 */
describe('the API answers as its OpenAPI document says', () => {
  const suite = useTwoTenants({
    LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
    ADMIN_TENANTS: ADMIN_TENANT,
    // No worker: this app never drains the records of files running beside it (their tests compare them).
    APP_ROLE: 'api',
    QUEUE_PREFIX: `openapi-traffic-${process.pid}`,
    EVENTS_MAX_STREAMS_PER_KEY: '1',
    BODY_LIMIT_BYTES: '4096',
  });
  let contract: OpenApiContract;
  let api: CheckedAgent;
  let tenant: TestTenant;
  let auth: { Authorization: string };

  beforeAll(async () => {
    contract = await OpenApiContract.of(suite.t.http());
    api = checkedAgent(suite.t.http(), contract);
  });
  beforeEach(() => {
    tenant = suite.tenant;
    auth = tenant.auth;
  });

  const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

  /** A 201 whose Location names the resource it answered with, readable there. */
  async function created(res: Response): Promise<Record<string, unknown> & { id: string; version?: number }> {
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toMatch(new RegExp(`^/api/v1/[a-z-]+/${res.body.id}$`));
    expect((await api.get(res.headers.location).set(auth).expect(200)).body.id).toBe(res.body.id);
    return res.body;
  }

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    api
      .post(url)
      .set(auth)
      .set(headers)
      .send(body as object);
  const patch = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    api
      .patch(url)
      .set(auth)
      .set(headers)
      .send(body as object);
  const get = (url: string) => api.get(url).set(auth);
  const remove = (url: string, headers: Record<string, string> = {}) => api.delete(url).set(auth).set(headers);

  it('refuses an answer that drifts from the document', () => {
    const document = contract.document.paths['/api/v1/agents/{id}'].get;
    expect(document).toBeDefined();
    const agent = { id: randomUUID(), name: 'a', role: 'r', version: 1 };
    const answer = { method: 'GET', url: `/api/v1/agents/${agent.id}`, headers: { 'content-type': 'application/json', etag: '"1"' } };
    // An undeclared status, a body missing required members, a missing required header, an undeclared code.
    expect(contract.drift({ ...answer, status: 418, text: '{}' })).toEqual([expect.stringContaining('does not declare')]);
    expect(contract.drift({ ...answer, status: 200, text: JSON.stringify(agent) })).toEqual([expect.stringContaining('does not match its schema')]);
    expect(contract.drift({ ...answer, status: 200, headers: { 'content-type': 'application/json' }, text: '{}' })).toEqual(
      expect.arrayContaining([expect.stringContaining('ETag')]),
    );
    const blocked = { type: 'urn:agent-ledger:problem:task-blocked', title: 'Task blocked', status: 409, detail: 'x', code: 'TASK_BLOCKED', blockedBy: [] };
    const conflict = { method: 'DELETE', url: `/api/v1/agents/${agent.id}`, status: 409, headers: { 'content-type': 'application/problem+json' } };
    expect(contract.drift({ ...conflict, text: JSON.stringify(blocked) })).toEqual([expect.stringContaining('does not match its schema')]);
    expect(contract.drift({ method: 'GET', url: '/api/v1/nowhere', status: 200, headers: {}, text: '' })).toEqual([expect.stringContaining('no operation')]);
    expect(() => contract.check({ ...answer, status: 418, text: '{}' })).toThrow(/drifted from the OpenAPI document/);
  });

  it('agents: register, by key, read, change, heartbeat, metrics, delete; and the answers every route shares', async () => {
    const agent = await created(await post('/api/v1/agents', makeAgent({ key: `agent-${randomUUID().slice(0, 8)}` })));
    expectProblem(await post('/api/v1/agents', makeAgent({ key: agent.key as string })), 409, 'AGENT_KEY_TAKEN');
    await post('/api/v1/agents/bulk', { items: [makeAgent(), makeAgent()] }).expect(201);
    expectProblem(await post('/api/v1/agents/bulk', { items: [makeAgent({ key: 'twice' }), makeAgent({ key: 'twice' })] }), 409, 'AGENT_KEY_TAKEN');
    await get('/api/v1/agents?status=idle').expect(200);
    expectProblem(await get('/api/v1/agents?status=asleep'), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/api/v1/agents?cursor=not-a-cursor'), 400, 'BAD_REQUEST');
    await get('/api/v1/agents/counts').expect(200);

    const key = `sena-${randomUUID().slice(0, 8)}`;
    const byKey = await created(await api.put(`/api/v1/agents/by-key/${key}`).set(auth).send({ name: 'Sena', role: 'analyst' }));
    const again = await api.put(`/api/v1/agents/by-key/${key}`).set(auth).send({ role: 'lead' }).expect(200);
    expect(again.headers.location).toBe(`/api/v1/agents/${byKey.id}`);
    expectProblem(await api.put(`/api/v1/agents/by-key/${key}`).set(auth).set(ifMatch(1)).send({ role: 'x' }), 409, 'VERSION_CONFLICT');
    expectProblem(await api.put('/api/v1/agents/by-key/nobody-yet').set(auth).set(ifMatch(1)).send({ role: 'x' }), 404, 'NOT_FOUND');
    await get(`/api/v1/agents/by-key/${key}`).expect(200);
    expectProblem(await get('/api/v1/agents/by-key/nobody-here'), 404, 'NOT_FOUND');

    await get(`/api/v1/agents/${agent.id}`).expect(200);
    expectProblem(await get(`/api/v1/agents/${randomUUID()}`), 404, 'NOT_FOUND');
    expectProblem(await get('/api/v1/agents/not-a-uuid'), 400, 'VALIDATION_FAILED');
    const changed = await patch(`/api/v1/agents/${agent.id}`, { role: 'planner' }, ifMatch(1)).expect(200);
    expect(changed.headers.etag).toBe('"2"');
    const stale = expectProblem(await patch(`/api/v1/agents/${agent.id}`, { role: 'x' }, ifMatch(1)), 409, 'VERSION_CONFLICT');
    expect(stale).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
    expectProblem(await patch(`/api/v1/agents/${agent.id}`, { role: 'x' }), 428, 'PRECONDITION_REQUIRED');
    expectProblem(await patch(`/api/v1/agents/${agent.id}`, { key }, ifMatch(2)), 409, 'AGENT_KEY_TAKEN');
    expectProblem(await patch(`/api/v1/agents/${randomUUID()}`, { role: 'x' }, ifMatch(1)), 404, 'NOT_FOUND');
    await post(`/api/v1/agents/${agent.id}/heartbeat`, { status: 'busy' }).expect(200);
    expectProblem(await post(`/api/v1/agents/${randomUUID()}/heartbeat`, {}), 404, 'NOT_FOUND');
    await get(`/api/v1/agents/${agent.id}/metrics`).expect(200);
    expectProblem(await get(`/api/v1/agents/${randomUUID()}/metrics`), 404, 'NOT_FOUND');
    await get(`/api/v1/agents/${agent.id}/messages?direction=in`).expect(200);
    expectProblem(await get(`/api/v1/agents/${randomUUID()}/messages`), 404, 'NOT_FOUND');
    expectProblem(await remove(`/api/v1/agents/${agent.id}`, ifMatch(1)), 409, 'VERSION_CONFLICT');
    await remove(`/api/v1/agents/${agent.id}`).expect(204);
    expectProblem(await remove(`/api/v1/agents/${agent.id}`), 404, 'NOT_FOUND');

    // What any route behind a key can answer.
    expectProblem(await api.get('/api/v1/agents'), 401, 'UNAUTHENTICATED');
    expectProblem(await api.get('/api/v1/agents').set({ Authorization: 'Bearer al_unknown' }), 401, 'UNAUTHENTICATED');
    expectProblem(await api.post('/api/v1/agents').set(auth).set('Content-Type', 'text/plain').send('name=x'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await post('/api/v1/agents', makeAgent({ description: 'x'.repeat(5000) })), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await api.post('/api/v1/agents').set(auth).set('Content-Type', 'application/json').send('{"name":'), 400, 'BAD_REQUEST');
    const fields = expectProblem(await post('/api/v1/agents', { name: 3 }), 400, 'VALIDATION_FAILED');
    expect(fields.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));

    // Idempotency-Key: the first answer replayed (with its Location), another body refused.
    const idempotencyKey = { 'Idempotency-Key': randomUUID() };
    const body = makeAgent();
    const first = await created(await post('/api/v1/agents', body, idempotencyKey));
    const replay = await post('/api/v1/agents', body, idempotencyKey).expect(201);
    expect(replay.headers).toMatchObject({ 'idempotent-replayed': 'true', location: `/api/v1/agents/${first.id}` });
    expectProblem(await post('/api/v1/agents', makeAgent(), idempotencyKey), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('workflows and tasks: create, list, count, read, change along transitions, dependencies, subtasks, delete', async () => {
    const workflow = await created(await post('/api/v1/workflows', makeWorkflow()));
    await get('/api/v1/workflows?status=pending').expect(200);
    await get(`/api/v1/workflows/${workflow.id}`).expect(200);
    expectProblem(await get(`/api/v1/workflows/${randomUUID()}`), 404, 'NOT_FOUND');
    await patch(`/api/v1/workflows/${workflow.id}`, { status: 'running' }, ifMatch(1)).expect(200);
    const illegal = expectProblem(await patch(`/api/v1/workflows/${workflow.id}`, { status: 'pending' }, ifMatch(2)), 422, 'UNPROCESSABLE');
    expect(illegal).toMatchObject({ from: 'running', to: 'pending' });
    expectProblem(await patch(`/api/v1/workflows/${workflow.id}`, { description: 'x' }), 428, 'PRECONDITION_REQUIRED');

    const first = await created(await post('/api/v1/tasks', makeTask(workflow.id)));
    const second = await created(await post('/api/v1/tasks', makeTask(workflow.id, { dependsOn: [first.id] })));
    const unknown = expectProblem(await post('/api/v1/tasks', makeTask(workflow.id, { agentId: randomUUID() })), 422, 'UNPROCESSABLE');
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'agentId' })]);
    const bulk = await post('/api/v1/tasks/bulk', {
      items: [makeBulkTask(workflow.id, { ref: 'a' }), makeBulkTask(workflow.id, { ref: 'b', dependsOn: ['a'] })],
    }).expect(201);
    expect(bulk.body.items.map((item: { ref: string }) => item.ref)).toEqual(['a', 'b']);
    const cycle = expectProblem(
      await post('/api/v1/tasks/bulk', {
        items: [makeBulkTask(workflow.id, { ref: 'a', dependsOn: ['b'] }), makeBulkTask(workflow.id, { ref: 'b', dependsOn: ['a'] })],
      }),
      422,
      'UNPROCESSABLE',
    );
    expect(cycle.cycle).toHaveLength(3);
    await get(`/api/v1/tasks?workflowId=${workflow.id}`).expect(200);
    await get(`/api/v1/tasks/counts?workflowId=${workflow.id}`).expect(200);
    await get(`/api/v1/workflows/${workflow.id}/tasks?status=pending`).expect(200);
    expectProblem(await get(`/api/v1/workflows/${randomUUID()}/tasks`), 404, 'NOT_FOUND');
    await get(`/api/v1/tasks/${second.id}`).expect(200);
    expectProblem(await get(`/api/v1/tasks/${randomUUID()}`), 404, 'NOT_FOUND');

    const blocked = expectProblem(await patch(`/api/v1/tasks/${second.id}`, { status: 'running' }, ifMatch(1)), 409, 'TASK_BLOCKED');
    expect(blocked.blockedBy).toEqual([first.id]);
    await patch(`/api/v1/tasks/${first.id}`, { status: 'completed', output: { ok: true } }, ifMatch(1)).expect(200);
    expectProblem(await patch(`/api/v1/tasks/${first.id}`, { status: 'running' }, ifMatch(1)), 409, 'VERSION_CONFLICT');
    expectProblem(await patch(`/api/v1/tasks/${first.id}`, { status: 'running' }, ifMatch(2)), 422, 'UNPROCESSABLE');
    expectProblem(await patch(`/api/v1/tasks/${first.id}`, { priority: 2 }), 428, 'PRECONDITION_REQUIRED');

    const subtask = await created(await post(`/api/v1/tasks/${second.id}/subtasks`, makeSubtask()));
    expect(subtask.parentTaskId).toBe(second.id);
    expectProblem(await post(`/api/v1/tasks/${randomUUID()}/subtasks`, makeSubtask()), 404, 'NOT_FOUND');
    await get(`/api/v1/tasks/${second.id}/subtasks`).expect(200);
    expectProblem(await get(`/api/v1/tasks/${randomUUID()}/subtasks`), 404, 'NOT_FOUND');
    await get(`/api/v1/tasks/${second.id}/dependencies`).expect(200);
    expectProblem(await get(`/api/v1/tasks/${randomUUID()}/dependencies`), 404, 'NOT_FOUND');
    const third = await created(await post('/api/v1/tasks', makeTask(workflow.id)));
    await post(`/api/v1/tasks/${third.id}/dependencies`, { dependsOn: [second.id] }).expect(200);
    const loop = expectProblem(await post(`/api/v1/tasks/${second.id}/dependencies`, { dependsOn: [third.id] }), 422, 'UNPROCESSABLE');
    expect(loop.cycle).toEqual([second.id, third.id, second.id]);
    expectProblem(await post(`/api/v1/tasks/${third.id}/dependencies`, { dependsOn: [first.id] }, ifMatch(9)), 409, 'VERSION_CONFLICT');
    expectProblem(await post(`/api/v1/tasks/${randomUUID()}/dependencies`, { dependsOn: [first.id] }), 404, 'NOT_FOUND');
    await get(`/api/v1/tasks/${second.id}/messages`).expect(200);
    expectProblem(await get(`/api/v1/tasks/${randomUUID()}/messages`), 404, 'NOT_FOUND');

    expectProblem(await remove(`/api/v1/tasks/${third.id}`, ifMatch(9)), 409, 'VERSION_CONFLICT');
    await remove(`/api/v1/tasks/${third.id}`).expect(204);
    expectProblem(await remove(`/api/v1/tasks/${third.id}`), 404, 'NOT_FOUND');
    expectProblem(await remove(`/api/v1/workflows/${workflow.id}`, ifMatch(1)), 409, 'VERSION_CONFLICT');
    await remove(`/api/v1/workflows/${workflow.id}`).expect(204);
    expectProblem(await remove(`/api/v1/workflows/${workflow.id}`), 404, 'NOT_FOUND');
  });

  it('messages, health records and system metrics', async () => {
    const from = await created(await post('/api/v1/agents', makeAgent()));
    const to = await created(await post('/api/v1/agents', makeAgent()));
    const message = await created(await post('/api/v1/messages', makeMessage(from.id, to.id)));
    expectProblem(await post('/api/v1/messages', makeMessage(from.id, randomUUID())), 422, 'UNPROCESSABLE');
    await get(`/api/v1/messages/${message.id}`).expect(200);
    expectProblem(await get(`/api/v1/messages/${randomUUID()}`), 404, 'NOT_FOUND');
    await patch(`/api/v1/messages/${message.id}`, { status: 'received' }, ifMatch(1)).expect(200);
    expectProblem(await patch(`/api/v1/messages/${message.id}`, { status: 'sent' }, ifMatch(2)), 422, 'UNPROCESSABLE');
    expectProblem(await patch(`/api/v1/messages/${message.id}`, { status: 'processed' }, ifMatch(1)), 409, 'VERSION_CONFLICT');
    expectProblem(await patch(`/api/v1/messages/${message.id}`, { status: 'processed' }), 428, 'PRECONDITION_REQUIRED');
    await remove(`/api/v1/messages/${message.id}`, ifMatch(2)).expect(204);
    expectProblem(await remove(`/api/v1/messages/${message.id}`), 404, 'NOT_FOUND');

    const record = await created(await post('/api/v1/health-records', makeHealthRecord({ agentId: from.id })));
    expectProblem(await post('/api/v1/health-records', makeHealthRecord({ agentId: randomUUID() })), 422, 'UNPROCESSABLE');
    await get('/api/v1/health-records?component=db').expect(200);
    await get(`/api/v1/health-records/${record.id}`).expect(200);
    expectProblem(await get(`/api/v1/health-records/${randomUUID()}`), 404, 'NOT_FOUND');

    const metric = await created(await post('/api/v1/system-metrics', makeSystemMetric()));
    await get('/api/v1/system-metrics?name=queue.depth').expect(200);
    await get(`/api/v1/system-metrics/${metric.id}`).expect(200);
    expectProblem(await get(`/api/v1/system-metrics/${randomUUID()}`), 404, 'NOT_FOUND');
  });

  it('knowledge: action logs, job results, insights and patterns', async () => {
    const log = await created(await post('/api/v1/action-logs', { actionType: 'tool.search', durationMs: 12.5 }));
    expectProblem(await post('/api/v1/action-logs', { actionType: 'tool.search', agentId: randomUUID() }), 422, 'UNPROCESSABLE');
    await post('/api/v1/action-logs/bulk', { items: [{ actionType: 'tool.read' }] }).expect(201);
    expectProblem(await post('/api/v1/action-logs/bulk', { items: [{ actionType: 'x', agentId: randomUUID() }] }), 422, 'UNPROCESSABLE');
    await get('/api/v1/action-logs?actionType=tool.search').expect(200);
    await get(`/api/v1/action-logs/${log.id}`).expect(200);
    expectProblem(await get(`/api/v1/action-logs/${randomUUID()}`), 404, 'NOT_FOUND');

    const result = await created(await post('/api/v1/job-results', { jobId: 'job-1', metrics: { pages: 3 } }));
    expectProblem(await post('/api/v1/job-results', { jobId: 'job-1', taskId: randomUUID() }), 422, 'UNPROCESSABLE');
    await post('/api/v1/job-results/bulk', { items: [{ jobId: 'job-2' }] }).expect(201);
    expectProblem(await post('/api/v1/job-results/bulk', { items: [{ jobId: 'job-3', agentId: randomUUID() }] }), 422, 'UNPROCESSABLE');
    await get('/api/v1/job-results?jobId=job-1').expect(200);
    await get(`/api/v1/job-results/${result.id}`).expect(200);
    expectProblem(await get(`/api/v1/job-results/${randomUUID()}`), 404, 'NOT_FOUND');

    const insight = await created(
      await post('/api/v1/insights', { summary: 'Batteries age', domain: 'energy', confidence: 0.8, content: 'Cells lose capacity' }),
    );
    await post('/api/v1/insights/bulk', { items: [{ summary: 'More', domain: 'energy', confidence: 0.5, content: 'Running cells' }] }).expect(201);
    await get('/api/v1/insights?domain=energy').expect(200);
    await get('/api/v1/insights/search?q=cells').expect(200);
    await get(`/api/v1/insights/${insight.id}`).expect(200);
    expectProblem(await get(`/api/v1/insights/${randomUUID()}`), 404, 'NOT_FOUND');
    await patch(`/api/v1/insights/${insight.id}`, { confidence: 0.9 }, ifMatch(1)).expect(200);
    expectProblem(await patch(`/api/v1/insights/${insight.id}`, { confidence: 0.1 }, ifMatch(1)), 409, 'VERSION_CONFLICT');
    expectProblem(await patch(`/api/v1/insights/${insight.id}`, { confidence: 0.1 }), 428, 'PRECONDITION_REQUIRED');
    await remove(`/api/v1/insights/${insight.id}`).expect(204);
    expectProblem(await remove(`/api/v1/insights/${insight.id}`), 404, 'NOT_FOUND');

    const pattern = await created(await post('/api/v1/patterns', { trigger: 'summarize market', steps: [{ tool: 'search' }] }));
    const taken = expectProblem(await post('/api/v1/patterns', { trigger: 'summarize market', steps: [] }), 409, 'PATTERN_TRIGGER_TAKEN');
    expect(taken.triggers).toEqual(['summarize market']);
    await post('/api/v1/patterns/bulk', { items: [{ trigger: 'plan trip', steps: [] }] }).expect(201);
    expectProblem(await post('/api/v1/patterns/bulk', { items: [{ trigger: 'plan trip', steps: [] }] }), 409, 'PATTERN_TRIGGER_TAKEN');
    await get('/api/v1/patterns').expect(200);
    await get('/api/v1/patterns/most-used?limit=5').expect(200);
    await get(`/api/v1/patterns/${pattern.id}`).expect(200);
    expectProblem(await get(`/api/v1/patterns/${randomUUID()}`), 404, 'NOT_FOUND');
    await post(`/api/v1/patterns/${pattern.id}/usage`, {}).expect(200);
    expectProblem(await post(`/api/v1/patterns/${randomUUID()}/usage`, {}), 404, 'NOT_FOUND');
    expectProblem(await patch(`/api/v1/patterns/${pattern.id}`, { trigger: 'plan trip' }, ifMatch(1)), 409, 'PATTERN_TRIGGER_TAKEN');
    await patch(`/api/v1/patterns/${pattern.id}`, { steps: [] }, ifMatch(1)).expect(200);
    expectProblem(await patch(`/api/v1/patterns/${pattern.id}`, { steps: [] }), 428, 'PRECONDITION_REQUIRED');
    expectProblem(await remove(`/api/v1/patterns/${pattern.id}`, ifMatch(1)), 409, 'VERSION_CONFLICT');
    await remove(`/api/v1/patterns/${pattern.id}`).expect(204);
  });

  it('integrated objects: import, re-import, bulk, read, summary, delete', async () => {
    const ticket = { platform: 'zendesk', originalId: '48213', objectType: 'ticket', companyId: 'acme', originalData: { status: 'open' } };
    const object = await created(await post('/api/v1/integrated-objects', ticket));
    const reimport = await post('/api/v1/integrated-objects', { ...ticket, originalData: { status: 'solved' } }).expect(200);
    expect(reimport.headers.location).toBe(`/api/v1/integrated-objects/${object.id}`);
    await post('/api/v1/integrated-objects/bulk', { items: [{ ...ticket, originalId: '48214' }] }).expect(201);
    await get('/api/v1/integrated-objects?companyId=acme&objectType=ticket').expect(200);
    await get(`/api/v1/integrated-objects/${object.id}`).expect(200);
    expectProblem(await get(`/api/v1/integrated-objects/${randomUUID()}`), 404, 'NOT_FOUND');
    await patch(`/api/v1/integrated-objects/${object.id}/summary`, { summary: 'Login fixed' }, ifMatch(2)).expect(200);
    expectProblem(await patch(`/api/v1/integrated-objects/${object.id}/summary`, { summary: 'x' }, ifMatch(2)), 409, 'VERSION_CONFLICT');
    expectProblem(await patch(`/api/v1/integrated-objects/${object.id}/summary`, { summary: 'x' }), 428, 'PRECONDITION_REQUIRED');
    expectProblem(await patch(`/api/v1/integrated-objects/${randomUUID()}/summary`, { summary: 'x' }, ifMatch(1)), 404, 'NOT_FOUND');
    expectProblem(await remove(`/api/v1/integrated-objects/${object.id}`, ifMatch(1)), 409, 'VERSION_CONFLICT');
    await remove(`/api/v1/integrated-objects/${object.id}`).expect(204);
    expectProblem(await remove(`/api/v1/integrated-objects/${object.id}`), 404, 'NOT_FOUND');
  });

  it('the outbox: handlers and their result schemas, intake, repeats, conflicts, dead letters, redrive', async () => {
    const handlers = (await get('/api/v1/handlers').expect(200)).body.items as { namespace: string; schema: string; resultSchema: string | null }[];
    for (const handler of handlers) {
      expect(handler.resultSchema, `${handler.namespace}/${handler.schema}`).not.toBeNull();
      expect(contract.document.components.schemas?.[handler.resultSchema!], handler.resultSchema!).toBeDefined();
    }

    const workflow = (await post('/api/v1/workflows', makeWorkflow()).expect(201)).body;
    const task = (await post('/api/v1/tasks', makeTask(workflow.id)).expect(201)).body;
    const result = makeServiceCall({ schema: 'task.result@1', result: { taskId: task.id, status: 'completed', output: { answer: 42 } } });
    const accepted = await post('/api/v1/service-calls', result).expect(202);
    expect(accepted.headers.location).toBe(`/api/v1/service-calls/${accepted.body.id}`);
    expect((await post('/api/v1/service-calls', result).expect(200)).body).toMatchObject({ id: accepted.body.id, outcome: 'duplicate' });
    const conflict = expectProblem(await post('/api/v1/service-calls', { ...result, result: { taskId: task.id, status: 'failed' } }), 409, 'CALL_ID_CONFLICT');
    expect(conflict).toMatchObject({ recordId: accepted.body.id, differs: 'result' });
    const invalid = await post('/api/v1/service-calls', makeServiceCall({ schema: 'task.result@1', result: { taskId: 'nope' } })).expect(202);
    expect(invalid.body.outcome).toBe('dead_lettered');
    await post('/api/v1/service-calls/bulk', { items: [makeServiceCall(), makeServiceCall()] }).expect(202);
    const twice = makeServiceCall();
    expectProblem(await post('/api/v1/service-calls/bulk', { items: [twice, { ...twice, result: makeAgent() }] }), 409, 'CALL_ID_CONFLICT');
    await get('/api/v1/service-calls?status=pending').expect(200);
    await get(`/api/v1/service-calls/${accepted.body.id}`).expect(200);
    expectProblem(await get(`/api/v1/service-calls/${randomUUID()}`), 404, 'NOT_FOUND');
    await get('/api/v1/dead-letters').expect(200);

    await post(`/api/v1/dead-letters/${invalid.body.id}/redrive`, {}).expect(202);
    // As a worker would have left it (this app runs none).
    await suite.t.owner.query(`UPDATE service_call_records SET status = 'persisted', persisted_at = now() WHERE id = $1`, [accepted.body.id]);
    const persisted = expectProblem(await post(`/api/v1/dead-letters/${accepted.body.id}/redrive`, {}), 409, 'NOT_REDRIVABLE');
    expect(persisted.currentStatus).toBe('persisted');
    expectProblem(await post(`/api/v1/dead-letters/${randomUUID()}/redrive`, {}), 404, 'NOT_FOUND');
  });

  it('admin routes: refused to tenant keys, served to admin keys', async () => {
    const admin = { Authorization: `Bearer ${(await suite.t.app.get(ApiKeysService).create(ADMIN_TENANT, 'ops')).key}` };
    expectProblem(await get('/api/v1/admin/dead-letters'), 403, 'FORBIDDEN');
    await api.get(`/api/v1/admin/dead-letters?tenant=${tenant.tenantId}`).set(admin).expect(200);
    await api.post('/api/v1/admin/dead-letters/redrive').set(admin).send({ tenant: tenant.tenantId, dryRun: true }).expect(200);
    expectProblem(
      await api
        .post('/api/v1/admin/dead-letters/redrive')
        .set(admin)
        .send({ ids: [randomUUID()], tenant: tenant.tenantId }),
      400,
      'BAD_REQUEST',
    );
    expectProblem(await post('/api/v1/admin/dead-letters/redrive', { dryRun: true }), 403, 'FORBIDDEN');
  });

  it('events: the feed, and the live stream with its refusals', async () => {
    await post('/api/v1/agents', makeAgent()).expect(201);
    // The feed serves an event once no older transaction can still commit before it.
    await untilFeedCaughtUp(suite.t.owner, tenant.tenantId);
    const page = await get('/api/v1/events?type=agent.*').expect(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    expectProblem(await get('/api/v1/events?after=not-a-cursor'), 400, 'INVALID_CURSOR');
    expectProblem(await get('/api/v1/events?type=Agent!'), 400, 'VALIDATION_FAILED');

    await suite.t.app.listen(0, '127.0.0.1');
    const url = `${await suite.t.app.getUrl()}/api/v1/events/stream`;
    const open = async (headers: Record<string, string> = {}): Promise<SseClient> => {
      const client = await SseClient.open(url, { ...auth, ...headers });
      const text = client.status === 200 ? undefined : JSON.stringify(await client.body());
      contract.check({ method: 'GET', url: '/api/v1/events/stream', status: client.status, headers: client.response.headers, text });
      return client;
    };
    const refused = await open({ 'Last-Event-ID': 'not-a-cursor' });
    expect(refused.status).toBe(400);
    const stream = await open();
    expect(stream.status).toBe(200);
    await stream.waitForMessage('ready');
    // One stream per key here (EVENTS_MAX_STREAMS_PER_KEY=1): a second is refused, with when to come back.
    const second = await open();
    expect(second.status).toBe(429);
    expect(second.response.headers['retry-after']).toBeDefined();
    stream.close();
  });

  it('health probes', async () => {
    await api.get('/health/live').expect(200);
    await api.get('/health/ready').expect(200);
  });

  it('exercised every operation of the document with a success, each answer as documented', () => {
    expect(contract.unexercised().filter((operation) => !(operation in UNCHECKED))).toEqual([]);
  });
});
