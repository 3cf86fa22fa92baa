import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { makeAgent } from '../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { untilFeedCaughtUp } from '../utils/event-feed';

interface AgentBody {
  id: string;
  name: string;
  version: number;
  [field: string]: unknown;
}

interface EventBody {
  id: string;
  type: string;
  aggregateId: string;
  tenantId: string;
}

describe('tenant isolation', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let agentOfA: AgentBody;
  let agentOfB: AgentBody;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    a = await createTenant(t.app, 'key-a');
    b = await createTenant(t.app, 'key-b');
    agentOfA = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(a.auth)
        .send(makeAgent({ name: 'secret-of-a' }))
        .expect(201)
    ).body;
    agentOfB = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(b.auth)
        .send(makeAgent({ name: 'own-of-b' }))
        .expect(201)
    ).body;
  });

  async function readAsA(): Promise<AgentBody> {
    return (await t.http().get(`/api/v1/agents/${agentOfA.id}`).set(a.auth).expect(200)).body;
  }

  async function eventsOfA(): Promise<EventBody[]> {
    await untilFeedCaughtUp(t.owner, a.tenantId);
    return (await t.http().get(`/api/v1/events?aggregateId=${agentOfA.id}`).set(a.auth).expect(200)).body.items;
  }

  /**
   * B's answer about A's agent must be indistinguishable from its answer about an id that exists
   * nowhere: same status, same members, same wording once the id itself is blanked out.
   */
  function expectSameAsMissing(foreign: Response, missing: Response, missingId: string): void {
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.headers['content-type']).toBe(missing.headers['content-type']);
    expect(foreign.headers['content-type']).toMatch(/^application\/problem\+json/);
    const normalise = (body: Record<string, unknown>, id: string) =>
      Object.fromEntries(
        Object.entries(body)
          .filter(([key]) => key !== 'correlationId')
          .map(([key, value]) => [key, typeof value === 'string' ? value.split(id).join('<id>') : value]),
      );
    expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(missing.body).sort());
    expect(normalise(foreign.body, agentOfA.id)).toEqual(normalise(missing.body, missingId));
    expect(foreign.body.code).toBe('NOT_FOUND');
    expect(JSON.stringify(foreign.body)).not.toContain('secret-of-a');
  }

  it('B cannot read A’s agent: 404 exactly like a missing id', async () => {
    const missingId = randomUUID();
    const foreign = await t.http().get(`/api/v1/agents/${agentOfA.id}`).set(b.auth);
    const missing = await t.http().get(`/api/v1/agents/${missingId}`).set(b.auth);
    expectSameAsMissing(foreign, missing, missingId);
    expect(foreign.headers.etag).toBeUndefined();
  });

  it('B’s list holds only B’s agents, whatever the filters', async () => {
    for (const query of ['', '?role=researcher', '?status=idle', '?limit=200']) {
      const list = await t.http().get(`/api/v1/agents${query}`).set(b.auth).expect(200);
      expect(list.body.items.map((agent: AgentBody) => agent.id)).toEqual([agentOfB.id]);
    }
    const ofA = await t.http().get('/api/v1/agents').set(a.auth).expect(200);
    expect(ofA.body.items.map((agent: AgentBody) => agent.id)).toEqual([agentOfA.id]);
  });

  it('B cannot page into A’s agents with a cursor issued to A', async () => {
    const second = (await t.http().post('/api/v1/agents').set(a.auth).send(makeAgent()).expect(201)).body as AgentBody;
    const page = await t.http().get('/api/v1/agents?limit=1').set(a.auth).expect(200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const asB = await t.http().get(`/api/v1/agents?limit=200&cursor=${page.body.nextCursor}`).set(b.auth).expect(200);
    const ids = asB.body.items.map((agent: AgentBody) => agent.id);
    expect(ids).not.toContain(second.id);
    expect(ids).not.toContain(agentOfA.id);
  });

  it('B cannot patch A’s agent: 404, and A’s agent, version and history stay as they were', async () => {
    const before = await readAsA();
    const eventsBefore = await eventsOfA();
    const missingId = randomUUID();

    const foreign = await t.http().patch(`/api/v1/agents/${agentOfA.id}`).set(b.auth).set('If-Match', '"1"').send({ name: 'hijacked', status: 'error' });
    const missing = await t.http().patch(`/api/v1/agents/${missingId}`).set(b.auth).set('If-Match', '"1"').send({ name: 'hijacked', status: 'error' });
    expectSameAsMissing(foreign, missing, missingId);

    const viaBodyVersion = await t.http().patch(`/api/v1/agents/${agentOfA.id}`).set(b.auth).send({ version: 1, description: 'hijacked' });
    expect(viaBodyVersion.status).toBe(404);

    const after = await readAsA();
    expect(after).toEqual(before);
    expect(after.version).toBe(1);
    expect(await eventsOfA()).toEqual(eventsBefore);
  });

  it('B cannot heartbeat A’s agent: 404, and A’s agent is untouched', async () => {
    const before = await readAsA();
    const missingId = randomUUID();
    const foreign = await t.http().post(`/api/v1/agents/${agentOfA.id}/heartbeat`).set(b.auth).send({ status: 'offline' });
    const missing = await t.http().post(`/api/v1/agents/${missingId}/heartbeat`).set(b.auth).send({ status: 'offline' });
    expectSameAsMissing(foreign, missing, missingId);

    const after = await readAsA();
    expect(after).toEqual(before);
    expect(after.lastHeartbeatAt).toBeNull();
    expect(after.status).toBe('idle');
  });

  it('B cannot delete A’s agent: 404, and the agent is still there', async () => {
    const eventsBefore = await eventsOfA();
    const missingId = randomUUID();
    const foreign = await t.http().delete(`/api/v1/agents/${agentOfA.id}`).set(b.auth);
    const missing = await t.http().delete(`/api/v1/agents/${missingId}`).set(b.auth);
    expectSameAsMissing(foreign, missing, missingId);

    const guarded = await t.http().delete(`/api/v1/agents/${agentOfA.id}`).set(b.auth).set('If-Match', '"1"');
    expect(guarded.status).toBe(404);

    expect((await readAsA()).id).toBe(agentOfA.id);
    expect(await eventsOfA()).toEqual(eventsBefore);
  });

  it('B’s audit trail never shows A’s events', async () => {
    await t.http().patch(`/api/v1/agents/${agentOfA.id}`).set(a.auth).set('If-Match', '"1"').send({ status: 'busy' }).expect(200);
    expect((await eventsOfA()).map((e) => e.type)).toEqual(['agent.registered', 'agent.updated', 'agent.status_changed']);

    await untilFeedCaughtUp(t.owner, b.tenantId);
    const all = await t.http().get('/api/v1/events?limit=200').set(b.auth).expect(200);
    expect(all.body.items.length).toBeGreaterThan(0);
    for (const event of all.body.items as EventBody[]) {
      expect(event.tenantId).toBe(b.tenantId);
      expect(event.aggregateId).not.toBe(agentOfA.id);
    }
    expect(all.body.items.map((e: EventBody) => e.aggregateId)).toEqual([agentOfB.id]);

    const byAggregate = await t.http().get(`/api/v1/events?aggregateId=${agentOfA.id}`).set(b.auth).expect(200);
    expect(byAggregate.body.items).toEqual([]);

    const byType = await t.http().get(`/api/v1/events?type=agent.*&aggregateId=${agentOfA.id}`).set(b.auth).expect(200);
    expect(byType.body.items).toEqual([]);
    const statusChanges = await t.http().get('/api/v1/events?type=agent.status_changed').set(b.auth).expect(200);
    expect(statusChanges.body.items).toEqual([]);

    // Positions are sealed per tenant: A's cursor means nothing to B (and tells B nothing about A).
    const firstOfA = (await eventsOfA())[0];
    const afterA = await t.http().get('/api/v1/events').query({ after: firstOfA.id }).set(b.auth);
    expect(afterA.status).toBe(400);
    expect(afterA.body.code).toBe('INVALID_CURSOR');
  });
});
