import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxPersister } from '../../../src/modules/outbox/outbox-persister';
import { makeAgent } from '../../factories/agent.factory';
import { makeServiceCall } from '../../factories/service-call.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { waitFor } from '../../utils/wait';
import { BrokenHandler, DoomedHandler, FlakyHandler, TestHandlersModule } from './test-handlers';
import { untilFeedCaughtUp } from '../../utils/event-feed';

const ENV = {
  QUEUE_PREFIX: `outbox-${process.pid}`,
  PERSIST_BACKOFF_MS: '20',
  PERSIST_MAX_BACKOFF_MS: '200',
  PERSIST_MAX_ATTEMPTS: '4',
  SWEEP_INTERVAL_MS: '300',
  WORKER_CONCURRENCY: '4',
};

interface Record {
  id: string;
  status: string;
  attempts: number;
  lastError: string | null;
  domainObjects: { type: string; id: string }[];
}

describe('outbox: service-call results persisted exactly once', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp(ENV, [TestHandlersModule]);
    db = t.owner;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  const post = (body: object) => t.http().post('/api/v1/service-calls').set(tenant.auth).send(body);
  const read = async (id: string): Promise<Record> => (await t.http().get(`/api/v1/service-calls/${id}`).set(tenant.auth).expect(200)).body;
  const settled = (id: string, status = 'persisted') =>
    waitFor(`service call ${id} to be ${status}`, async () => {
      const record = await read(id);
      return record.status === status ? record : undefined;
    });
  const count = async (sql: string, ...params: unknown[]): Promise<number> => Number((await db.query(sql, params))[0].n);

  it('accepts with 202, then persists the result into domain rows with their events', async () => {
    const agent = makeAgent({ name: 'from-llm' });
    const accepted = await post(makeServiceCall({ result: agent })).expect(202);
    expect(accepted.body).toMatchObject({ status: 'pending', attempts: 0, schema: 'agent.registration@1' });
    expect(accepted.headers.location).toBe(`/api/v1/service-calls/${accepted.body.id}`);

    const done = await settled(accepted.body.id);
    expect(done).toMatchObject({ attempts: 1, lastError: null, domainObjects: [{ type: 'agent' }] });
    const created = await t.http().get(`/api/v1/agents/${done.domainObjects[0].id}`).set(tenant.auth).expect(200);
    expect(created.body).toMatchObject({ name: 'from-llm', role: agent.role });

    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get('/api/v1/events?limit=200').set(tenant.auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['persistence.received', 'agent.registered', 'persistence.persisted']);
    expect(events.body.items[2].payload).toMatchObject({ domainType: 'agent', domainId: created.body.id, handler: 'core/agent.registration@1' });
  });

  it('writes a result whose key an earlier transaction took (its record deleted, then submitted again) no second time', async () => {
    const body = makeServiceCall({ result: makeAgent({ name: 'persisted-once' }) });
    const first = await settled((await post(body).expect(202)).body.id);
    const [agentId] = first.domainObjects.map((object) => object.id);
    await db.query('DELETE FROM service_call_records WHERE id = $1', [first.id]);

    const again = await post(body).expect(202);
    expect(again.body.id).not.toBe(first.id);
    const done = await settled(again.body.id);

    expect(done).toMatchObject({ attempts: 1, lastError: null, domainObjects: [{ type: 'agent', id: agentId }] });
    expect(await count('SELECT count(*) AS n FROM agents WHERE tenant_id = $1', tenant.tenantId)).toBe(1);
    const keys = await db.query('SELECT record_id, domain_id FROM persisted_chunks WHERE tenant_id = $1', [tenant.tenantId]);
    expect(keys).toEqual([{ record_id: first.id, domain_id: agentId }]);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const persisted = await t.http().get(`/api/v1/events?type=persistence.persisted&aggregateId=${again.body.id}`).set(tenant.auth).expect(200);
    expect(persisted.body.items.map((event: { payload: object }) => event.payload)).toEqual([
      expect.objectContaining({ domainType: 'agent', domainId: agentId }),
    ]);
  });

  it('answers a repeated (callId, schema) with 200 and the first record, creating nothing', async () => {
    const body = makeServiceCall();
    const first = await post(body).expect(202);
    const again = await Promise.all([post(body), post({ ...body, correlationId: 'retry' })]);
    for (const res of again) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: first.body.id, outcome: 'duplicate' });
    }
    await settled(first.body.id);
    expect(await count('SELECT count(*) AS n FROM service_call_records WHERE tenant_id = $1', tenant.tenantId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM agents WHERE tenant_id = $1', tenant.tenantId)).toBe(1);
  });

  it('writes once however often and however concurrently a record is processed', async () => {
    const accepted = await post(makeServiceCall()).expect(202);
    const persister = t.app.get(OutboxPersister);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => persister.process(accepted.body.id)));
    expect(outcomes.filter((o) => o.status === 'persisted').length).toBeLessThanOrEqual(1);
    await settled(accepted.body.id);
    expect(await count('SELECT count(*) AS n FROM agents WHERE tenant_id = $1', tenant.tenantId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM persisted_chunks WHERE tenant_id = $1', tenant.tenantId)).toBe(1);
  });

  it('retries with backoff: a handler failing twice then succeeding shows attempts = 3 and one domain object', async () => {
    const accepted = await post(makeServiceCall({ namespace: 'test', schema: 'flaky@1', result: { name: 'third-time-lucky' } })).expect(202);
    const done = await settled(accepted.body.id);
    expect(done.attempts).toBe(3);
    expect(t.app.get(FlakyHandler).attempts.get(accepted.body.callId)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM agents WHERE tenant_id = $1 AND name = 'third-time-lucky'`, tenant.tenantId)).toBe(1);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const failures = await t.http().get(`/api/v1/events?type=persistence.failed&aggregateId=${accepted.body.id}`).set(tenant.auth).expect(200);
    expect(failures.body.items.map((e: { payload: { attempts: number } }) => e.payload.attempts)).toEqual([1, 2]);
  });

  it('dead-letters a permanent failure at once, and an invalid result without calling the handler', async () => {
    const doomed = t.app.get(DoomedHandler);
    const callsBefore = doomed.calls;
    const permanent = await post(makeServiceCall({ namespace: 'test', schema: 'doomed@1', result: {} })).expect(202);
    const dead = await settled(permanent.body.id, 'dead_lettered');
    expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringContaining('can never be persisted') });
    expect(doomed.calls).toBe(callsBefore + 1);

    // Checked at intake: stored, dead-lettered in the same transaction, never handed to a worker.
    const invalid = await post(makeServiceCall({ result: { name: 42 } })).expect(202);
    expect(invalid.body).toMatchObject({ status: 'dead_lettered', outcome: 'dead_lettered', handler: 'core/agent.registration@1' });
    const rejected = await read(invalid.body.id);
    expect(rejected.attempts).toBe(0);
    expect(rejected.lastError).toMatch(/agent\.registration@1.*role/);
    expect(await count('SELECT count(*) AS n FROM agents WHERE tenant_id = $1', tenant.tenantId)).toBe(0);

    const listed = await t.http().get('/api/v1/dead-letters').set(tenant.auth).expect(200);
    expect(listed.body.items.map((r: { id: string }) => r.id).sort()).toEqual([permanent.body.id, invalid.body.id].sort());
    // On the board: a FAILED job of the record, the reason as its failedReason.
    const queue = t.app.get<Queue>(getQueueToken('persistence'));
    const failed = await waitFor('the dead letter to be a failed job', async () => {
      const job = await queue.getJob(permanent.body.id);
      return job && (await job.getState()) === 'failed' ? job : undefined;
    });
    expect(failed.failedReason).toContain('can never be persisted');
    expect(failed.data).toMatchObject({ recordId: permanent.body.id, tenantId: tenant.tenantId, callId: permanent.body.callId, schema: 'doomed@1' });
  });

  it('dead-letters after the last attempt; redrive persists it, and redriving again creates nothing', async () => {
    const broken = t.app.get(BrokenHandler);
    const accepted = await post(makeServiceCall({ namespace: 'test', schema: 'broken@1', result: {} })).expect(202);
    const dead = await settled(accepted.body.id, 'dead_lettered');
    expect(dead.attempts).toBe(4);
    expect(dead.lastError).toMatch(/downstream is broken/);

    await broken.heal(tenant.tenantId);
    // Paused, so that the second redrive certainly finds the record still pending.
    const persistence = t.app.get<Queue>(getQueueToken('persistence'));
    await persistence.pause();
    try {
      const redriven = await t.http().post(`/api/v1/dead-letters/${accepted.body.id}/redrive`).set(tenant.auth).set('X-Actor-Id', 'operator-1').expect(202);
      expect(redriven.body).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
      const again = await t.http().post(`/api/v1/dead-letters/${accepted.body.id}/redrive`).set(tenant.auth).expect(202);
      expect(again.body).toMatchObject({ status: 'pending', version: redriven.body.version });
    } finally {
      await persistence.resume();
    }

    const done = await settled(accepted.body.id);
    expect(done.attempts).toBe(1);
    const afterPersisted = await t.http().post(`/api/v1/dead-letters/${accepted.body.id}/redrive`).set(tenant.auth).expect(409);
    expect(afterPersisted.body).toMatchObject({ code: 'NOT_REDRIVABLE', currentStatus: 'persisted' });
    expect(await count(`SELECT count(*) AS n FROM agents WHERE tenant_id = $1`, tenant.tenantId)).toBe(1);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const audit = await t.http().get(`/api/v1/events?type=persistence.redriven&aggregateId=${accepted.body.id}`).set(tenant.auth).expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actorId).toBe('operator-1');
  });

  it('reports readiness of the queues and outcomes, depth and latency on /metrics', async () => {
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } });
    const accepted = await post(makeServiceCall()).expect(202);
    await settled(accepted.body.id);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/persistence_results_total\{handler="core\/agent\.registration@1",outcome="persisted"\} [1-9]/);
    expect(metrics).toMatch(/persistence_intake_to_persisted_seconds_count\{handler="core\/agent\.registration@1"\} [1-9]/);
    expect(metrics).toMatch(/queue_jobs\{queue="persistence",state="completed"\} \d+/);
    expect(metrics).toMatch(/queue_jobs\{queue="persistence",state="failed"\} \d+/);
  });

  it('skips a result no handler serves, without retrying it', async () => {
    const accepted = await post(makeServiceCall({ namespace: 'nobody', schema: 'unknown.thing@3', result: { any: 'thing' } })).expect(202);
    const skipped = await settled(accepted.body.id, 'skipped');
    expect(skipped.attempts).toBe(0);
    expect(skipped.lastError).toMatch(/no handler for nobody\/unknown\.thing@3/);
  });

  it('falls back to the core handler of a schema for a namespace without its own', async () => {
    const accepted = await post(makeServiceCall({ namespace: 'my-team', result: makeAgent({ name: 'via-core' }) })).expect(202);
    const done = await settled(accepted.body.id);
    expect(done.domainObjects[0].type).toBe('agent');
  });

  it('searches records by status, namespace and schema, scoped to the tenant', async () => {
    const a = await post(makeServiceCall()).expect(202);
    const b = await post(makeServiceCall({ namespace: 'nobody', schema: 'x@1', result: {} })).expect(202);
    await settled(a.body.id);
    await settled(b.body.id, 'skipped');
    const persisted = await t.http().get('/api/v1/service-calls?status=persisted').set(tenant.auth).expect(200);
    expect(persisted.body.items.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
    expect(persisted.body.items[0].domainObjects).toEqual([{ type: 'agent', id: expect.any(String) }]);
    const bySchema = await t.http().get('/api/v1/service-calls?schema=x@1&namespace=nobody').set(tenant.auth).expect(200);
    expect(bySchema.body.items.map((r: { id: string }) => r.id)).toEqual([b.body.id]);

    const other = await createTenant(t.app);
    await t.http().get(`/api/v1/service-calls/${a.body.id}`).set(other.auth).expect(404);
    await t.http().post(`/api/v1/dead-letters/${a.body.id}/redrive`).set(other.auth).expect(404);
    const theirs = await t.http().get('/api/v1/service-calls').set(other.auth).expect(200);
    expect(theirs.body.items).toEqual([]);
    const theirDeadLetters = await t.http().get('/api/v1/dead-letters').set(other.auth).expect(200);
    expect(theirDeadLetters.body.items).toEqual([]);
    // The same call id in another tenant is another result.
    await t
      .http()
      .post('/api/v1/service-calls')
      .set(other.auth)
      .send({ ...makeServiceCall(), callId: a.body.callId })
      .expect(202);
  });

  it('refuses malformed intake with a problem and stores nothing', async () => {
    for (const body of [
      { ...makeServiceCall(), schema: 'no-version' },
      { ...makeServiceCall(), namespace: 'Bad Namespace' },
      { ...makeServiceCall(), callId: '' },
      { ...makeServiceCall(), result: undefined },
      { ...makeServiceCall(), priority: 0 },
      { ...makeServiceCall(), extra: true },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect(await count('SELECT count(*) AS n FROM service_call_records WHERE tenant_id = $1', tenant.tenantId)).toBe(0);
  });

  it('recovers every pending record after Redis lost its jobs (the sweeper rebuilds the queue)', async () => {
    const persistence = t.app.get<Queue>(getQueueToken('persistence'));
    await persistence.pause();
    try {
      const accepted = await Promise.all(Array.from({ length: 20 }, () => post(makeServiceCall()).expect(202)));
      // Lose every job, as a Redis restart without persistence or a FLUSHDB would.
      await persistence.obliterate({ force: true });
      await persistence.resume();
      for (const res of accepted) await settled(res.body.id);
    } finally {
      await persistence.resume();
    }
    expect(await count('SELECT count(*) AS n FROM agents WHERE tenant_id = $1', tenant.tenantId)).toBe(20);
  });
});
