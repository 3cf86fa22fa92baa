import { useTwoTenants } from '../utils/test-app';

/**
 * The usage flow of the agent-system persistence service our users come from (its README's
 * "기본 사용법", the PersistenceService calls), replayed through the API call for call: agents
 * named by the caller, a task naming its agent by that name, completion in one call with a
 * fractional duration, messages between named agents with the agent's own timestamps.
 */
describe('the agent-system persistence service’s usage, replayed through the API', () => {
  const suite = useTwoTenants();
  const api = () => suite.t.http();

  it('runs from registration to deletion as its README does', async () => {
    const auth = suite.tenant.auth;

    // persistence.register_agent("agent_sena", "Sena", "sena", "분석가"), and the agent it talks to.
    const sena = await api().put('/api/v1/agents/by-key/agent_sena').set(auth).send({ name: 'Sena', role: 'sena', description: '분석가' }).expect(201);
    const lubit = await api().put('/api/v1/agents/by-key/agent_lubit').set(auth).send({ name: 'Lubit', role: 'lubit' }).expect(201);
    // An agent process that restarts registers again: the same agent, unchanged.
    const again = await api().put('/api/v1/agents/by-key/agent_sena').set(auth).send({ name: 'Sena', role: 'sena', description: '분석가' }).expect(200);
    expect(again.body).toEqual(sena.body);

    // wf = persistence.create_workflow(description="데이터 분석", input_data={"problem": "분석 요청"})
    const wf = await api()
      .post('/api/v1/workflows')
      .set(auth)
      .send({ description: '데이터 분석', input: { problem: '분석 요청' } })
      .expect(201);
    const workflowId = wf.body.id;

    // task = persistence.create_task(workflow_id=workflow_id, agent_id="agent_sena", description="분석 수행", priority=10)
    const task = await api().post('/api/v1/tasks').set(auth).send({ workflowId, agentId: 'agent_sena', description: '분석 수행', priority: 10 }).expect(201);
    expect(task.body).toMatchObject({ agentId: sena.body.id, agentKey: 'agent_sena', status: 'pending', priority: 10 });
    const taskId = task.body.id;

    // persistence.update_task_status(task_id=task_id, status="completed", output_data={"result": "분석 완료"}, duration_ms=150.5)
    const done = await api()
      .patch(`/api/v1/tasks/${taskId}`)
      .set(auth)
      .set('If-Match', task.headers.etag)
      .send({ status: 'completed', output: { result: '분석 완료' }, durationMs: 150.5 })
      .expect(200);
    expect(done.body).toMatchObject({ agentKey: 'agent_sena', status: 'completed', output: { result: '분석 완료' }, durationMs: 150.5 });
    expect(done.body.startedAt).toBe(done.body.finishedAt);
    const metrics = await api().get(`/api/v1/agents/${sena.body.id}/metrics`).set(auth).expect(200);
    expect(metrics.body).toMatchObject({ totalTasks: 1, completedTasks: 1, avgDurationMs: 150.5, successRate: 1 });

    // persistence.log_message(from_agent_id="agent_sena", to_agent_id="agent_lubit", message_type="task_response", content={"status": "완료"}, task_id=task_id)
    const message = await api()
      .post('/api/v1/messages')
      .set(auth)
      .send({ fromAgentId: 'agent_sena', toAgentId: 'agent_lubit', type: 'task_response', content: { status: '완료' }, taskId })
      .expect(201);
    expect(message.body).toMatchObject({
      fromAgentId: sena.body.id,
      fromAgentKey: 'agent_sena',
      toAgentId: lubit.body.id,
      toAgentKey: 'agent_lubit',
      taskId,
      status: 'sent',
    });

    // persistence.update_message_status(message_id, status, received_at, processed_at): the agent's own instants.
    const sentAt = new Date(message.body.sentAt).getTime();
    const receivedAt = new Date(sentAt + 20).toISOString();
    const processedAt = new Date(sentAt + 45).toISOString();
    const received = await api()
      .patch(`/api/v1/messages/${message.body.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ status: 'received', receivedAt })
      .expect(200);
    const processed = await api()
      .patch(`/api/v1/messages/${message.body.id}`)
      .set(auth)
      .set('If-Match', received.headers.etag)
      .send({ status: 'processed', processedAt })
      .expect(200);
    expect(processed.body).toMatchObject({ status: 'processed', receivedAt, processedAt });
    const conversation = await api().get(`/api/v1/tasks/${taskId}/messages`).set(auth).expect(200);
    expect(conversation.body.items.map((m: { id: string }) => m.id)).toEqual([message.body.id]);

    // persistence.log_health_check(component, status, message, response_time_ms, agent_id, details)
    const health = await api()
      .post('/api/v1/health-records')
      .set(auth)
      .send({ component: 'agent_sena', status: 'ok', message: '정상', responseTimeMs: 12.75, agentId: 'agent_sena', details: { cpu: 0.4 } })
      .expect(201);
    expect(health.body).toMatchObject({ agentId: sena.body.id, agentKey: 'agent_sena', responseTimeMs: 12.75 });
    const senaHealth = await api().get('/api/v1/health-records?agentId=agent_sena').set(auth).expect(200);
    expect(senaHealth.body.items.map((r: { id: string }) => r.id)).toEqual([health.body.id]);

    // workflow_tasks = persistence.get_workflow_tasks(workflow_id); print(len(workflow_tasks))
    const workflowTasks = await api().get(`/api/v1/workflows/${workflowId}/tasks`).set(auth).expect(200);
    expect(workflowTasks.body.items.map((t: { id: string }) => t.id)).toEqual([taskId]);

    // persistence.get_failed_tasks(): a second task fails in one call.
    const second = await api().post('/api/v1/tasks').set(auth).send({ workflowId, agentId: 'agent_lubit', description: '검증' }).expect(201);
    await api()
      .patch(`/api/v1/tasks/${second.body.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ status: 'failed', error: 'timeout', durationMs: 30000.25 })
      .expect(200);
    const failed = await api().get('/api/v1/tasks?status=failed').set(auth).expect(200);
    expect(failed.body.items.map((t: { id: string }) => t.id)).toEqual([second.body.id]);
    expect((await api().get(`/api/v1/tasks/counts?workflowId=${workflowId}`).set(auth).expect(200)).body).toMatchObject({ completed: 1, failed: 1 });

    // Delete: the workflow with its tasks, then the agents.
    await api().delete(`/api/v1/workflows/${workflowId}`).set(auth).expect(204);
    await api().get(`/api/v1/tasks/${taskId}`).set(auth).expect(404);
    for (const agent of [sena.body, lubit.body]) await api().delete(`/api/v1/agents/${agent.id}`).set(auth).expect(204);
    await api().get('/api/v1/agents/by-key/agent_sena').set(auth).expect(404);
    expect((await api().get('/api/v1/agents/counts').set(auth).expect(200)).body).toEqual({ idle: 0, busy: 0, offline: 0, error: 0 });
  });

  it('refuses reported times that cannot be: in the future, before the message was sent, or with a status that does not stamp them', async () => {
    const auth = suite.tenant.auth;
    const agent = (await api().put('/api/v1/agents/by-key/agent_sena').set(auth).send({ name: 'Sena', role: 'sena' }).expect(201)).body;
    const message = (
      await api().post('/api/v1/messages').set(auth).send({ fromAgentId: agent.id, toAgentId: 'agent_sena', type: 't', content: {} }).expect(201)
    ).body;
    const read = async () => (await api().get(`/api/v1/messages/${message.id}`).set(auth).expect(200)).body;
    const patch = (body: object) => api().patch(`/api/v1/messages/${message.id}`).set(auth).set('If-Match', '"1"').send(body);
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const before = await read();
    expect((await patch({ status: 'received', receivedAt: inAnHour })).status).toBe(400);
    expect((await patch({ status: 'received', receivedAt: new Date(Date.parse(message.sentAt) - 1000).toISOString() })).status).toBe(422);
    expect((await patch({ status: 'received', processedAt: message.sentAt })).status).toBe(400);
    expect(await read()).toEqual(before);

    const workflow = (await api().post('/api/v1/workflows').set(auth).send({ description: 'w' }).expect(201)).body;
    const task = (await api().post('/api/v1/tasks').set(auth).send({ workflowId: workflow.id, description: 't' }).expect(201)).body;
    const change = (body: object) => api().patch(`/api/v1/tasks/${task.id}`).set(auth).set('If-Match', '"1"').send(body);
    expect((await change({ status: 'completed', startedAt: inAnHour })).status).toBe(400);
    expect((await change({ description: 'd', startedAt: message.sentAt })).status).toBe(422);
    const startedAt = new Date(Date.now() - 2000).toISOString();
    const completed = await change({ status: 'completed', startedAt }).expect(200);
    expect(completed.body.startedAt).toBe(startedAt);
    expect(Date.parse(completed.body.finishedAt)).toBeGreaterThan(Date.parse(startedAt));

    const wf = await api().patch(`/api/v1/workflows/${workflow.id}`).set(auth).set('If-Match', '"1"').send({ status: 'completed', startedAt }).expect(200);
    expect(wf.body).toMatchObject({ status: 'completed', startedAt });
  });

  it('keeps a pending task that waits for others from finishing in one step (409 naming them)', async () => {
    const auth = suite.tenant.auth;
    const workflow = (await api().post('/api/v1/workflows').set(auth).send({ description: 'w' }).expect(201)).body;
    const first = (await api().post('/api/v1/tasks').set(auth).send({ workflowId: workflow.id, description: 'first' }).expect(201)).body;
    const then = (
      await api()
        .post('/api/v1/tasks')
        .set(auth)
        .send({ workflowId: workflow.id, description: 'then', dependsOn: [first.id] })
        .expect(201)
    ).body;
    const blocked = await api().patch(`/api/v1/tasks/${then.id}`).set(auth).set('If-Match', '"1"').send({ status: 'completed' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.blockedBy).toEqual([first.id]);
  });
});
