import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { ApiKeysService } from '../../../src/common/auth/api-keys.service';
import { makeServiceCall } from '../../factories/service-call.factory';
import { waitForServiceCall } from '../../utils/service-calls';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { waitFor } from '../../utils/wait';
import { BrokenHandler, TestHandlersModule } from './test-handlers';

/** A dead letter is a FAILED job of the persistence queue; retrying it (as Bull Board does) is a redrive. */
describe('dead letters on the queue board', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let queue: Queue;
  const adminTenant = `ops-${process.pid}`;

  beforeAll(async () => {
    t = await createTestApp(
      {
        QUEUE_PREFIX: `dead-letters-${process.pid}`,
        PERSIST_BACKOFF_MS: '20',
        PERSIST_MAX_BACKOFF_MS: '100',
        PERSIST_MAX_ATTEMPTS: '3',
        SWEEP_INTERVAL_MS: '300',
        ADMIN_TENANTS: adminTenant,
      },
      [TestHandlersModule],
    );
    queue = t.app.get<Queue>(getQueueToken('persistence'));
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  const deadLetter = async (): Promise<{ id: string; callId: string }> => {
    const accepted = await t
      .http()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ namespace: 'test', schema: 'broken@1', result: {} }))
      .expect(202);
    await waitForServiceCall(t, tenant, accepted.body.id, 'dead_lettered');
    return accepted.body;
  };
  const failedJob = (id: string) =>
    waitFor(`the failed job of ${id}`, async () => {
      const job = await queue.getJob(id);
      return job && (await job.getState()) === 'failed' ? job : undefined;
    });
  const completedJob = (id: string) =>
    waitFor(`the completed job of ${id}`, async () => {
      const job = await queue.getJob(id);
      return job && (await job.getState()) === 'completed' ? job : undefined;
    });
  const redrivenEvents = async (id: string) =>
    (await t.http().get(`/api/v1/events?type=persistence.redriven&aggregateId=${id}`).set(tenant.auth).expect(200)).body.items as { actorId: string }[];

  it('shows a dead letter as a failed job with its reason and the record it stands for', async () => {
    const record = await deadLetter();
    const job: Job = await failedJob(record.id);
    expect(job.failedReason).toMatch(/downstream is broken/);
    expect(job.data).toMatchObject({ recordId: record.id, tenantId: tenant.tenantId, callId: record.callId, schema: 'broken@1' });
  });

  it('redrives on retry: back to pending with attempts reset, processed again, persisted, audited', async () => {
    const record = await deadLetter();
    const job = await failedJob(record.id);
    await t.app.get(BrokenHandler).heal(tenant.tenantId);

    await job.retry('failed');

    const done = await waitForServiceCall(t, tenant, record.id, 'persisted');
    expect(done).toMatchObject({ attempts: 1, lastError: null, domainObjects: [{ type: 'agent' }] });
    const completed = await completedJob(record.id);
    expect(completed.returnvalue).toMatchObject({ status: 'persisted', domainType: 'agent' });
    expect(await redrivenEvents(record.id)).toMatchObject([{ actorId: 'queue-board' }]);
    const [{ n }] = await t.owner.query(`SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(n).toBe(1);
  });

  it('fails again, with its attempts counted anew, when the retried result still cannot be persisted', async () => {
    const record = await deadLetter();
    const job = await failedJob(record.id);
    await job.retry('failed');

    await waitFor('the redrive', async () => (await redrivenEvents(record.id)).length === 1);
    const again = await failedJob(record.id);
    expect(again.failedReason).toMatch(/downstream is broken/);
    const dead = await waitForServiceCall(t, tenant, record.id, 'dead_lettered');
    expect(dead.attempts).toBe(3);
  });

  it('attributes a retry made from the board to the admin key that made it', async () => {
    const admin = await t.app.get(ApiKeysService).create(adminTenant, 'night-operator');
    const record = await deadLetter();
    await failedJob(record.id);
    await t.app.get(BrokenHandler).heal(tenant.tenantId);

    await t.http().put(`/admin/queues/api/queues/persistence/${record.id}/retry`).set('X-API-Key', admin.key).expect(204);

    await waitForServiceCall(t, tenant, record.id, 'persisted');
    expect(await redrivenEvents(record.id)).toMatchObject([{ actorId: 'night-operator' }]);
  });
});
