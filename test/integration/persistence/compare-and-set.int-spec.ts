import { VersionConflictError } from '../../../src/common/errors';
import { compareAndSet } from '../../../src/common/persistence/compare-and-set';
import { Agent } from '../../../src/modules/agents/agent.entity';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { untilFeedCaughtUp } from '../../utils/event-feed';

describe('compare-and-set updates', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  async function register(): Promise<{ id: string }> {
    return (await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body;
  }

  it('lets exactly one of two racing writers win; the other gets 409 and nothing is lost', async () => {
    const agent = await register();
    const [a, b] = await Promise.all([
      t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ description: 'writer A' }),
      t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ description: 'writer B' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });

    const final = await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(200);
    expect(final.body).toMatchObject({ version: 2, description: winner.body.description });
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get(`/api/v1/events?aggregateId=${agent.id}&type=agent.updated`).set(tenant.auth).expect(200);
    expect(events.body.items).toHaveLength(1);
  });

  it('serialises twenty concurrent writers on one row: one success per version, no lost update', async () => {
    const agent = await register();
    const dataSource = t.owner;
    // Each writer retries on conflict with the version it is told about, appending its mark.
    const writers = Array.from({ length: 20 }, (_, i) => async () => {
      for (;;) {
        const current = await dataSource.manager.findOneByOrFail(Agent, { id: agent.id });
        try {
          await compareAndSet(
            dataSource.manager,
            Agent,
            { tenantId: tenant.tenantId, id: agent.id, expectedVersion: current.version },
            { metadata: { ...current.metadata, [`w${i}`]: true } },
          );
          return;
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
    });
    await Promise.all(writers.map((write) => write()));
    const final = await dataSource.manager.findOneByOrFail(Agent, { id: agent.id });
    expect(final.version).toBe(21);
    expect(Object.keys(final.metadata).filter((k) => k.startsWith('w'))).toHaveLength(20);
  });

  it('answers 404, not 409, when the row is gone', async () => {
    const agent = await register();
    await t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(204);
    const res = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ role: 'x' }).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('bumps updated_at and never winds the version back', async () => {
    const agent = await register();
    const before = await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(200);
    await new Promise((r) => setTimeout(r, 20));
    const after = await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ role: 'critic' }).expect(200);
    expect(Date.parse(after.body.updatedAt)).toBeGreaterThan(Date.parse(before.body.updatedAt));
    expect(after.body.createdAt).toBe(before.body.createdAt);
    await t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ role: 'stale' }).expect(409);
    const final = await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(200);
    expect(final.body).toMatchObject({ version: 2, role: 'critic' });
  });
});
