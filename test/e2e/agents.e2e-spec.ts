import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { makeAgent } from '../factories/agent.factory';
import { untilFeedCaughtUp } from '../utils/event-feed';

describe('agents API', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  it('registers an agent and reads it back with its version as ETag', async () => {
    const body = makeAgent({ name: 'planner', role: 'planner', metadata: { model: 'm1' } });
    const created = await t.http().post('/api/v1/agents').set(tenant.auth).send(body).expect(201);
    expect(created.body).toMatchObject({ name: 'planner', role: 'planner', status: 'idle', version: 1, metadata: { model: 'm1' } });
    expect(created.headers.etag).toBe('"1"');
    expect(created.body.createdBy).toBe('test-key');

    const read = await t.http().get(`/api/v1/agents/${created.body.id}`).set(tenant.auth).expect(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe('"1"');
  });

  it('lists with filters and cursor pagination, in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const role = i % 2 === 0 ? 'coder' : 'critic';
      const res = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({ role })).expect(201);
      ids.push(res.body.id);
    }
    const first = await t.http().get('/api/v1/agents?limit=2').set(tenant.auth).expect(200);
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual(ids.slice(0, 2));
    const second = await t.http().get(`/api/v1/agents?limit=2&cursor=${first.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(second.body.items.map((a: { id: string }) => a.id)).toEqual(ids.slice(2, 4));
    const third = await t.http().get(`/api/v1/agents?limit=2&cursor=${second.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(third.body.items.map((a: { id: string }) => a.id)).toEqual(ids.slice(4));
    expect(third.body.nextCursor).toBeNull();

    const coders = await t.http().get('/api/v1/agents?role=coder').set(tenant.auth).expect(200);
    expect(coders.body.items.map((a: { id: string }) => a.id)).toEqual([ids[0], ids[2], ids[4]]);
    await t.http().patch(`/api/v1/agents/${ids[1]}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'busy' }).expect(200);
    const busy = await t.http().get('/api/v1/agents?status=busy').set(tenant.auth).expect(200);
    expect(busy.body.items.map((a: { id: string }) => a.id)).toEqual([ids[1]]);
  });

  it('patches with If-Match or body version, and refuses stale or missing versions', async () => {
    const { body: agent } = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);

    const patched = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ description: 'v2' }).expect(200);
    expect(patched.body).toMatchObject({ description: 'v2', version: 2 });
    expect(patched.headers.etag).toBe('"2"');

    const viaBody = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).send({ version: 2, role: 'critic' }).expect(200);
    expect(viaBody.body).toMatchObject({ role: 'critic', description: 'v2', version: 3 });

    const stale = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ description: 'lost?' }).expect(409);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', status: 409, currentVersion: 3 });

    const blind = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).send({ description: 'blind' }).expect(428);
    expect(blind.body.code).toBe('PRECONDITION_REQUIRED');

    const final = await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(200);
    expect(final.body).toMatchObject({ description: 'v2', role: 'critic', version: 3 });
  });

  it('records a heartbeat without moving the version, unless the status changes', async () => {
    const { body: agent } = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    const beat = await t.http().post(`/api/v1/agents/${agent.id}/heartbeat`).set(tenant.auth).expect(200);
    expect(beat.body.version).toBe(1);
    expect(Date.parse(beat.body.lastHeartbeatAt)).toBeGreaterThan(Date.now() - 60_000);

    const busy = await t.http().post(`/api/v1/agents/${agent.id}/heartbeat`).set(tenant.auth).send({ status: 'busy' }).expect(200);
    expect(busy.body).toMatchObject({ status: 'busy', version: 2 });

    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get(`/api/v1/events?aggregateId=${agent.id}`).set(tenant.auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['agent.registered', 'agent.status_changed']);
    expect(events.body.items[1].payload).toEqual({ agentId: agent.id, from: 'idle', to: 'busy' });
  });

  it('deletes an agent, guarded by If-Match when given', async () => {
    const { body: agent } = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    const conflict = await t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"7"').expect(409);
    expect(conflict.body.currentVersion).toBe(1);
    await t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').expect(204);
    await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(404);
    await t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(404);
  });

  it('bulk-registers up to 1000 agents in one transaction, all or none', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => makeAgent({ name: `bulk-${i}` }));
    const created = await t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items }).expect(201);
    expect(created.body.items).toHaveLength(1000);
    expect(created.body.items[999].name).toBe('bulk-999');

    const bad = [...items.slice(0, 10), { name: 'no-role' }];
    const rejected = await t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items: bad }).expect(400);
    expect(rejected.body.errors).toContainEqual(expect.objectContaining({ field: 'items.10.role' }));

    await t
      .http()
      .post('/api/v1/agents/bulk')
      .set(tenant.auth)
      .send({ items: [...items, makeAgent()] })
      .expect(400);

    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { items: unknown[]; nextCursor: string | null } } = await t
        .http()
        .get(`/api/v1/agents?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
        .set(tenant.auth)
        .expect(200);
      count += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(count).toBe(1000);
  });

  it('writes the audit trail: registered, updated, status_changed, deleted, with actor and correlation id', async () => {
    const { body: agent } = await t
      .http()
      .post('/api/v1/agents')
      .set(tenant.auth)
      .set('X-Actor-Id', 'planner-7')
      .set('X-Request-Id', 'corr-123')
      .send(makeAgent())
      .expect(201);
    await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'offline' }).expect(200);
    await t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(204);

    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const all = await t.http().get(`/api/v1/events?aggregateId=${agent.id}`).set(tenant.auth).expect(200);
    expect(all.body.items.map((e: { type: string }) => e.type)).toEqual(['agent.registered', 'agent.updated', 'agent.status_changed', 'agent.deleted']);
    expect(all.body.items[0]).toMatchObject({ actorId: 'planner-7', correlationId: 'corr-123', aggregateVersion: 1, tenantId: tenant.tenantId });
    expect(all.body.items[1].payload).toEqual({ agentId: agent.id, changed: ['status'] });

    const wildcard = await t.http().get('/api/v1/events?type=agent.*').set(tenant.auth).expect(200);
    expect(wildcard.body.items).toHaveLength(4);
    const exact = await t.http().get('/api/v1/events?type=agent.deleted').set(tenant.auth).expect(200);
    expect(exact.body.items).toHaveLength(1);
    const none = await t.http().get('/api/v1/events?type=task.*').set(tenant.auth).expect(200);
    expect(none.body.items).toHaveLength(0);

    const page = await t.http().get('/api/v1/events?limit=3').set(tenant.auth).expect(200);
    expect(page.body.items).toHaveLength(3);
    const rest = await t.http().get(`/api/v1/events?after=${page.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(rest.body.items.map((e: { type: string }) => e.type)).toEqual(['agent.deleted']);
    expect(rest.body.nextCursor).toBe(rest.body.items[0].id);
    // At the head the cursor stays put: asking again gives nothing, and the same cursor.
    const head = await t.http().get(`/api/v1/events?after=${rest.body.nextCursor}`).set(tenant.auth).expect(200);
    expect(head.body).toEqual({ items: [], nextCursor: rest.body.nextCursor });
  });
});
