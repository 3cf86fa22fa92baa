import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { AgentsModule } from '../../../src/modules/agents/agents.module';
import { AgentsService } from '../../../src/modules/agents/agents.service';
import { OutboxPersister } from '../../../src/modules/outbox/outbox-persister';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../../../src/modules/outbox/persistence-handler';
import { makeServiceCall } from '../../factories/service-call.factory';
import { waitForServiceCall } from '../../utils/service-calls';
import { waitFor } from '../../utils/wait';
import { TwoTenantSuite, useTwoTenants } from '../../utils/test-app';

class NamedResult {
  @IsString()
  name: string;
}

/**
 * Takes its time over every result (no `persistMany`: a batch calls it once per record, one after
 * the other), so batches that run at once overlap here: it counts how many are inside it at once.
 */
@PersistenceHandler({ namespace: 'test', schema: 'slow@1', resultType: NamedResult })
class SlowHandler implements PersistenceHandlerContract<NamedResult> {
  inside = 0;
  mostAtOnce = 0;

  constructor(private readonly agents: AgentsService) {}

  async persist(result: NamedResult, ctx: PersistContext): Promise<PersistedObject> {
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.inside);
    try {
      await sleep(15);
      const agent = await this.agents.registerIn(ctx.tx, { name: result.name, role: 'slow' });
      return { type: 'agent', id: agent.id };
    } finally {
      this.inside--;
    }
  }
}

/** Holds a result named `held` until the test lets it go; any other passes at once. */
@PersistenceHandler({ namespace: 'test', schema: 'held@1', resultType: NamedResult })
class HeldHandler implements PersistenceHandlerContract<NamedResult> {
  private release!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));
  holding = false;

  constructor(private readonly agents: AgentsService) {}

  letGo(): void {
    this.release();
  }

  async persist(result: NamedResult, ctx: PersistContext): Promise<PersistedObject> {
    if (result.name === 'held') {
      this.holding = true;
      await this.released;
    }
    const agent = await this.agents.registerIn(ctx.tx, { name: result.name, role: 'held' });
    return { type: 'agent', id: agent.id };
  }
}

@Module({ imports: [AgentsModule], providers: [SlowHandler, HeldHandler] })
class SlowHandlerModule {}

const env = (batchConcurrency: number) => ({
  LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
  QUEUE_PREFIX: `batch-concurrency-${batchConcurrency}-${process.pid}`,
  WORKER_CONCURRENCY: '6',
  PERSIST_BATCH_SIZE: '4',
  PERSIST_BATCH_CONCURRENCY: String(batchConcurrency),
  // Only wake-ups move the drain here: the sweeper would find a forgotten result within a minute.
  SWEEP_INTERVAL_MS: '60000',
});

/** Submits a backlog of 28 slow results (7 full batches) at once and waits until all are persisted. */
async function drainBacklog(s: TwoTenantSuite): Promise<void> {
  const names = Array.from({ length: 28 }, (_, i) => `slow-${i}`);
  const accepted = await s.t
    .http()
    .post('/api/v1/service-calls/bulk')
    .set(s.tenant.auth)
    .send({ items: names.map((name) => ({ callId: name, namespace: 'test', schema: 'slow@1', result: { name } })) })
    .expect(202);
  await Promise.all(accepted.body.items.map((entry: { record: { id: string } }) => waitForServiceCall(s.t, s.tenant, entry.record.id, 'persisted')));
  const agents = await s.db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [s.tenant.tenantId]);
  expect(agents[0].n).toBe(names.length);
}

describe('outbox drain: PERSIST_BATCH_CONCURRENCY batches per worker process', () => {
  describe('at 1', () => {
    const s = useTwoTenants(env(1), [SlowHandlerModule]);

    it('drains a backlog one batch at a time although the worker has slots for six jobs', async () => {
      await drainBacklog(s);
      expect(s.t.app.get(SlowHandler).mostAtOnce).toBe(1);
    });
  });

  describe('at 2', () => {
    const s = useTwoTenants(env(2), [SlowHandlerModule]);

    it('drains a backlog with two batches at once, never more', async () => {
      await drainBacklog(s);
      expect(s.t.app.get(SlowHandler).mostAtOnce).toBe(2);
    });

    it('fails a batch whose wake-up could not be released with that error, before its claim, counting no failed batch', async () => {
      const failedBatches = async () => {
        const metrics = (await s.t.http().get('/metrics').expect(200)).text;
        return Number(/persistence_results_total\{handler="unknown",outcome="failed"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      };
      const before = await failedBatches();
      const unreachable = new Error('Redis is unreachable');
      await expect(s.t.app.get(OutboxPersister).drain(Promise.reject(unreachable))).rejects.toBe(unreachable);
      expect(await failedBatches()).toBe(before);
    });

    it('persists a result that arrives while a batch runs in a batch of its own, without waiting for that batch or the sweeper', async () => {
      const handler = s.t.app.get(HeldHandler);
      const submit = async (name: string) => {
        const body = makeServiceCall({ namespace: 'test', schema: 'held@1', result: { name } });
        return (await s.t.http().post('/api/v1/service-calls').set(s.tenant.auth).send(body).expect(202)).body.id as string;
      };
      const held = await submit('held');
      try {
        await waitFor('the held result to be in its handler', async () => handler.holding);
        // The held batch released its wake-up before its claim: this result's wake-up starts another batch.
        const later = await submit('later');
        await waitForServiceCall(s.t, s.tenant, later, 'persisted');
        const [{ status }] = await s.db.query('SELECT status FROM service_call_records WHERE id = $1', [held]);
        expect(status).toBe('pending');
      } finally {
        handler.letGo();
      }
      await waitForServiceCall(s.t, s.tenant, held, 'persisted');
    });
  });
});
