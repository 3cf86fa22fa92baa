import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { makeAgent } from '../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { untilFeedCaughtUp } from '../utils/event-feed';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';

function expectUnauthenticated(res: Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', type: 'urn:agent-ledger:problem:unauthenticated' });
  expect(res.body.detail).toEqual(expect.any(String));
  expect(res.body.correlationId).toBe(res.headers['x-request-id']);
}

describe('authentication', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  async function agentCount(tenantId: string): Promise<number> {
    const [row] = await t.owner.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [tenantId]);
    return row.n;
  }

  it('refuses a call without a key with 401 UNAUTHENTICATED and a WWW-Authenticate challenge', async () => {
    expectUnauthenticated(await t.http().get('/api/v1/agents'));
    expectUnauthenticated(await t.http().get('/api/v1/events'));
    expectUnauthenticated(await t.http().post('/api/v1/agents').send(makeAgent()));
    expectUnauthenticated(await t.http().get('/api/v1/agents').set('Authorization', 'Basic dXNlcjpwYXNz'));
    expectUnauthenticated(await t.http().get('/api/v1/agents').set('Authorization', 'Bearer '));
  });

  it('refuses an unknown key, however it is presented', async () => {
    const unknown = 'alk_' + 'A'.repeat(32);
    expectUnauthenticated(await t.http().get('/api/v1/agents').set('Authorization', `Bearer ${unknown}`));
    expectUnauthenticated(await t.http().get('/api/v1/agents').set('X-API-Key', unknown));
    expectUnauthenticated(await t.http().get('/api/v1/agents').set('Authorization', 'Bearer not-even-our-format'));
    // A key of another tenant with one character changed is just as unknown.
    const tampered = tenant.key.slice(0, -1) + (tenant.key.endsWith('A') ? 'B' : 'A');
    expectUnauthenticated(await t.http().post('/api/v1/agents').set('Authorization', `Bearer ${tampered}`).send(makeAgent()));
    expect(await agentCount(tenant.tenantId)).toBe(0);
  });

  it('takes the key in X-API-Key exactly as in Authorization: Bearer', async () => {
    const created = await t.http().post('/api/v1/agents').set('X-API-Key', tenant.key).send(makeAgent()).expect(201);
    expect(created.body.createdBy).toBe('test-key');
    const read = await t.http().get(`/api/v1/agents/${created.body.id}`).set(tenant.auth).expect(200);
    expect(read.body).toEqual(created.body);
    const list = await t.http().get('/api/v1/agents').set('X-API-Key', tenant.key).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    expect(await agentCount(tenant.tenantId)).toBe(1);
  });

  it('refuses a revoked key at once, even one it has just accepted', async () => {
    const keys = t.app.get(ApiKeysService);
    const created = await keys.create(tenant.tenantId, 'short-lived');
    const auth = { Authorization: `Bearer ${created.key}` };
    await t.http().get('/api/v1/agents').set(auth).expect(200);

    expect(await keys.revoke(created.id)).toBe(true);
    expectUnauthenticated(await t.http().get('/api/v1/agents').set(auth));
    expectUnauthenticated(await t.http().post('/api/v1/agents').set('X-API-Key', created.key).send(makeAgent()));
    expect(await agentCount(tenant.tenantId)).toBe(0);

    // The tenant's other key keeps working.
    await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
    expect(await keys.revoke(created.id)).toBe(false);
  });

  it('serves /health/live, /health/ready and /metrics without a key', async () => {
    const live = await t.http().get('/health/live').expect(200);
    expect(live.body.status).toBe('ok');
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('http_request_duration_seconds');
  });

  it('serves the OpenAPI document without a key, with the agent and event routes and their DTOs', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths['/api/v1/agents']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/agents/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/v1/agents/bulk'].post).toBeDefined();
    expect(doc.paths['/api/v1/agents/{id}/heartbeat'].post).toBeDefined();
    expect(doc.paths['/api/v1/events'].get).toBeDefined();

    const createBody = doc.paths['/api/v1/agents'].post.requestBody.content['application/json'].schema;
    expect(createBody.$ref).toBe('#/components/schemas/CreateAgentDto');
    const createDto = doc.components.schemas.CreateAgentDto;
    expect(createDto.required.sort()).toEqual(['name', 'role']);
    expect(Object.keys(createDto.properties)).toEqual(expect.arrayContaining(['name', 'role', 'description', 'status', 'metadata']));
    expect(createDto.properties.status.enum).toEqual(['idle', 'busy', 'offline', 'error']);

    const patchBody = doc.paths['/api/v1/agents/{id}'].patch.requestBody.content['application/json'].schema;
    expect(patchBody.$ref).toBe('#/components/schemas/UpdateAgentDto');
    expect(doc.components.schemas.UpdateAgentDto.required ?? []).toEqual([]);

    const eventParams = doc.paths['/api/v1/events'].get.parameters.map((p: { name: string }) => p.name);
    expect(eventParams).toEqual(expect.arrayContaining(['type', 'aggregateId', 'after', 'limit']));
    expect(doc.paths['/api/v1/agents'].get.responses['401']).toBeDefined();
  });

  it('records X-Actor-Id as the actor of the change and of its event', async () => {
    const created = await t.http().post('/api/v1/agents').set(tenant.auth).set('X-Actor-Id', 'planner-7').send(makeAgent()).expect(201);
    expect(created.body).toMatchObject({ createdBy: 'planner-7', updatedBy: 'planner-7' });

    const patched = await t
      .http()
      .patch(`/api/v1/agents/${created.body.id}`)
      .set(tenant.auth)
      .set('X-Actor-Id', 'reviewer 2')
      .set('If-Match', '"1"')
      .send({ description: 'reviewed' })
      .expect(200);
    expect(patched.body).toMatchObject({ createdBy: 'planner-7', updatedBy: 'reviewer 2' });

    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get(`/api/v1/events?aggregateId=${created.body.id}`).set(tenant.auth).expect(200);
    expect(events.body.items.map((e: { type: string; actorId: string }) => [e.type, e.actorId])).toEqual([
      ['agent.registered', 'planner-7'],
      ['agent.updated', 'reviewer 2'],
    ]);

    const byKeyName = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    expect(byKeyName.body.createdBy).toBe('test-key');
  });

  it('refuses an invalid X-Actor-Id with 400 and writes nothing', async () => {
    for (const actor of ['a'.repeat(300), 'tab\there', 'caf\u00e9']) {
      const res = await t.http().post('/api/v1/agents').set(tenant.auth).set('X-Actor-Id', actor).send(makeAgent());
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(res.body.detail).toMatch(/X-Actor-Id/);
    }
    expect(await agentCount(tenant.tenantId)).toBe(0);
  });

  it('stores only the SHA-256 hash of a key, never the key itself', async () => {
    const created = await t.app.get(ApiKeysService).create(tenant.tenantId, 'hash-check');
    const db = t.owner;
    const [row] = await db.query('SELECT * FROM api_keys WHERE id = $1', [created.id]);
    expect(row.key_hash).toBe(createHash('sha256').update(created.key, 'utf8').digest('hex'));
    expect(row.tenant_id).toBe(tenant.tenantId);
    for (const value of Object.values(row)) expect(String(value)).not.toContain(created.key);
    const [leak] = await db.query(`SELECT count(*)::int AS n FROM api_keys k WHERE row_to_json(k)::text LIKE '%' || $1 || '%'`, [created.key]);
    expect(leak.n).toBe(0);

    // And the key it hashes is the one that works.
    await t.http().get('/api/v1/agents').set('Authorization', `Bearer ${created.key}`).expect(200);
  });

  describe('with AUTH=off', () => {
    let open: TestApp;

    beforeAll(async () => {
      open = await createTestApp({ AUTH: 'off', HOST: '127.0.0.1', LOG_LEVEL });
    });
    afterAll(() => open.close());

    it('serves calls without a key, as tenant "default"', async () => {
      const created = await open
        .http()
        .post('/api/v1/agents')
        .send(makeAgent({ name: 'open-door' }))
        .expect(201);
      expect(created.body.createdBy).toBe('anonymous');
      await open.http().get(`/api/v1/agents/${created.body.id}`).expect(200);

      const [row] = await open.owner.query('SELECT tenant_id FROM agents WHERE id = $1', [created.body.id]);
      expect(row.tenant_id).toBe('default');
      await untilFeedCaughtUp(open.owner, 'default');
      const events = await open.http().get(`/api/v1/events?aggregateId=${created.body.id}`).expect(200);
      expect(events.body.items).toEqual([expect.objectContaining({ type: 'agent.registered', tenantId: 'default', actorId: 'anonymous' })]);

      const actor = await open.http().post('/api/v1/agents').set('X-Actor-Id', 'local-dev').send(makeAgent()).expect(201);
      expect(actor.body.createdBy).toBe('local-dev');

      // The keyed app keeps refusing anonymous calls, and a real tenant does not see "default" rows.
      expectUnauthenticated(await t.http().get(`/api/v1/agents/${created.body.id}`));
      await t.http().get(`/api/v1/agents/${created.body.id}`).set(tenant.auth).expect(404);
    });
  });
});
