import { randomUUID } from 'node:crypto';
import { makeAgent } from '../factories/agent.factory';
import { makeSubtask, makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { statementsDuring } from '../utils/statements';
import { expectFieldErrors, expectProblem, expectRefusedUnchanged, expectUnknownReferences } from '../utils/problems';
import { TestTenant, useTwoTenants } from '../utils/test-app';

describe('agent keys', () => {
  const suite = useTwoTenants();
  const api = () => suite.t.http();
  const put = (tenant: TestTenant, key: string, body: object) =>
    api()
      .put(`/api/v1/agents/by-key/${encodeURIComponent(key)}`)
      .set(tenant.auth)
      .send(body);
  const agentRows = (tenantId = suite.tenant.tenantId) =>
    suite.db.query('SELECT id, key, name, role, version FROM agents WHERE tenant_id = $1 ORDER BY id', [tenantId]);
  const events = (tenantId = suite.tenant.tenantId) =>
    suite.db.query('SELECT type, aggregate_version FROM domain_events WHERE tenant_id = $1 ORDER BY id', [tenantId]);

  it('registers by key once (201), then answers 200: the same body changes nothing, a new one updates', async () => {
    const { tenant } = suite;
    const body = { name: 'Sena', role: 'sena', description: 'analyst' };
    const first = await put(tenant, 'agent_sena', body).expect(201);
    expect(first.body).toMatchObject({ key: 'agent_sena', name: 'Sena', role: 'sena', description: 'analyst', status: 'idle', version: 1 });
    expect(first.headers.location).toBe(`/api/v1/agents/${first.body.id}`);

    const again = await put(tenant, 'agent_sena', body).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe('"1"');
    expect(await events()).toEqual([{ type: 'agent.registered', aggregate_version: 1 }]);

    const changed = await put(tenant, 'agent_sena', { name: 'Sena', role: 'lead' }).expect(200);
    expect(changed.body).toMatchObject({ id: first.body.id, role: 'lead', description: 'analyst', version: 2 });
    expect((await events()).map((e: { type: string }) => e.type)).toEqual(['agent.registered', 'agent.updated']);

    const byKey = await api().get('/api/v1/agents/by-key/agent_sena').set(tenant.auth).expect(200);
    expect(byKey.body).toEqual(changed.body);
    const listed = await api().get('/api/v1/agents?key=agent_sena').set(tenant.auth).expect(200);
    expect(listed.body.items).toEqual([changed.body]);
    expect((await agentRows()).length).toBe(1);
  });

  it('takes keys as letters, digits and _ . : -, NFC-normalised; refuses uuids, spaces and invisible characters', async () => {
    const { tenant } = suite;
    const composed = await put(tenant, 'caf\u00e9:v1.2-x', makeAgent()).expect(201);
    const decomposed = await put(tenant, 'cafe\u0301:v1.2-x', { name: composed.body.name, role: composed.body.role }).expect(200);
    expect(decomposed.body.id).toBe(composed.body.id);
    expect(decomposed.body.key).toBe('caf\u00e9:v1.2-x');

    for (const key of [randomUUID(), 'two words', 'zero\u200bwidth', 'bidi\u202ename', 'slash/key', 'x'.repeat(201)]) {
      if (key.length <= 200) await expectRefusedUnchanged(() => put(tenant, key, makeAgent()), 400, agentRows, ['key']);
      await expectRefusedUnchanged(() => api().post('/api/v1/agents').set(tenant.auth).send(makeAgent({ key })), 400, agentRows, ['key']);
    }
    await expectRefusedUnchanged(() => put(tenant, 'agent_new', { description: 'no name, no role' }), 400, agentRows, ['name', 'role']);
    const dup = await expectRefusedUnchanged(
      () =>
        api()
          .post('/api/v1/agents')
          .set(tenant.auth)
          .send(makeAgent({ key: 'caf\u00e9:v1.2-x' })),
      409,
      agentRows,
    );
    expectProblem(dup, 409, 'AGENT_KEY_TAKEN');
    await expectRefusedUnchanged(
      () =>
        api()
          .post('/api/v1/agents/bulk')
          .set(tenant.auth)
          .send({ items: [makeAgent({ key: 'twin' }), makeAgent({ key: 'twin' })] }),
      409,
      agentRows,
    );
  });

  it('keeps keys per tenant: another tenant’s key is a 404 to read and a separate agent to register', async () => {
    const { tenant, other } = suite;
    const mine = await put(tenant, 'agent_lubit', makeAgent()).expect(201);
    expectProblem(await api().get('/api/v1/agents/by-key/agent_lubit').set(other.auth), 404, 'NOT_FOUND');
    expect((await api().get('/api/v1/agents?key=agent_lubit').set(other.auth).expect(200)).body.items).toEqual([]);
    const theirs = await put(other, 'agent_lubit', makeAgent()).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    await expectRefusedUnchanged(
      () => put(other, 'agent_lubit', { name: 'x' }).set('If-Match', '"7"'),
      409,
      () => agentRows(tenant.tenantId),
    );
  });

  it('guards an update with If-Match: of two writers holding version 1, exactly one wins', async () => {
    const { tenant } = suite;
    await put(tenant, 'agent_race', makeAgent({ role: 'a' })).expect(201);
    const [one, two] = await Promise.all(['b', 'c'].map((role) => put(tenant, 'agent_race', { role }).set('If-Match', '"1"')));
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    expect((await agentRows())[0].version).toBe(2);
    expectProblem(await put(tenant, 'agent_none', makeAgent()).set('If-Match', '"1"'), 404, 'NOT_FOUND');
  });

  it('registers concurrently: one 201, the others 200, one agent', async () => {
    const { tenant } = suite;
    const answers = await Promise.all([1, 2, 3].map(() => put(tenant, 'agent_burst', { name: 'Burst', role: 'r' })));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect((await agentRows()).length).toBe(1);
  });

  it('lets every body name an agent by id or key, and answers with the id', async () => {
    const { tenant } = suite;
    const sena = (await put(tenant, 'agent_sena', { name: 'Sena', role: 'sena' }).expect(201)).body;
    const lubit = (await put(tenant, 'agent_lubit', { name: 'Lubit', role: 'lubit' }).expect(201)).body;
    const workflow = (await api().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body;

    const task = (
      await api()
        .post('/api/v1/tasks')
        .set(tenant.auth)
        .send(makeTask(workflow.id, { agentId: 'agent_sena' }))
        .expect(201)
    ).body;
    expect(task.agentId).toBe(sena.id);
    const bulk = await api()
      .post('/api/v1/tasks/bulk')
      .set(tenant.auth)
      .send({ items: [makeTask(workflow.id, { agentId: 'agent_lubit' }), makeTask(workflow.id, { agentId: sena.id })] })
      .expect(201);
    expect(bulk.body.items.map((item: { agentId: string }) => item.agentId)).toEqual([lubit.id, sena.id]);
    const reassigned = await api().patch(`/api/v1/tasks/${task.id}`).set(tenant.auth).set('If-Match', '"1"').send({ agentId: 'agent_lubit' }).expect(200);
    expect(reassigned.body.agentId).toBe(lubit.id);
    const byKey = await api().get('/api/v1/tasks?agentId=agent_lubit').set(tenant.auth).expect(200);
    expect(byKey.body.items.map((item: { id: string }) => item.id)).toEqual([task.id, bulk.body.items[0].id]);

    const message = await api()
      .post('/api/v1/messages')
      .set(tenant.auth)
      .send({ fromAgentId: 'agent_sena', toAgentId: 'agent_lubit', type: 'task_response', content: {}, taskId: task.id })
      .expect(201);
    expect(message.body).toMatchObject({ fromAgentId: sena.id, toAgentId: lubit.id });

    const health = await api().post('/api/v1/health-records').set(tenant.auth).send({ component: 'agent', status: 'ok', agentId: 'agent_sena' }).expect(201);
    expect(health.body.agentId).toBe(sena.id);
    const log = await api()
      .post('/api/v1/action-logs/bulk')
      .set(tenant.auth)
      .send({ items: [{ actionType: 'tool', agentId: 'agent_sena' }] })
      .expect(201);
    expect(log.body.items[0].agentId).toBe(sena.id);
    const result = await api().post('/api/v1/job-results').set(tenant.auth).send({ jobId: 'j', agentId: 'agent_lubit', taskId: task.id }).expect(201);
    expect(result.body).toMatchObject({ agentId: lubit.id, taskId: task.id });
  });

  describe('answers carry the agent’s key beside its id', () => {
    /** Two agents with keys, one without, and a workflow. */
    async function cast() {
      const { tenant } = suite;
      const sena = (await put(tenant, 'agent_sena', { name: 'Sena', role: 'sena' }).expect(201)).body;
      const lubit = (await put(tenant, 'agent_lubit', { name: 'Lubit', role: 'lubit' }).expect(201)).body;
      const plain = (await api().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body;
      expect(plain.key).toBeNull();
      const workflow = (await api().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body;
      return { sena, lubit, plain, workflow };
    }
    const keyed = (items: { agentId: string | null; agentKey: string | null }[]) => items.map((item) => [item.agentId, item.agentKey]);

    it('tasks: single, bulk, read, list, change, subtasks and dependencies; named by key or by id; null without a key', async () => {
      const { tenant } = suite;
      const { sena, lubit, plain, workflow } = await cast();
      const post = (body: object) => api().post('/api/v1/tasks').set(tenant.auth).send(body).expect(201);

      const byKey = (await post(makeTask(workflow.id, { agentId: 'agent_sena' }))).body;
      const byId = (await post(makeTask(workflow.id, { agentId: sena.id }))).body;
      const keyless = (await post(makeTask(workflow.id, { agentId: plain.id }))).body;
      const unassigned = (await post(makeTask(workflow.id))).body;
      expect(keyed([byKey, byId, keyless, unassigned])).toEqual([
        [sena.id, 'agent_sena'],
        [sena.id, 'agent_sena'],
        [plain.id, null],
        [null, null],
      ]);

      const bulk = await api()
        .post('/api/v1/tasks/bulk')
        .set(tenant.auth)
        .send({
          items: [makeTask(workflow.id, { agentId: 'agent_lubit' }), makeTask(workflow.id, { agentId: sena.id }), makeTask(workflow.id, { agentId: plain.id })],
        })
        .expect(201);
      expect(keyed(bulk.body.items)).toEqual([
        [lubit.id, 'agent_lubit'],
        [sena.id, 'agent_sena'],
        [plain.id, null],
      ]);

      expect((await api().get(`/api/v1/tasks/${byId.id}`).set(tenant.auth).expect(200)).body).toEqual(byId);
      const listed = (await api().get(`/api/v1/tasks?workflowId=${workflow.id}`).set(tenant.auth).expect(200)).body.items;
      expect(listed).toEqual([byKey, byId, keyless, unassigned, ...bulk.body.items.map(({ ref: _ref, ...task }: { ref: unknown }) => task)]);
      expect((await api().get(`/api/v1/workflows/${workflow.id}/tasks`).set(tenant.auth).expect(200)).body.items).toEqual(listed);
      expect(keyed((await api().get('/api/v1/tasks?agentId=agent_lubit').set(tenant.auth).expect(200)).body.items)).toEqual([[lubit.id, 'agent_lubit']]);

      const reassigned = await api().patch(`/api/v1/tasks/${keyless.id}`).set(tenant.auth).set('If-Match', '"1"').send({ agentId: lubit.id }).expect(200);
      expect(keyed([reassigned.body])).toEqual([[lubit.id, 'agent_lubit']]);
      const started = await api().patch(`/api/v1/tasks/${byKey.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'running' }).expect(200);
      expect(keyed([started.body])).toEqual([[sena.id, 'agent_sena']]);

      const subtask = await api()
        .post(`/api/v1/tasks/${byKey.id}/subtasks`)
        .set(tenant.auth)
        .send(makeSubtask({ agentId: 'agent_lubit' }))
        .expect(201);
      expect(keyed([subtask.body])).toEqual([[lubit.id, 'agent_lubit']]);
      expect((await api().get(`/api/v1/tasks/${byKey.id}/subtasks`).set(tenant.auth).expect(200)).body.items).toEqual([subtask.body]);
      const waiting = await api()
        .post(`/api/v1/tasks/${unassigned.id}/dependencies`)
        .set(tenant.auth)
        .send({ dependsOn: [byId.id] })
        .expect(200);
      expect(keyed([waiting.body])).toEqual([[null, null]]);
      expect(keyed((await api().get(`/api/v1/tasks/${unassigned.id}/dependencies`).set(tenant.auth).expect(200)).body.items)).toEqual([
        [sena.id, 'agent_sena'],
      ]);
    });

    it('messages: sent, read, changed and listed, by agent and by task', async () => {
      const { tenant } = suite;
      const { sena, lubit, plain, workflow } = await cast();
      const task = (await api().post('/api/v1/tasks').set(tenant.auth).send(makeTask(workflow.id)).expect(201)).body;
      const send = (body: object) =>
        api()
          .post('/api/v1/messages')
          .set(tenant.auth)
          .send({ type: 'task_request', content: {}, taskId: task.id, ...body })
          .expect(201);
      const pair = (m: { fromAgentId: string; fromAgentKey: string | null; toAgentId: string; toAgentKey: string | null }) => [
        m.fromAgentId,
        m.fromAgentKey,
        m.toAgentId,
        m.toAgentKey,
      ];

      const first = (await send({ fromAgentId: 'agent_sena', toAgentId: lubit.id })).body;
      const second = (await send({ fromAgentId: plain.id, toAgentId: 'agent_sena' })).body;
      expect(pair(first)).toEqual([sena.id, 'agent_sena', lubit.id, 'agent_lubit']);
      expect(pair(second)).toEqual([plain.id, null, sena.id, 'agent_sena']);

      expect((await api().get(`/api/v1/messages/${first.id}`).set(tenant.auth).expect(200)).body).toEqual(first);
      const received = await api().patch(`/api/v1/messages/${second.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'received' }).expect(200);
      expect(pair(received.body)).toEqual([plain.id, null, sena.id, 'agent_sena']);
      const ofSena = (await api().get(`/api/v1/agents/${sena.id}/messages?direction=both`).set(tenant.auth).expect(200)).body.items;
      expect(ofSena).toEqual([first, received.body]);
      expect((await api().get(`/api/v1/tasks/${task.id}/messages`).set(tenant.auth).expect(200)).body.items).toEqual(ofSena);
    });

    it('health records, action logs, job results and agent metrics: single, bulk, read and list', async () => {
      const { tenant } = suite;
      const { sena, lubit, plain } = await cast();

      const health = (await api().post('/api/v1/health-records').set(tenant.auth).send({ component: 'agent', status: 'ok', agentId: sena.id }).expect(201))
        .body;
      const keylessHealth = (
        await api().post('/api/v1/health-records').set(tenant.auth).send({ component: 'agent', status: 'ok', agentId: plain.id }).expect(201)
      ).body;
      expect(keyed([health, keylessHealth])).toEqual([
        [sena.id, 'agent_sena'],
        [plain.id, null],
      ]);
      expect((await api().get(`/api/v1/health-records/${health.id}`).set(tenant.auth).expect(200)).body).toEqual(health);
      expect((await api().get('/api/v1/health-records').set(tenant.auth).expect(200)).body.items).toEqual([health, keylessHealth]);
      expect((await api().get('/api/v1/health-records?agentId=agent_sena').set(tenant.auth).expect(200)).body.items).toEqual([health]);

      for (const [path, item] of [
        ['action-logs', { actionType: 'tool.search' }],
        ['job-results', { jobId: 'job-1' }],
      ] as const) {
        const one = (
          await api()
            .post(`/api/v1/${path}`)
            .set(tenant.auth)
            .send({ ...item, agentId: 'agent_lubit' })
            .expect(201)
        ).body;
        expect(keyed([one])).toEqual([[lubit.id, 'agent_lubit']]);
        const bulk = await api()
          .post(`/api/v1/${path}/bulk`)
          .set(tenant.auth)
          .send({ items: [{ ...item, agentId: 'agent_sena' }, { ...item, agentId: lubit.id }, { ...item, agentId: plain.id }, item] })
          .expect(201);
        expect(keyed(bulk.body.items)).toEqual([
          [sena.id, 'agent_sena'],
          [lubit.id, 'agent_lubit'],
          [plain.id, null],
          [null, null],
        ]);
        expect((await api().get(`/api/v1/${path}/${bulk.body.items[1].id}`).set(tenant.auth).expect(200)).body).toEqual(bulk.body.items[1]);
        expect((await api().get(`/api/v1/${path}`).set(tenant.auth).expect(200)).body.items).toEqual([one, ...bulk.body.items]);
      }

      expect((await api().get(`/api/v1/agents/${sena.id}/metrics`).set(tenant.auth).expect(200)).body).toMatchObject({
        agentId: sena.id,
        agentKey: 'agent_sena',
      });
      expect((await api().get(`/api/v1/agents/${plain.id}/metrics`).set(tenant.auth).expect(200)).body).toMatchObject({ agentId: plain.id, agentKey: null });
    });

    it('costs a create no statement more: the key comes from the reference check; a read asks once for the whole answer', async () => {
      const { tenant } = suite;
      const { sena, workflow } = await cast();
      const task = (await api().post('/api/v1/tasks').set(tenant.auth).send(makeTask(workflow.id)).expect(201)).body;
      const tasks = Array.from({ length: 5 }, () => makeTask(workflow.id, { agentId: sena.id }));
      const writes: [string, object][] = [
        ['/api/v1/tasks', makeTask(workflow.id, { agentId: sena.id })],
        ['/api/v1/tasks/bulk', { items: tasks }],
        ['/api/v1/messages', { fromAgentId: sena.id, toAgentId: 'agent_lubit', type: 't', content: {}, taskId: task.id }],
        ['/api/v1/health-records', { component: 'c', status: 'ok', agentId: sena.id }],
        [
          '/api/v1/action-logs/bulk',
          {
            items: [
              { actionType: 'a', agentId: sena.id },
              { actionType: 'b', agentId: 'agent_lubit' },
            ],
          },
        ],
        ['/api/v1/job-results', { jobId: 'j', agentId: sena.id, taskId: task.id }],
      ];
      const ofAgents = (statements: string[]) => statements.filter((sql) => /\bagents\b/.test(sql));
      for (const [path, body] of writes) {
        let answer: { body: { agentKey?: string; fromAgentKey?: string; items?: { agentKey: string }[] } } | undefined;
        const sent = await statementsDuring(async () => (answer = await api().post(path).set(tenant.auth).send(body).expect(201)));
        expect([path, ofAgents(sent)]).toEqual([path, [expect.stringMatching(/^SELECT id, key FROM agents .*key = ANY/)]]);
        const { agentKey, fromAgentKey, items } = answer!.body;
        expect([path, agentKey ?? fromAgentKey ?? items?.[0].agentKey]).toEqual([path, 'agent_sena']);
      }
      const listed = await statementsDuring(() => api().get(`/api/v1/tasks?workflowId=${workflow.id}`).set(tenant.auth).expect(200));
      expect(ofAgents(listed)).toEqual([expect.stringMatching(/^SELECT id, key FROM agents WHERE tenant_id = \$1 AND id = ANY/)]);
    });

    it('answers with the key the agent has when asked: a new key on the next read, null once the agent is gone', async () => {
      const { tenant } = suite;
      const { sena, lubit, workflow } = await cast();
      const task = (
        await api()
          .post('/api/v1/tasks')
          .set(tenant.auth)
          .send(makeTask(workflow.id, { agentId: 'agent_sena' }))
          .expect(201)
      ).body;
      const message = (
        await api().post('/api/v1/messages').set(tenant.auth).send({ fromAgentId: 'agent_sena', toAgentId: 'agent_lubit', type: 't', content: {} }).expect(201)
      ).body;

      await api().patch(`/api/v1/agents/${sena.id}`).set(tenant.auth).set('If-Match', '"1"').send({ key: 'agent_sena.v2' }).expect(200);
      expect((await api().get(`/api/v1/tasks/${task.id}`).set(tenant.auth).expect(200)).body).toMatchObject({ agentId: sena.id, agentKey: 'agent_sena.v2' });

      await api().delete(`/api/v1/agents/${lubit.id}`).set(tenant.auth).expect(204);
      expect((await api().get(`/api/v1/messages/${message.id}`).set(tenant.auth).expect(200)).body).toMatchObject({
        fromAgentId: sena.id,
        fromAgentKey: 'agent_sena.v2',
        toAgentId: lubit.id,
        toAgentKey: null,
      });
    });
  });

  it('refuses a key the tenant does not have, as one that exists elsewhere: 422 naming each field', async () => {
    const { tenant, other } = suite;
    await put(other, 'agent_foreign', makeAgent()).expect(201);
    const workflow = (await api().post('/api/v1/workflows').set(tenant.auth).send(makeWorkflow()).expect(201)).body;
    const counts = () =>
      suite.db.query('SELECT (SELECT count(*) FROM tasks WHERE tenant_id = $1) AS tasks, (SELECT count(*) FROM messages WHERE tenant_id = $1) AS messages', [
        tenant.tenantId,
      ]);
    for (const key of ['agent_foreign', 'agent_nobody']) {
      expectUnknownReferences(
        await expectRefusedUnchanged(
          () =>
            api()
              .post('/api/v1/tasks')
              .set(tenant.auth)
              .send(makeTask(workflow.id, { agentId: key })),
          422,
          counts,
        ),
        ['agentId'],
      );
      expectUnknownReferences(
        await expectRefusedUnchanged(
          () => api().post('/api/v1/messages').set(tenant.auth).send({ fromAgentId: key, toAgentId: key, type: 't', content: {} }),
          422,
          counts,
        ),
        ['fromAgentId', 'toAgentId'],
      );
    }
    expectFieldErrors(await api().post('/api/v1/health-records').set(tenant.auth).send({ component: 'c', status: 'ok', agentId: 'no such key' }), ['agentId']);
    expect((await api().get('/api/v1/health-records?agentId=agent_foreign').set(tenant.auth).expect(200)).body.items).toEqual([]);
  });

  it('counts agents by status', async () => {
    const { tenant, other } = suite;
    await put(tenant, 'a1', makeAgent()).expect(201);
    await put(tenant, 'a2', makeAgent({ status: 'busy' })).expect(201);
    await put(other, 'a3', makeAgent({ status: 'error' })).expect(201);
    const counts = await api().get('/api/v1/agents/counts').set(tenant.auth).expect(200);
    expect(counts.body).toEqual({ idle: 1, busy: 1, offline: 0, error: 0 });
  });
});
