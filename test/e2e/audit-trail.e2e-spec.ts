import { randomUUID } from 'node:crypto';
import { apiKeysCommand } from '../../src/cli/api-keys.command';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { loadConfig } from '../../src/config';
import { expectProblem, expectRefusedUnchanged } from '../utils/problems';
import { waitForServiceCall } from '../utils/service-calls';
import { SseClient } from '../utils/sse-client';
import { TestTenant, useTwoTenants } from '../utils/test-app';
import { waitFor } from '../utils/wait';

interface Key extends TestTenant {
  id: string;
}

/**
 * Who acted is recorded twice: the actor, a label the caller chooses (X-Actor-Id, or the key's
 * name), and the id of the API key that authenticated the request, which the caller cannot choose.
 */
describe('the audit trail names the key that acted', () => {
  const suite = useTwoTenants();
  let first: Key;
  let second: Key;

  /** A key of the suite's tenant, with its id. */
  async function keyOf(name: string, options?: { actorOverride?: boolean }): Promise<Key> {
    const created = await suite.t.app.get(ApiKeysService).create(suite.tenant.tenantId, name, undefined, options);
    return { tenantId: created.tenantId, key: created.key, id: created.id, auth: { Authorization: `Bearer ${created.key}` } };
  }
  beforeEach(async () => {
    first = await keyOf('first-key');
    second = await keyOf('second-key');
  });

  const api = () => suite.t.http();
  /**
   * The feed's events of an aggregate, once `count` are there: the feed serves an event once no
   * older transaction is still open (other test files write to the same database meanwhile).
   */
  const eventsOf = (aggregateId: string, count = 1) =>
    waitFor(`${count} event(s) of ${aggregateId} in the feed`, async () => {
      const items = (await api().get(`/api/v1/events?aggregateId=${aggregateId}`).set(first.auth).expect(200)).body.items as Record<string, unknown>[];
      return items.length >= count ? items : undefined;
    });
  const row = async (table: string, id: string) => (await suite.db.query<Record<string, unknown>[]>(`SELECT * FROM ${table} WHERE id = $1`, [id]))[0];

  it('records the key beside the actor on rows, in answers and on every event; X-Actor-Id changes the label only', async () => {
    const created = await api().post('/api/v1/agents').set(first.auth).set('X-Actor-Id', 'planner-7').send({ name: 'n', role: 'r' }).expect(201);
    expect(created.body).toMatchObject({ createdBy: 'planner-7', createdByKeyId: first.id, updatedBy: 'planner-7', updatedByKeyId: first.id });
    const updated = await api()
      .patch(`/api/v1/agents/${created.body.id}`)
      .set(second.auth)
      .set('If-Match', created.headers.etag)
      .send({ description: 'changed' })
      .expect(200);
    expect(updated.body).toMatchObject({ createdBy: 'planner-7', createdByKeyId: first.id, updatedBy: 'second-key', updatedByKeyId: second.id });
    expect(await row('agents', created.body.id)).toMatchObject({ created_by_key_id: first.id, updated_by_key_id: second.id });
    expect(await eventsOf(created.body.id, 2)).toMatchObject([
      { type: 'agent.registered', actorId: 'planner-7', keyId: first.id },
      { type: 'agent.updated', actorId: 'second-key', keyId: second.id },
    ]);
    const stored = await suite.db.query('SELECT key_id FROM domain_events WHERE aggregate_id = $1 ORDER BY id', [created.body.id]);
    expect(stored).toEqual([{ key_id: first.id }, { key_id: second.id }]);
  });

  it('records the key on append-only records (health records, action logs, job results)', async () => {
    for (const [path, table, body] of [
      ['/health-records', 'health_records', { component: 'db', status: 'ok' }],
      ['/action-logs', 'action_logs', { actionType: 'search' }],
      ['/job-results', 'job_results', { jobId: 'job-1' }],
    ] as const) {
      const res = await api().post(`/api/v1${path}`).set(second.auth).send(body).expect(201);
      expect(res.body, path).toMatchObject({ createdBy: 'second-key', createdByKeyId: second.id });
      expect(await row(table, res.body.id)).toMatchObject({ created_by_key_id: second.id });
      expect(await eventsOf(res.body.id)).toMatchObject([{ keyId: second.id }]);
    }
  });

  it('names the key that submitted a service call on the rows and events its handler writes', async () => {
    const call = await api()
      .post('/api/v1/service-calls')
      .set(first.auth)
      .set('X-Actor-Id', 'model-run-9')
      .send({ callId: randomUUID(), namespace: 'core', schema: 'agent.registration@1', result: { name: 'proposed', role: 'r' } })
      .expect(202);
    expect(await row('service_call_records', call.body.id)).toMatchObject({ created_by: 'model-run-9', created_by_key_id: first.id });
    const done = await waitForServiceCall(suite.t, { ...suite.tenant, auth: second.auth }, call.body.id, 'persisted');
    const agentId = done.domainObjects[0].id;
    expect(await row('agents', agentId)).toMatchObject({ created_by: 'model-run-9', created_by_key_id: first.id, updated_by_key_id: first.id });
    expect(await eventsOf(agentId)).toMatchObject([{ type: 'agent.registered', actorId: 'model-run-9', keyId: first.id }]);
    const persisted = await eventsOf(call.body.id, 2);
    expect(persisted.map((event) => [event.type, event.keyId])).toEqual([
      ['persistence.received', first.id],
      ['persistence.persisted', first.id],
    ]);
  });

  it('streams events with the key that made them', async () => {
    await suite.t.app.listen(0, '127.0.0.1');
    const stream = await SseClient.open(`${await suite.t.app.getUrl()}/api/v1/events/stream?type=workflow.*`, first.auth);
    try {
      await stream.waitForMessage('ready');
      await api().post('/api/v1/workflows').set(second.auth).send({ description: 'audited' }).expect(201);
      await stream.waitForEvents(1);
      expect(stream.events[0]).toMatchObject({ type: 'workflow.created', actorId: 'second-key', keyId: second.id });
    } finally {
      stream.close();
    }
  });

  describe('a key created with --no-actor-override', () => {
    /** `npm run cli -- api-keys …` in this process. */
    async function cli(args: string[], flags: Record<string, string | true>): Promise<{ code: number; lines: string[] }> {
      const lines: string[] = [];
      const code = await apiKeysCommand(suite.db, args, flags, (line) => lines.push(line), loadConfig());
      return { code, lines };
    }

    it('acts as its own name only: X-Actor-Id naming anyone else is a 403 that stores nothing', async () => {
      const { code, lines } = await cli(['create'], { tenant: suite.tenant.tenantId, name: 'ci-bot', 'no-actor-override': true });
      expect(code).toBe(0);
      expect(lines[0]).toContain('acting as its name only');
      const key = lines[1].split(': ')[1];
      const auth = { Authorization: `Bearer ${key}` };
      const keyId = /Created API key (\S+)/.exec(lines[0])![1];
      const agents = () => suite.db.query('SELECT created_by, created_by_key_id FROM agents WHERE tenant_id = $1', [suite.tenant.tenantId]);

      const refused = await expectRefusedUnchanged(
        () => api().post('/api/v1/agents').set(auth).set('X-Actor-Id', 'someone-else').send({ name: 'n', role: 'r' }),
        403,
        agents,
      );
      expectProblem(refused, 403, 'FORBIDDEN');
      expect(refused.body.detail).toContain('--no-actor-override');
      // Its own name, or no label, is served.
      await api().post('/api/v1/agents').set(auth).set('X-Actor-Id', 'ci-bot').send({ name: 'n', role: 'r' }).expect(201);
      await api().post('/api/v1/agents').set(auth).send({ name: 'n', role: 'r' }).expect(201);
      expect(await agents()).toEqual([
        { created_by: 'ci-bot', created_by_key_id: keyId },
        { created_by: 'ci-bot', created_by_key_id: keyId },
      ]);
      // Other keys of the tenant keep labelling their actors.
      await api().post('/api/v1/agents').set(first.auth).set('X-Actor-Id', 'someone-else').send({ name: 'n', role: 'r' }).expect(201);

      const listed = await cli(['list'], { tenant: suite.tenant.tenantId });
      const column = (id: string) => listed.lines.find((line) => line.startsWith(id))!.split('\t')[8];
      expect(column(keyId)).toBe('name only');
      expect(column(first.id)).toBe('X-Actor-Id');

      // A rotation keeps the rule.
      const rotated = await cli(['rotate', keyId], {});
      const newKey = rotated.lines[1].split(': ')[1];
      expectProblem(
        await api()
          .get('/api/v1/agents')
          .set({ Authorization: `Bearer ${newKey}` })
          .set('X-Actor-Id', 'someone-else'),
        403,
        'FORBIDDEN',
      );
    });

    it('takes no value', async () => {
      const { code, lines } = await cli(['create'], { tenant: suite.tenant.tenantId, name: 'x', 'no-actor-override': 'yes' });
      expect(code).toBe(2);
      expect(lines.join('\n')).toContain('--no-actor-override takes no value');
    });
  });
});
