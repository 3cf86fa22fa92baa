import { OutboxSweeper } from '../../../src/modules/outbox/outbox-sweeper';
import { insertServiceCallRow } from '../../factories/service-call-row.factory';
import { waitForServiceCall } from '../../utils/service-calls';
import { useTwoTenants } from '../../utils/test-app';

describe('outbox sweeper: one pass over the overdue records', () => {
  const s = useTwoTenants({
    LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: `sweeper-${process.pid}`,
    // No pass but the test's own.
    SWEEP_INTERVAL_MS: '60000',
  });

  it('skips the results no handler of its process serves and wakes the drain for the others', async () => {
    // Fresh pending results, overdue by a minute, whose wake-ups never reached Redis.
    const overdue = { dueInSeconds: -60 };
    const unhandled = await insertServiceCallRow(s.db, s.tenant.tenantId, {
      ...overdue,
      namespace: 'nobody',
      schema: 'unknown.thing@3',
      result: { any: 'thing' },
    });
    const handled = await insertServiceCallRow(s.db, s.tenant.tenantId, {
      ...overdue,
      namespace: 'core',
      schema: 'agent.registration@1',
      result: { name: 'found-by-the-sweeper', role: 'test' },
    });

    await s.t.app.get(OutboxSweeper).runOnce();

    // Skipped within the pass, and not counted as an attempt.
    const [skipped] = await s.db.query('SELECT status, attempts, last_error FROM service_call_records WHERE id = $1', [unhandled]);
    expect(skipped).toEqual({ status: 'skipped', attempts: 0, last_error: 'no handler for nobody/unknown.thing@3' });
    const persisted = await waitForServiceCall(s.t, s.tenant, handled, 'persisted');
    expect(persisted.domainObjects).toEqual([{ type: 'agent', id: expect.any(String) }]);
    const [agent] = await s.db.query('SELECT name FROM agents WHERE id = $1', [persisted.domainObjects[0].id]);
    expect(agent).toEqual({ name: 'found-by-the-sweeper' });
  });
});
