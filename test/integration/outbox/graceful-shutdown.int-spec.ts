import { Module } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { AgentsModule } from '../../../src/modules/agents/agents.module';
import { AgentsService } from '../../../src/modules/agents/agents.service';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../../../src/modules/outbox/persistence-handler';
import { makeServiceCall } from '../../factories/service-call.factory';
import { createTenant, createTestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait';

/** Takes its time, so that shutdown finds the job in flight. */
@PersistenceHandler({ namespace: 'test', schema: 'slow@1' })
class SlowHandler implements PersistenceHandlerContract {
  started = 0;

  constructor(private readonly agents: AgentsService) {}

  async persist(_result: unknown, ctx: PersistContext): Promise<PersistedObject> {
    this.started++;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const agent = await this.agents.registerIn(ctx.tx, { name: `slow-${ctx.callId}`, role: 'slow' });
    return { type: 'agent', id: agent.id };
  }
}

@Module({ imports: [AgentsModule], providers: [SlowHandler] })
class SlowHandlerModule {}

/** Runs `work` on a connection of the database's owner (the app under test is closed by then). */
async function asOwner(work: (db: Client) => Promise<void>): Promise<void> {
  const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await db.connect();
  try {
    await work(db);
  } finally {
    await db.end();
  }
}

describe('shutdown of a worker', () => {
  it('lets the batch in flight finish and commit before the process lets go', async () => {
    const t = await createTestApp({ QUEUE_PREFIX: `shutdown-${process.pid}` }, [SlowHandlerModule]);
    const tenant = await createTenant(t.app);
    const accepted = await t
      .http()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ namespace: 'test', schema: 'slow@1', result: {} }))
      .expect(202);
    const queue = t.app.get<Queue>(getQueueToken('persistence'));
    await waitFor('its batch to be running', async () => t.app.get(SlowHandler).started > 0 && (await queue.getJobCounts('active')).active === 1);

    await t.close();

    await asOwner(async (db) => {
      const { rows } = await db.query('SELECT status, attempts FROM service_call_records WHERE id = $1', [accepted.body.id]);
      expect(rows[0]).toEqual({ status: 'persisted', attempts: 1 });
      const agents = await db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [tenant.tenantId]);
      expect(agents.rows[0].n).toBe(1);
    });
  });

  it('starts no batch that was waiting for a slot once it is shutting down', async () => {
    const t = await createTestApp(
      { QUEUE_PREFIX: `shutdown-waiting-${process.pid}`, PERSIST_BATCH_SIZE: '1', PERSIST_BATCH_CONCURRENCY: '1', WORKER_CONCURRENCY: '4' },
      [SlowHandlerModule],
    );
    const tenant = await createTenant(t.app);
    await t
      .http()
      .post('/api/v1/service-calls/bulk')
      .set(tenant.auth)
      .send({ items: [1, 2, 3].map(() => makeServiceCall({ namespace: 'test', schema: 'slow@1', result: {} })) })
      .expect(202);
    const queue = t.app.get<Queue>(getQueueToken('persistence'));
    // The first batch (one full record) runs and has woken a neighbour, which waits for the slot.
    await waitFor('a batch running and one waiting', async () => t.app.get(SlowHandler).started > 0 && (await queue.getJobCounts('active')).active === 2);

    await t.close();

    await asOwner(async (db) => {
      try {
        const { rows } = await db.query('SELECT status, attempts FROM service_call_records WHERE tenant_id = $1 ORDER BY status', [tenant.tenantId]);
        expect(rows).toEqual([
          { status: 'pending', attempts: 0 },
          { status: 'pending', attempts: 0 },
          { status: 'persisted', attempts: 1 },
        ]);
      } finally {
        // Left pending on purpose: no other app of this database should drain them.
        await db.query('DELETE FROM service_call_records WHERE tenant_id = $1', [tenant.tenantId]);
      }
    });
  });
});
