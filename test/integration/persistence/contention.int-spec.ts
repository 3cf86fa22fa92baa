import { UnitOfWork } from '../../../src/common/persistence/unit-of-work';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp } from '../../utils/test-app';

describe('a unit of work that PostgreSQL aborts for a deadlock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => t.close());

  it('runs again from the start, and both transactions of the deadlock commit', async () => {
    const tenant = await createTenant(t.app);
    const ids: string[] = [];
    for (const name of ['first', 'second']) {
      ids.push((await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({ name })).expect(201)).body.id);
    }
    const unitOfWork = t.app.get(UnitOfWork);
    const ctx = { tenantId: tenant.tenantId, actorId: 'test', keyId: null, correlationId: 'deadlock' };

    // Each transaction locks one agent, waits until the other holds its own, then wants the other's: a deadlock.
    let holding = 0;
    let bothHold!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHold = resolve));
    let runs = 0;
    const lockBoth = (order: string[]) =>
      unitOfWork.run(ctx, async (tx) => {
        runs += 1;
        await tx.manager.query('SELECT id FROM agents WHERE id = $1 FOR UPDATE', [order[0]]);
        if (++holding === 2) bothHold();
        await barrier;
        await tx.manager.query('UPDATE agents SET description = $2 WHERE id = $1', [order[1], `touched by ${order[0]}`]);
        tx.record({
          type: 'agent.updated',
          aggregateType: 'agent',
          aggregateId: order[1],
          aggregateVersion: 1,
          payload: { agentId: order[1], changed: ['description'] },
        });
      });

    await Promise.all([lockBoth(ids), lockBoth([...ids].reverse())]);

    expect(runs).toBe(3);
    const rows = await t.owner.query('SELECT id, description FROM agents WHERE tenant_id = $1 ORDER BY id', [tenant.tenantId]);
    expect(rows.map((row: { description: string }) => row.description)).toEqual([`touched by ${ids[1]}`, `touched by ${ids[0]}`]);
    // The aborted run recorded its event too: only the committed runs' events exist.
    const [{ n }] = await t.owner.query(`SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = 'agent.updated'`, [tenant.tenantId]);
    expect(n).toBe(2);
  });
});
