import { Module } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../../../src/modules/outbox/persistence-handler';
import { makeServiceCall } from '../../factories/service-call.factory';
import { freePort } from '../../utils/server-process';
import { TcpProxy } from '../../utils/tcp-proxy';
import { createTenant, createTestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait';

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value ?? 0;
}

@PersistenceHandler({ namespace: 'test', schema: 'dup@1' })
class DupA implements PersistenceHandlerContract {
  async persist(): Promise<PersistedObject> {
    return { type: 'none', id: '00000000-0000-0000-0000-000000000000' };
  }
}

@PersistenceHandler({ namespace: 'test', schema: 'dup@1' })
class DupB extends DupA {}

@Module({ providers: [DupA, DupB] })
class DuplicateHandlersModule {}

describe('outbox under failure', () => {
  it('refuses to start when two handlers claim one key, naming both', async () => {
    await expect(createTestApp({ QUEUE_PREFIX: `dup-${process.pid}` }, [DuplicateHandlersModule])).rejects.toThrow(
      'Two persistence handlers for test/dup@1: DupA and DupB',
    );
  });

  it('accepts results while Redis is down: 202 in bounded time, the row is the truth', async () => {
    const t = await createTestApp({
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      APP_ROLE: 'api',
      ENQUEUE_TIMEOUT_MS: '300',
      LOG_LEVEL: 'fatal',
    });
    try {
      const tenant = await createTenant(t.app);
      const failuresBefore = await metricValue('persistence_intake_wake_failures_total', {});
      const started = Date.now();
      const res = await t.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()).expect(202);
      expect(Date.now() - started).toBeLessThan(5000);
      const [row] = await t.owner.query('SELECT status FROM service_call_records WHERE id = $1', [res.body.id]);
      // Stored: pending, unless a worker of the same database (another test's, whose Redis works) drained it already.
      expect(['pending', 'persisted']).toContain(row.status);
      expect(await metricValue('persistence_intake_wake_failures_total', {})).toBe(failuresBefore + 1);
      // Readiness is public: it names what is down, not why (the reason, with its address, is logged).
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error).toEqual({ redis: { status: 'down' }, queues: { status: 'down' } });
      expect(ready.body.details).toEqual({ database: { status: 'up' }, redis: { status: 'down' }, queues: { status: 'down' } });
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|writeable|timeout/i);
    } finally {
      await t.close();
    }
  });

  it('retries through a PostgreSQL outage and persists every result once it is back', async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const t = await createTestApp({
      DATABASE_URL: viaProxy.toString(),
      QUEUE_PREFIX: `pg-outage-${process.pid}`,
      PERSIST_BACKOFF_MS: '50',
      PERSIST_MAX_BACKOFF_MS: '400',
      SWEEP_INTERVAL_MS: '300',
      LOG_LEVEL: 'fatal',
    });
    try {
      const tenant = await createTenant(t.app);
      const queue = t.app.get<Queue>(getQueueToken('persistence'));
      const failedBefore = await metricValue('persistence_results_total', { outcome: 'failed' });
      await queue.pause();
      const accepted = [];
      for (let i = 0; i < 10; i++) accepted.push((await t.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()).expect(202)).body);

      proxy.cut();
      await queue.resume();
      await waitFor(
        'attempts to fail while PostgreSQL is unreachable',
        async () => (await metricValue('persistence_results_total', { outcome: 'failed' })) > failedBefore,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      proxy.restore();

      const direct = new DataSource({ type: 'postgres', url: process.env.TEST_DATABASE_URL });
      await direct.initialize();
      try {
        await waitFor(
          'every result to be persisted after the outage',
          async () => {
            const [row] = await direct.query(`SELECT count(*)::int AS n FROM service_call_records WHERE tenant_id = $1 AND status = 'persisted'`, [
              tenant.tenantId,
            ]);
            return row.n === accepted.length;
          },
          30_000,
        );
        const [agents] = await direct.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [tenant.tenantId]);
        expect(agents.n).toBe(accepted.length);
      } finally {
        await direct.destroy();
      }
    } finally {
      await t.close();
      await proxy.stop();
    }
  });
});
