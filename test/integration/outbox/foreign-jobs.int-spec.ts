import { Client } from 'pg';
import { register } from 'prom-client';
import { makeServiceCall } from '../../factories/service-call.factory';
import { createScratchDatabase, ScratchDatabase } from '../../utils/scratch-database';
import { createTenant, createTestApp, TestApp } from '../../utils/test-app';
import { waitFor } from '../../utils/wait';

async function foreignJobsRefused(): Promise<number> {
  const metric = await register.getSingleMetric('outbox_foreign_jobs_total')?.get();
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

/**
 * Two deployments, each with its own database, on ONE Redis db with ONE QUEUE_PREFIX (the
 * misconfiguration that used to make a worker take the other's jobs and answer "missing").
 */
describe('two deployments sharing one Redis and one queue prefix', () => {
  const prefix = `shared-${process.pid}`;
  let other: ScratchDatabase;
  let theirDb: Client;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    other = await createScratchDatabase('foreign');
    theirDb = new Client({ connectionString: other.ownerUrl });
    await theirDb.connect();
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await theirDb.end();
    await other.drop();
  });

  it('never process each other’s jobs: a foreign job is refused (counted), and its own workers persist it', async () => {
    // Ours: a worker on the test database. Theirs: an API only, on another database, for now.
    const ours = await createTestApp({ QUEUE_PREFIX: prefix, APP_ROLE: 'worker', SWEEP_INTERVAL_MS: '60000' });
    apps.push(ours);
    const theirs = await createTestApp({ QUEUE_PREFIX: prefix, APP_ROLE: 'api', DATABASE_URL: other.serviceUrl });
    apps.push(theirs);
    const refusedBefore = await foreignJobsRefused();

    const tenant = await createTenant(theirs.app);
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push((await theirs.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()).expect(202)).body);

    // Our worker receives their wake-up and refuses it, loudly.
    await waitFor('our worker to refuse their job', async () => (await foreignJobsRefused()) > refusedBefore);
    const pending = async () => {
      const { rows } = await theirDb.query(`SELECT count(*)::int AS n FROM service_call_records WHERE status = 'pending'`);
      return rows[0].n as number;
    };
    expect(await pending()).toBe(3);

    // Their own worker comes up: the refused job reaches it, and their results are persisted in their database.
    apps.push(await createTestApp({ QUEUE_PREFIX: prefix, APP_ROLE: 'worker', DATABASE_URL: other.serviceUrl, SWEEP_INTERVAL_MS: '60000' }));
    await waitFor('their results to be persisted by their worker', async () => (await pending()) === 0, 30_000);
    const { rows } = await theirDb.query(`SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(rows[0].n).toBe(3);
    const [{ ours: none }] = await ours.owner.query(`SELECT count(*)::int AS ours FROM service_call_records WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(none).toBe(0);
  });
});
