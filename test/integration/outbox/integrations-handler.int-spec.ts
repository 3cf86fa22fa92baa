import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxPersister } from '../../../src/modules/outbox/outbox-persister';
import { makeServiceCall } from '../../factories/service-call.factory';
import { waitForServiceCall } from '../../utils/service-calls';
import { TestApp, TestTenant, useTwoTenants } from '../../utils/test-app';

describe('integrations/object.import@1 persistence handler', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;

  const suite = useTwoTenants({ QUEUE_PREFIX: `integrations-${process.pid}`, PERSIST_BACKOFF_MS: '20', SWEEP_INTERVAL_MS: '300' });
  beforeEach(() => void ({ t, db, tenant } = suite));

  const api = () => t.http();
  const settled = (id: string, status: string) => waitForServiceCall(t, tenant, id, status);
  const submit = async (result: Record<string, unknown>) =>
    (
      await api()
        .post('/api/v1/service-calls')
        .set(tenant.auth)
        .send(makeServiceCall({ namespace: 'integrations', schema: 'object.import@1', result }))
        .expect(202)
    ).body;
  const rowsOf = () => db.query('SELECT id, version, original_data, summary FROM integrated_objects WHERE tenant_id = $1', [tenant.tenantId]);
  const eventCount = async (type: string) =>
    (await db.query('SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = $2', [tenant.tenantId, type]))[0].n as number;

  const ticket = (overrides: Record<string, unknown> = {}) => ({
    platform: 'zendesk',
    originalId: `ticket-${randomUUID()}`,
    objectType: 'ticket',
    companyId: 'acme',
    originalData: { subject: 'Printer on fire', status: 'open' },
    ...overrides,
  });

  it('imports the object once, however often its job runs', async () => {
    const result = ticket({ integratedContent: 'The printer is on fire.' });
    const accepted = await submit(result);
    const done = await settled(accepted.id, 'persisted');
    expect(done.domainObjects).toEqual([{ type: 'integrated_object', id: expect.any(String) }]);
    const id = done.domainObjects[0].id;
    const stored = (await api().get(`/api/v1/integrated-objects/${id}`).set(tenant.auth).expect(200)).body;
    expect(stored).toMatchObject({ ...result, version: 1 });

    // The job runs again (a redelivery), several times at once, and once more after that.
    const persister = t.app.get(OutboxPersister);
    const outcomes = await Promise.all([persister.process(accepted.id), persister.process(accepted.id)]);
    outcomes.push(await persister.process(accepted.id));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['already_done', 'already_done', 'already_done']);

    // Even with the record pending again, its idempotency key stops a second write.
    await db.query(`UPDATE service_call_records SET status = 'pending' WHERE id = $1`, [accepted.id]);
    expect(await persister.process(accepted.id)).toMatchObject({ status: 'persisted', domainType: 'integrated_object', domainId: id });

    expect(await rowsOf()).toEqual([{ id, version: 1, original_data: result.originalData, summary: null }]);
    expect(await eventCount('integrated_object.imported')).toBe(1);
    expect(await eventCount('integrated_object.reimported')).toBe(0);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM persisted_chunks WHERE tenant_id = $1', [tenant.tenantId]);
    expect(n).toBe(1);
  });

  it('updates an object imported over HTTP, as a re-import would, and leaves an identical one alone', async () => {
    const body = ticket();
    const created = (await api().post('/api/v1/integrated-objects').set(tenant.auth).send(body).expect(201)).body;

    const same = await settled((await submit(body)).id, 'persisted');
    expect(same.domainObjects[0].id).toBe(created.id);
    const changed = await settled(
      (await submit({ ...body, originalData: { subject: 'Printer on fire', status: 'solved' }, summary: 'Extinguished' })).id,
      'persisted',
    );
    expect(changed.domainObjects[0].id).toBe(created.id);

    expect(await rowsOf()).toEqual([{ id: created.id, version: 2, original_data: { subject: 'Printer on fire', status: 'solved' }, summary: 'Extinguished' }]);
    expect(await eventCount('integrated_object.reimported')).toBe(1);
    expect(await eventCount('integrated_object.summary_changed')).toBe(1);
  });

  it('imports the same original id of two companies as two objects, and re-imports each into its own', async () => {
    const acme = await settled((await submit(ticket({ originalId: '123', companyId: 'acme' }))).id, 'persisted');
    const globex = await settled((await submit(ticket({ originalId: '123', companyId: 'globex' }))).id, 'persisted');
    expect(acme.domainObjects[0].id).not.toBe(globex.domainObjects[0].id);
    const again = await settled(
      (await submit(ticket({ originalId: '123', companyId: 'globex', originalData: { subject: 'Printer on fire', status: 'solved' } }))).id,
      'persisted',
    );
    expect(again.domainObjects[0].id).toBe(globex.domainObjects[0].id);
    const rows = await db.query(`SELECT company_id, version FROM integrated_objects WHERE tenant_id = $1 ORDER BY company_id`, [tenant.tenantId]);
    expect(rows).toEqual([
      { company_id: 'acme', version: 1 },
      { company_id: 'globex', version: 2 },
    ]);
  });

  it('makes one object of concurrent outbox imports of the same new object', async () => {
    const body = ticket();
    const accepted = await Promise.all(Array.from({ length: 6 }, () => submit(body)));
    const done = await Promise.all(accepted.map((record) => settled(record.id, 'persisted')));
    const rows = await rowsOf();
    expect(rows).toHaveLength(1);
    expect(rows[0].version).toBe(1);
    expect(new Set(done.map((record) => record.domainObjects[0].id))).toEqual(new Set([rows[0].id]));
    expect(await eventCount('integrated_object.imported')).toBe(1);
  });

  it('dead-letters at once a result that is not an import body, writing nothing', async () => {
    const accepted = await submit({ platform: 'zendesk', originalId: '1', objectType: 'ticket', originalData: ['not', 'an', 'object'] });
    const dead = await settled(accepted.id, 'dead_lettered');
    expect(dead.attempts).toBe(0); // refused by the intake's schema check: never handed to a worker
    expect(dead.lastError).toMatch(/object\.import@1.*originalData/);
    expect(await rowsOf()).toEqual([]);
  });
});
