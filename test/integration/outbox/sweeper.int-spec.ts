import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../../src/common/persistence/uuid-v7';
import { OutboxSweeper } from '../../../src/modules/outbox/outbox-sweeper';
import { waitForServiceCall } from '../../utils/service-calls';
import { useTwoTenants } from '../../utils/test-app';

describe('outbox sweeper: one pass over the overdue records', () => {
  const s = useTwoTenants({
    LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: `sweeper-${process.pid}`,
    // No pass but the test's own.
    SWEEP_INTERVAL_MS: '60000',
  });

  /** A fresh pending record, overdue by a minute, whose wake-up never reached Redis; returns its id. */
  async function overdueRecord(namespace: string, schema: string, result: object): Promise<string> {
    const id = uuidv7();
    await s.db.query(
      `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, next_attempt_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', now() - interval '1 minute', 'test')`,
      [id, s.tenant.tenantId, `call-${randomUUID()}`, namespace, schema, JSON.stringify(result)],
    );
    return id;
  }

  it('skips the results no handler of its process serves and wakes the drain for the others', async () => {
    const unhandled = await overdueRecord('nobody', 'unknown.thing@3', { any: 'thing' });
    const handled = await overdueRecord('core', 'agent.registration@1', { name: 'found-by-the-sweeper', role: 'test' });

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
