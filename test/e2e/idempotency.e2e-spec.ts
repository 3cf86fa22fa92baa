import { randomUUID } from 'node:crypto';
import { Body, Controller, Module, Post } from '@nestjs/common';
import type { Response } from 'supertest';
import { Ctx } from '../../src/common/auth/ctx.decorator';
import { RequestContext } from '../../src/common/auth/request-context';
import { ConflictError } from '../../src/common/errors';
import { requestHash } from '../../src/common/http/idempotency-key';
import { IdempotencyClaim } from '../../src/common/persistence/idempotency-claim';
import { IdempotencyKeys } from '../../src/common/persistence/idempotency-keys';
import { UnitOfWork } from '../../src/common/persistence/unit-of-work';
import { AgentsModule } from '../../src/modules/agents/agents.module';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { CreateAgentDto } from '../../src/modules/agents/dto/create-agent.dto';
import { makeAgent } from '../factories/agent.factory';
import { makeHealthRecord } from '../factories/health-record.factory';
import { makeMessage } from '../factories/message.factory';
import { makeServiceCall } from '../factories/service-call.factory';
import { makeSystemMetric } from '../factories/system-metric.factory';
import { makeBulkTask, makeSubtask, makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { expectProblem, expectRefusedUnchanged } from '../utils/problems';
import { TestTenant, useTwoTenants } from '../utils/test-app';

const WAIT_MS = 300;

/** A route that saves, then fails: the client gets an error although something committed. */
@Controller('test-idempotency')
class FailsAfterCommitController {
  constructor(private readonly agents: AgentsService) {}

  @Post('agents')
  async register(@Ctx() ctx: RequestContext, @Body() body: CreateAgentDto): Promise<never> {
    await this.agents.register(ctx, body);
    throw new ConflictError('The agent was saved, then something failed');
  }
}

@Module({ imports: [AgentsModule], controllers: [FailsAfterCommitController] })
class FailsAfterCommitModule {}

describe('Idempotency-Key on POST routes', () => {
  // API role: no worker in this process changes what the tests compare (intake stays pending).
  const suite = useTwoTenants({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent', APP_ROLE: 'api', IDEMPOTENCY_WAIT_MS: String(WAIT_MS) }, [
    FailsAfterCommitModule,
  ]);

  const post = (path: string, body: unknown, key?: string, owner: TestTenant = suite.tenant) => {
    const request = suite.t.http().post(`/api/v1${path}`).set(owner.auth);
    return (key === undefined ? request : request.set('Idempotency-Key', key)).send(body as object);
  };
  const created = async (path: string, body: unknown, owner: TestTenant = suite.tenant) => (await post(path, body, undefined, owner).expect(201)).body;
  const count = async (table: string, owner: TestTenant = suite.tenant) =>
    (await suite.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [owner.tenantId]))[0].n as number;
  const keyRows = async (owner: TestTenant = suite.tenant) =>
    suite.db.query<{ key: string; response_status: number | null }[]>(`SELECT key, response_status FROM idempotency_keys WHERE tenant_id = $1 ORDER BY key`, [
      owner.tenantId,
    ]);

  /** Every row of the tenant's tables, digested: equal snapshots mean nothing changed. */
  const snapshot = async (owner: TestTenant = suite.tenant) => {
    const tables: { table_name: string }[] = await suite.db.query(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'
       AND table_name NOT IN ('api_keys', 'idempotency_keys') ORDER BY 1`,
    );
    const digests: Record<string, string> = {};
    for (const { table_name: table } of tables) {
      const [row] = await suite.db.query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS d FROM "${table}" t WHERE tenant_id = $1`, [
        owner.tenantId,
      ]);
      digests[table] = row.d;
    }
    return digests;
  };

  const expectReplayOf = (first: Response, repeat: Response) => {
    expect(repeat.status).toBe(first.status);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.etag).toBe(first.headers.etag);
    expect(repeat.headers.location).toBe(first.headers.location);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  };

  it('replays a create: same status, body and ETag, marked Idempotent-Replayed, and one agent', async () => {
    const key = randomUUID();
    const body = makeAgent({ metadata: { model: 'm1', tier: 2 } });
    const first = await post('/agents', body, key).expect(201);
    expect(first.headers.etag).toBe('"1"');
    // The same body with its members in another order is the same request.
    const reordered = Object.fromEntries(Object.entries({ ...body, metadata: { tier: 2, model: 'm1' } }).reverse());
    const repeat = await post('/agents', reordered, key);
    expectReplayOf(first, repeat);
    expect(await count('agents')).toBe(1);
    expect(await count('domain_events')).toBe(1);
    expect(await keyRows()).toEqual([{ key, response_status: 201 }]);
  });

  it('refuses the key with another body or on another route (422 IDEMPOTENCY_KEY_REUSED), changing nothing', async () => {
    const key = randomUUID();
    await post('/agents', makeAgent({ name: 'first' }), key).expect(201);
    const state = () => Promise.all([snapshot(), keyRows()]);
    const reused = await expectRefusedUnchanged(() => post('/agents', makeAgent({ name: 'second' }), key), 422, state);
    expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await expectRefusedUnchanged(() => post('/workflows', makeWorkflow(), key), 422, state), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await count('agents')).toBe(1);
  });

  it('makes one agent out of 20 concurrent requests with one key: the others replay it or get 409', async () => {
    const key = randomUUID();
    const body = makeAgent();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post('/agents', body, key)));
    const answered = responses.filter((res) => res.status === 201);
    const busy = responses.filter((res) => res.status === 409);
    expect(answered.length + busy.length).toBe(20);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(new Set(answered.map((res) => res.body.id)).size).toBe(1);
    expect(answered.filter((res) => res.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const res of busy) {
      expectProblem(res, 409, 'IDEMPOTENCY_KEY_IN_USE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await count('agents')).toBe(1);
    expect(await count('domain_events')).toBe(1);
  });

  it('keeps keys per tenant: one key in two tenants makes two agents', async () => {
    const key = randomUUID();
    const body = makeAgent();
    const mine = await post('/agents', body, key).expect(201);
    const theirs = await post('/agents', body, key, suite.other).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect([await count('agents'), await count('agents', suite.other)]).toEqual([1, 1]);
  });

  it('replays the outbox intake with its status, Location and record, and keeps one record', async () => {
    const key = randomUUID();
    const body = makeServiceCall();
    const first = await post('/service-calls', body, key).expect(202);
    expect(first.headers.location).toBe(`/api/v1/service-calls/${first.body.id}`);
    expectReplayOf(first, await post('/service-calls', body, key));
    expect(await count('service_call_records')).toBe(1);
  });

  it('replays a bulk create and keeps its rows once', async () => {
    const key = randomUUID();
    const body = { items: [makeAgent(), makeAgent(), makeAgent()] };
    const first = await post('/agents/bulk', body, key).expect(201);
    expectReplayOf(first, await post('/agents/bulk', body, key));
    expect(await count('agents')).toBe(3);
  });

  describe('a request that changed nothing leaves no key: the corrected request may use it', () => {
    it('after a 400', async () => {
      const key = randomUUID();
      expectProblem(await post('/agents', { name: 7 }, key), 400, 'VALIDATION_FAILED');
      expect(await keyRows()).toEqual([]);
      const fixed = await post('/agents', makeAgent(), key).expect(201);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    });

    it('after a 422 whose transaction had inserted the key and rolled back', async () => {
      const workflow = await created('/workflows', makeWorkflow());
      const a = await created('/tasks', makeTask(workflow.id));
      const b = await created('/tasks', makeTask(workflow.id, { dependsOn: [a.id] }));
      const key = randomUUID();
      // a → b would close the cycle a → b → a: refused inside the transaction that claimed the key.
      expectProblem(await post(`/tasks/${a.id}/dependencies`, { dependsOn: [b.id] }, key), 422, 'UNPROCESSABLE');
      expect(await keyRows()).toEqual([]);
      const c = await created('/tasks', makeTask(workflow.id));
      const fixed = await post(`/tasks/${a.id}/dependencies`, { dependsOn: [c.id] }, key).expect(200);
      expect(fixed.body.dependsOn).toEqual([c.id]);
      expect(await keyRows()).toEqual([{ key, response_status: 200 }]);
    });
  });

  it('keeps the error answered by a request that had committed something, and replays it', async () => {
    const key = randomUUID();
    const body = makeAgent();
    const first = await post('/test-idempotency/agents', body, key);
    expectProblem(first, 409, 'CONFLICT');
    expect(await keyRows()).toEqual([{ key, response_status: 409 }]);
    const repeat = await post('/test-idempotency/agents', body, key);
    expect(repeat.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectReplayOf(first, repeat);
    expect(await count('agents')).toBe(1);
  });

  describe('the key commits with its effect, or not at all', () => {
    const contextOf = (owner: TestTenant): RequestContext => ({ tenantId: owner.tenantId, actorId: 'test-key', keyId: null, correlationId: null });
    const claimFor = (owner: TestTenant, key: string, body: unknown) =>
      new IdempotencyClaim(owner.tenantId, key, requestHash('POST', '/api/v1/agents', body), 'POST', '/api/v1/agents', 60_000);

    it('a transaction that dies before COMMIT (its connection killed) leaves neither the key nor the agent', async () => {
      const body = makeAgent();
      const claim = claimFor(suite.tenant, randomUUID(), body);
      const unitOfWork = suite.t.app.get(UnitOfWork);
      const agents = suite.t.app.get(AgentsService);
      const crash = IdempotencyClaim.run(claim, () =>
        unitOfWork.run(contextOf(suite.tenant), async (tx) => {
          await agents.registerIn(tx, body);
          const [{ pid }] = await tx.manager.query('SELECT pg_backend_pid() AS pid');
          await suite.db.query('SELECT pg_terminate_backend($1)', [pid]);
        }),
      );
      await expect(crash).rejects.toThrow();
      expect(claim.claimed).toBe(false);
      expect([await count('agents'), await keyRows()]).toEqual([0, []]);
    });

    it('a committed effect has its key; if its answer was never stored (a crash right after COMMIT), a repeat gets 409 and no second agent', async () => {
      const body = makeAgent();
      const key = randomUUID();
      const claim = claimFor(suite.tenant, key, body);
      await IdempotencyClaim.run(claim, () => suite.t.app.get(AgentsService).register(contextOf(suite.tenant), body));
      expect(claim.claimed).toBe(true);
      expect([await count('agents'), await keyRows()]).toEqual([1, [{ key, response_status: null }]]);

      const repeat = await post('/agents', body, key);
      expectProblem(repeat, 409, 'IDEMPOTENCY_KEY_IN_USE');
      expect(repeat.headers['retry-after']).toBe('1');
      expect(await count('agents')).toBe(1);
    });
  });

  it('forgets a key once it expired (kept IDEMPOTENCY_TTL, 24 h by default), and purges expired keys', async () => {
    const key = randomUUID();
    const body = makeAgent();
    const first = await post('/agents', body, key).expect(201);
    const [{ ttl }] = await suite.db.query(`SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM idempotency_keys WHERE tenant_id = $1`, [
      suite.tenant.tenantId,
    ]);
    expect(ttl).toBe(24 * 3600);

    await suite.db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [suite.tenant.tenantId]);
    const later = await post('/agents', body, key).expect(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.body.id).not.toBe(first.body.id);
    expect(await count('agents')).toBe(2);

    await suite.db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [suite.tenant.tenantId]);
    expect(await suite.t.app.get(IdempotencyKeys).purgeExpired(10_000)).toBeGreaterThanOrEqual(1);
    expect(await keyRows()).toEqual([]);
  });

  it('refuses a key over 255 characters or with control characters (400), and accepts 255 printable ones', async () => {
    for (const key of ['k'.repeat(256), 'tab\there']) {
      expectProblem(await expectRefusedUnchanged(() => post('/agents', makeAgent(), key), 400, snapshot), 400, 'BAD_REQUEST');
    }
    await post('/agents', makeAgent(), 'k'.repeat(255)).expect(201);
  });

  it('is ignored by routes that are not POST', async () => {
    const agent = await created('/agents', makeAgent());
    const key = 'x'.repeat(300); // not even a valid key
    await suite.t.http().get(`/api/v1/agents/${agent.id}`).set(suite.tenant.auth).set('Idempotency-Key', key).expect(200);
    const patch = (version: number, description: string) =>
      suite.t
        .http()
        .patch(`/api/v1/agents/${agent.id}`)
        .set(suite.tenant.auth)
        .set('Idempotency-Key', 'same')
        .set('If-Match', `"${version}"`)
        .send({ description });
    await patch(1, 'one').expect(200);
    expect((await patch(2, 'two').expect(200)).body).toMatchObject({ description: 'two', version: 3 });
  });

  it('is documented on every POST operation of the OpenAPI document, with its 409 and 422, and on no other', async () => {
    const document = (await suite.t.http().get('/docs-json').expect(200)).body;
    const operations = Object.values(
      document.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>,
    ).flatMap((path) => Object.entries(path).map(([method, operation]) => ({ method, operation })));
    const hasKey = (operation: { parameters?: { name: string; in: string }[] }) =>
      (operation.parameters ?? []).some((parameter) => parameter.name === 'Idempotency-Key' && parameter.in === 'header');
    const posts = operations.filter(({ method }) => method === 'post');
    expect(posts.length).toBeGreaterThanOrEqual(20);
    for (const { operation } of posts) {
      expect(hasKey(operation)).toBe(true);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
    expect(operations.filter(({ method, operation }) => method !== 'post' && hasKey(operation))).toEqual([]);
  });

  describe('every POST route replays its first answer and changes nothing the second time', () => {
    type Route = { path: string; body: unknown; status: number };
    const agent = () => created('/agents', makeAgent());
    const workflow = () => created('/workflows', makeWorkflow());
    const task = async () => created('/tasks', makeTask((await workflow()).id));
    const pattern = () => created('/patterns', { trigger: `t-${randomUUID()}`, steps: [] });
    const ticket = () => ({
      platform: 'zendesk',
      originalId: `ticket-${randomUUID()}`,
      objectType: 'ticket',
      companyId: 'acme',
      originalData: { subject: 'x' },
    });
    const ROUTES: Record<string, () => Promise<Route>> = {
      'POST /agents/:id/heartbeat': async () => ({ path: `/agents/${(await agent()).id}/heartbeat`, body: { status: 'busy' }, status: 200 }),
      'POST /workflows': async () => ({ path: '/workflows', body: makeWorkflow(), status: 201 }),
      'POST /tasks': async () => ({ path: '/tasks', body: makeTask((await workflow()).id), status: 201 }),
      'POST /tasks/bulk': async () => {
        const { id } = await workflow();
        return { path: '/tasks/bulk', body: { items: [makeBulkTask(id, { ref: 'a' }), makeBulkTask(id, { dependsOn: ['a'] })] }, status: 201 };
      },
      'POST /tasks/:id/subtasks': async () => ({ path: `/tasks/${(await task()).id}/subtasks`, body: makeSubtask(), status: 201 }),
      'POST /tasks/:id/dependencies': async () => {
        const { id, workflowId } = await task();
        const other = await created('/tasks', makeTask(workflowId));
        return { path: `/tasks/${id}/dependencies`, body: { dependsOn: [other.id] }, status: 200 };
      },
      'POST /messages': async () => ({ path: '/messages', body: makeMessage((await agent()).id, (await agent()).id), status: 201 }),
      'POST /health-records': async () => ({ path: '/health-records', body: makeHealthRecord(), status: 201 }),
      'POST /system-metrics': async () => ({ path: '/system-metrics', body: makeSystemMetric(), status: 201 }),
      'POST /dead-letters/:id/redrive': async () => {
        const record = (await post('/service-calls', makeServiceCall()).expect(202)).body;
        await suite.db.query(`UPDATE service_call_records SET status = 'dead_lettered', attempts = 3 WHERE id = $1`, [record.id]);
        return { path: `/dead-letters/${record.id}/redrive`, body: {}, status: 202 };
      },
      'POST /service-calls/bulk': async () => ({ path: '/service-calls/bulk', body: { items: [makeServiceCall(), makeServiceCall()] }, status: 202 }),
      'POST /integrated-objects': async () => ({ path: '/integrated-objects', body: ticket(), status: 201 }),
      'POST /integrated-objects/bulk': async () => ({ path: '/integrated-objects/bulk', body: { items: [ticket(), ticket()] }, status: 201 }),
      'POST /job-results': async () => ({ path: '/job-results', body: { jobId: 'job-1', status: 'completed' }, status: 201 }),
      'POST /job-results/bulk': async () => ({ path: '/job-results/bulk', body: { items: [{ jobId: 'a' }, { jobId: 'b' }] }, status: 201 }),
      'POST /action-logs': async () => ({ path: '/action-logs', body: { actionType: 'tool.search' }, status: 201 }),
      'POST /action-logs/bulk': async () => ({ path: '/action-logs/bulk', body: { items: [{ actionType: 'a' }, { actionType: 'b' }] }, status: 201 }),
      'POST /patterns': async () => ({ path: '/patterns', body: { trigger: `t-${randomUUID()}`, steps: ['search'] }, status: 201 }),
      'POST /patterns/bulk': async () => ({ path: '/patterns/bulk', body: { items: [{ trigger: `a-${randomUUID()}`, steps: [] }] }, status: 201 }),
      'POST /patterns/:id/usage': async () => ({ path: `/patterns/${(await pattern()).id}/usage`, body: {}, status: 200 }),
      'POST /insights': async () => ({ path: '/insights', body: { summary: 'A finding', domain: 'ops', confidence: 0.5, content: 'x' }, status: 201 }),
      'POST /insights/bulk': async () => ({
        path: '/insights/bulk',
        body: { items: [{ summary: 'A', domain: 'ops', confidence: 0.1, content: 'y' }] },
        status: 201,
      }),
    };

    it.each(Object.keys(ROUTES))('%s', async (name) => {
      const route = await ROUTES[name]();
      const key = randomUUID();
      const before = await snapshot();
      const first = await post(route.path, route.body, key);
      expect(first.status).toBe(route.status);
      const after = await snapshot();
      expect(after).not.toEqual(before);
      expectReplayOf(first, await post(route.path, route.body, key));
      expect(await snapshot()).toEqual(after);
    });
  });
});
