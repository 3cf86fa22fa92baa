import { setTimeout as sleep } from 'node:timers/promises';
import { OutboxSweeper } from '../../../src/modules/outbox/outbox-sweeper';
import { OutboxRepository } from '../../../src/modules/outbox/outbox.repository';
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

  it('postpones the overdue records it saw, except one a drain batch holds, which it neither waits for nor changes', async () => {
    // Overdue, of a schema no handler serves: no batch of the test app claims them meanwhile.
    const held = await insertServiceCallRow(s.db, s.tenant.tenantId, { dueInSeconds: -60 });
    const free = await insertServiceCallRow(s.db, s.tenant.tenantId, { dueInSeconds: -60 });
    // Another transaction holds one of them, as a drain batch holds what it claimed until it commits.
    const batch = s.db.createQueryRunner();
    await batch.connect();
    let outcome: string;
    try {
      await batch.startTransaction();
      await batch.query('SELECT id FROM service_call_records WHERE id = $1 FOR UPDATE', [held]);
      // Awaited while the batch still holds its record: a postpone that waited for it would still be waiting.
      const postponed = s.t.app.get(OutboxRepository).postpone([held, free], 10_000);
      outcome = await Promise.race([postponed.then(() => 'returned'), sleep(5000).then(() => 'waiting for the batch')]);
    } finally {
      await batch.rollbackTransaction();
      await batch.release();
    }
    expect(outcome).toBe('returned');
    const rows: { id: string; postponed: boolean }[] = await s.db.query(
      'SELECT id, next_attempt_at > now() AS postponed FROM service_call_records WHERE id = ANY($1::uuid[])',
      [[held, free]],
    );
    expect(Object.fromEntries(rows.map((row) => [row.id, row.postponed]))).toEqual({ [held]: false, [free]: true });
  });
});
