import { DataSource } from 'typeorm';
import { makeServiceCall } from '../../factories/service-call.factory';
import { TestApp, TestTenant, useTwoTenants } from '../../utils/test-app';
import { waitForServiceCall } from '../../utils/service-calls';

describe('knowledge persistence handlers', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;

  const suite = useTwoTenants({ QUEUE_PREFIX: `knowledge-${process.pid}`, PERSIST_BACKOFF_MS: '20', SWEEP_INTERVAL_MS: '300' });
  beforeEach(() => void ({ t, db, tenant } = suite));

  const api = () => t.http();
  const settled = (id: string, status: string) => waitForServiceCall(t, tenant, id, status);
  const submit = async (body: Record<string, unknown>) => (await api().post('/api/v1/service-calls').set(tenant.auth).send(body).expect(202)).body;

  it('knowledge/insight@1 records a searchable insight with its event', async () => {
    const result = { summary: 'Backoff tames rate limits', domain: 'reliability', confidence: 0.9, content: 'Retrying with jitter kept the crawler running.' };
    const accepted = await submit(makeServiceCall({ namespace: 'knowledge', schema: 'insight@1', result }));
    const done = await settled(accepted.id, 'persisted');
    expect(done.domainObjects[0].type).toBe('insight');
    const id = done.domainObjects[0].id;

    const stored = await api().get(`/api/v1/insights/${id}`).set(tenant.auth).expect(200);
    expect(stored.body).toMatchObject({ ...result, version: 1 });
    const found = await api().get('/api/v1/insights/search?q=run').set(tenant.auth).expect(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = 'insight.recorded' AND aggregate_id = $2`, [
      tenant.tenantId,
      id,
    ]);
    expect(n).toBe(1);
  });

  it('knowledge/insight@1 dead-letters at once an insight with a confidence outside 0..1, writing nothing', async () => {
    const accepted = await submit(
      makeServiceCall({ namespace: 'knowledge', schema: 'insight@1', result: { summary: 's', domain: 'd', confidence: 1.5, content: 'c' } }),
    );
    const dead = await settled(accepted.id, 'dead_lettered');
    expect(dead.attempts).toBe(0); // refused by the intake's schema check: never handed to a worker
    expect(dead.lastError).toMatch(/confidence/);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM insights WHERE tenant_id = $1', [tenant.tenantId]);
    expect(n).toBe(0);
  });

  it('knowledge/pattern@1 upserts by trigger: two calls make one pattern used twice, with the latest steps', async () => {
    const first = await submit(makeServiceCall({ namespace: 'knowledge', schema: 'pattern@1', result: { trigger: 'triage bug', steps: ['read', 'label'] } }));
    const one = await settled(first.id, 'persisted');
    const second = await submit(
      makeServiceCall({ namespace: 'knowledge', schema: 'pattern@1', result: { trigger: 'triage bug', steps: ['read', 'label', 'assign'] } }),
    );
    const two = await settled(second.id, 'persisted');
    expect(one.domainObjects[0]).toMatchObject({ type: 'pattern' });
    expect(two.domainObjects[0]).toEqual(one.domainObjects[0]);

    const rows = await db.query('SELECT id, trigger, steps, usage_count, version FROM patterns WHERE tenant_id = $1', [tenant.tenantId]);
    expect(rows).toEqual([{ id: one.domainObjects[0].id, trigger: 'triage bug', steps: ['read', 'label', 'assign'], usage_count: 2, version: 2 }]);
    const events = await db.query('SELECT type FROM domain_events WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY id', [tenant.tenantId, rows[0].id]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['pattern.created', 'pattern.used', 'pattern.used']);

    // Re-submitting a call id already persisted changes nothing: the count stays at 2 (another result under it is a conflict).
    await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(
        makeServiceCall({
          callId: second.callId,
          namespace: 'knowledge',
          schema: 'pattern@1',
          result: { trigger: 'triage bug', steps: ['read', 'label', 'assign'] },
        }),
      )
      .expect(200);
    await api()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ callId: second.callId, namespace: 'knowledge', schema: 'pattern@1', result: { trigger: 'triage bug', steps: [] } }))
      .expect(409);
    const [after] = await db.query('SELECT usage_count FROM patterns WHERE id = $1', [rows[0].id]);
    expect(after.usage_count).toBe(2);
  });

  it('knowledge/pattern@1 counts a use of a pattern created through the API', async () => {
    const created = (
      await api()
        .post('/api/v1/patterns')
        .set(tenant.auth)
        .send({ trigger: 'deploy', steps: ['build'] })
        .expect(201)
    ).body;
    const accepted = await submit(makeServiceCall({ namespace: 'knowledge', schema: 'pattern@1', result: { trigger: 'deploy', steps: ['build'] } }));
    const done = await settled(accepted.id, 'persisted');
    expect(done.domainObjects[0].id).toBe(created.id);
    const pattern = (await api().get(`/api/v1/patterns/${created.id}`).set(tenant.auth).expect(200)).body;
    expect(pattern).toMatchObject({ usageCount: 1, version: 1, steps: ['build'] });
  });
});
