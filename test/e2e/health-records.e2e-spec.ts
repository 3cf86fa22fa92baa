import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { makeAgent } from '../factories/agent.factory';
import { makeHealthRecord } from '../factories/health-record.factory';
import { changesNothing as changesNothingIn, expectFieldErrors, expectIndistinguishable, expectProblem, expectUnknownReferences } from '../utils/problems';
import { TestApp, TestTenant, useTwoTenants } from '../utils/test-app';

interface RecordBody {
  id: string;
  component: string;
  status: string;
  recordedAt: string;
  [field: string]: unknown;
}

describe('health records API', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const suite = useTwoTenants();
  beforeEach(() => void ({ t, db, tenant, other } = suite));

  async function registerAgent(owner: TestTenant): Promise<string> {
    return (await t.http().post('/api/v1/agents').set(owner.auth).send(makeAgent()).expect(201)).body.id;
  }

  async function report(overrides: Record<string, unknown> = {}, owner = tenant): Promise<RecordBody> {
    return (await t.http().post('/api/v1/health-records').set(owner.auth).send(makeHealthRecord(overrides)).expect(201)).body;
  }

  /** The API stamps recorded_at itself; tests of `since` move it to well-separated instants. */
  async function backdate(id: string, recordedAt: string): Promise<void> {
    await db.query('UPDATE health_records SET recorded_at = $1 WHERE id = $2', [recordedAt, id]);
  }

  async function list(query: string, owner = tenant): Promise<{ items: RecordBody[]; nextCursor: string | null }> {
    return (await t.http().get(`/api/v1/health-records${query}`).set(owner.auth).expect(200)).body;
  }

  const ids = (page: { items: RecordBody[] }): string[] => page.items.map((record) => record.id);

  const changesNothing = (request: () => Promise<Response>) => changesNothingIn(db, tenant.tenantId, ['health_records', 'domain_events'], request);

  it('records an observation: 201 with every field, recordedAt stamped now, and reads it back in the list', async () => {
    const res = await t
      .http()
      .post('/api/v1/health-records')
      .set(tenant.auth)
      .send({ component: 'llm-gateway', status: 'degraded', message: 'p99 above 2 s', responseTimeMs: 2300, details: { region: 'eu', errors: 3 } })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      component: 'llm-gateway',
      status: 'degraded',
      message: 'p99 above 2 s',
      responseTimeMs: 2300,
      agentId: null,
      agentKey: null,
      details: { region: 'eu', errors: 3 },
      recordedAt: expect.any(String),
      createdBy: 'test-key',
      createdByKeyId: (await db.query('SELECT id FROM api_keys WHERE tenant_id = $1', [tenant.tenantId]))[0].id,
    });
    expect(Math.abs(Date.parse(res.body.recordedAt) - Date.now())).toBeLessThan(60_000);
    expect(res.headers.etag).toBeUndefined();

    const minimal = await t.http().post('/api/v1/health-records').set(tenant.auth).send({ component: 'db', status: 'down' }).expect(201);
    expect(minimal.body).toMatchObject({ message: null, responseTimeMs: null, agentId: null, details: {} });

    expect((await list('')).items).toEqual([res.body, minimal.body]);
  });

  it('records an observation about one of the tenant’s agents', async () => {
    const agentId = await registerAgent(tenant);
    const record = await report({ component: 'agent', agentId });
    expect(record.agentId).toBe(agentId);
  });

  it('refuses an agentId of another tenant with 422 naming the field, exactly as one that does not exist, and writes nothing', async () => {
    const foreignAgent = await registerAgent(other);
    const missingAgent = randomUUID();
    const post = (agentId: string) => t.http().post('/api/v1/health-records').set(tenant.auth).send(makeHealthRecord({ agentId }));
    const foreign = await changesNothing(() => post(foreignAgent));
    const missing = await changesNothing(() => post(missingAgent));
    expectUnknownReferences(foreign, ['agentId']);
    expectIndistinguishable(foreign, foreignAgent, missing, missingAgent);
  });

  it('filters by component and by since (inclusive, any time zone), oldest first', async () => {
    const r1 = await report({ component: 'db' });
    const r2 = await report({ component: 'queue' });
    const r3 = await report({ component: 'db' });
    const r4 = await report({ component: 'queue', status: 'down' });
    await backdate(r1.id, '2026-01-01T00:00:00Z');
    await backdate(r2.id, '2026-01-02T00:00:00Z');
    await backdate(r3.id, '2026-01-03T00:00:00Z');
    await backdate(r4.id, '2026-01-04T12:00:00Z');

    expect(ids(await list(''))).toEqual([r1.id, r2.id, r3.id, r4.id]);
    expect(ids(await list('?component=db'))).toEqual([r1.id, r3.id]);
    expect(ids(await list('?component=queue'))).toEqual([r2.id, r4.id]);
    expect(ids(await list('?component=cache'))).toEqual([]);

    const since = async (value: string, extra = ''): Promise<string[]> => ids(await list(`?since=${encodeURIComponent(value)}${extra}`));
    expect(await since('2026-01-02T00:00:00Z')).toEqual([r2.id, r3.id, r4.id]);
    expect(await since('2026-01-02')).toEqual([r2.id, r3.id, r4.id]);
    expect(await since('2026-01-02T00:00:00.001Z')).toEqual([r3.id, r4.id]);
    expect(await since('2026-01-02T01:00:00+02:00')).toEqual([r2.id, r3.id, r4.id]);
    expect(await since('2026-01-01T23:00:00-01:00')).toEqual([r2.id, r3.id, r4.id]);
    expect(await since('2026-01-04T12:00:00Z')).toEqual([r4.id]);
    expect(await since('2026-01-05')).toEqual([]);
    expect(await since('2026-01-02', '&component=db')).toEqual([r3.id]);
  });

  it('pages through the records by cursor in creation order, filters included', async () => {
    const created: RecordBody[] = [];
    for (let i = 0; i < 7; i++) created.push(await report({ component: i % 2 === 0 ? 'db' : 'queue', responseTimeMs: i }));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((record) => record.id));

    const firstDb = await list('?component=db&limit=2');
    const restDb = await list(`?component=db&limit=2&cursor=${firstDb.nextCursor}`);
    expect([...ids(firstDb), ...ids(restDb)]).toEqual([created[0].id, created[2].id, created[4].id, created[6].id]);
    expect(restDb.nextCursor).toBeNull();
  });

  it('keeps each tenant’s records to itself, whatever the filters', async () => {
    const mine = await report({ component: 'shared-name' });
    const theirs = await report({ component: 'shared-name' }, other);
    for (const query of ['', '?component=shared-name', '?since=2000-01-01', '?limit=200']) {
      expect(ids(await list(query))).toEqual([mine.id]);
      expect(ids(await list(query, other))).toEqual([theirs.id]);
    }
    const page = await list('?limit=1', other);
    expect(page.nextCursor).toBeNull();
  });

  describe('bad input: 4xx problem+json, nothing written', () => {
    it('refuses a POST body with missing, mistyped or unknown fields, naming each', async () => {
      const cases: [object, string[]][] = [
        [{}, ['component', 'status']],
        [makeHealthRecord({ status: 'fine' as never }), ['status']],
        [makeHealthRecord({ component: '' }), ['component']],
        [makeHealthRecord({ component: 'x'.repeat(201) }), ['component']],
        [makeHealthRecord({ responseTimeMs: -1 }), ['responseTimeMs']],
        [makeHealthRecord({ responseTimeMs: '12' as never }), ['responseTimeMs']],
        [makeHealthRecord({ responseTimeMs: 3_000_000_000 }), ['responseTimeMs']],
        [makeHealthRecord({ agentId: 'agent 7' }), ['agentId']],
        [makeHealthRecord({ details: ['a'] as never }), ['details']],
        [makeHealthRecord({ message: 'm'.repeat(2001) }), ['message']],
        [{ ...makeHealthRecord(), recordedAt: '2026-01-01T00:00:00Z' }, ['recordedAt']],
        [{ ...makeHealthRecord(), tenantId: other.tenantId }, ['tenantId']],
      ];
      for (const [body, fields] of cases) {
        const res = await changesNothing(() => t.http().post('/api/v1/health-records').set(tenant.auth).send(body));
        expectFieldErrors(res, fields);
      }
      const notJson = await changesNothing(() => t.http().post('/api/v1/health-records').set(tenant.auth).set('Content-Type', 'text/plain').send('ok'));
      expectProblem(notJson, 415, 'UNSUPPORTED_MEDIA_TYPE');
      await changesNothing(() => t.http().post('/api/v1/health-records').send(makeHealthRecord()).expect(401));
    });

    it('refuses a bad since, component, limit, cursor or unknown parameter on the list', async () => {
      for (const since of ['yesterday', '2026-02-30', '2026-01-01T10:00:00', '01/02/2026', '2026-1-1', '0999-01-01', '2026-01-01T25:00:00Z', '']) {
        const res = await t.http().get('/api/v1/health-records').query({ since }).set(tenant.auth);
        expectFieldErrors(res, ['since']);
      }
      expectFieldErrors(await t.http().get('/api/v1/health-records?component=').set(tenant.auth), ['component']);
      expectFieldErrors(await t.http().get('/api/v1/health-records?limit=500').set(tenant.auth), ['limit']);
      expectFieldErrors(await t.http().get('/api/v1/health-records?status=down').set(tenant.auth), ['status']);
      const forged = await t.http().get('/api/v1/health-records').query({ cursor: 'abc' }).set(tenant.auth);
      expect(expectProblem(forged, 400, 'BAD_REQUEST').detail).toMatch(/cursor/);
      await t.http().get('/api/v1/health-records').expect(401);
    });
  });
});
