import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { changesNothing as changesNothingIn, expectFieldErrors, expectIndistinguishable, expectProblem } from '../utils/problems';
import { TestApp, TestTenant, useTwoTenants } from '../utils/test-app';

const TABLES = ['integrated_objects', 'domain_events'];

describe('integrations API', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const suite = useTwoTenants();
  beforeEach(() => void ({ t, db, tenant, other } = suite));

  const post = (path: string, body: unknown, owner = tenant) =>
    t
      .http()
      .post(`/api/v1${path}`)
      .set(owner.auth)
      .send(body as object);
  const get = (path: string, owner = tenant) => t.http().get(`/api/v1${path}`).set(owner.auth);
  const patchSummary = (id: string, body: unknown, ifMatch?: string, owner = tenant) => {
    const request = t.http().patch(`/api/v1/integrated-objects/${id}/summary`).set(owner.auth);
    return (ifMatch === undefined ? request : request.set('If-Match', ifMatch)).send(body as object);
  };
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  const eventTypes = async (id: string) => ((await get(`/events?aggregateId=${id}`).expect(200)).body.items as { type: string }[]).map((event) => event.type);

  const ticket = (overrides: Record<string, unknown> = {}) => ({
    platform: 'zendesk',
    originalId: `ticket-${randomUUID()}`,
    objectType: 'ticket',
    companyId: 'acme',
    originalData: { subject: 'Login fails', status: 'open', tags: ['auth'] },
    integratedContent: 'Customer cannot log in since the update.',
    ...overrides,
  });

  const changesNothing = (request: () => Promise<Response>) => changesNothingIn(db, tenant.tenantId, TABLES, request);

  describe('import', () => {
    it('imports a new object with 201, its version as ETag and an imported event', async () => {
      const body = ticket({ metadata: { syncedBy: 'nightly' } });
      const res = await post('/integrated-objects', body).expect(201);
      expect(res.body).toMatchObject({ ...body, summary: null, version: 1, createdBy: 'test-key', updatedBy: 'test-key' });
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.location).toBe(`/api/v1/integrated-objects/${res.body.id}`);
      expect((await get(`/integrated-objects/${res.body.id}`).expect(200)).body).toEqual(res.body);

      const minimal = (await post('/integrated-objects', { platform: 'hubspot', originalId: '1', objectType: 'contact', originalData: {} }).expect(201)).body;
      expect(minimal).toMatchObject({ companyId: null, integratedContent: null, metadata: {}, summary: null });

      const events = (await get(`/events?type=integrated_object.*&aggregateId=${res.body.id}`).expect(200)).body.items;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'integrated_object.imported',
        aggregateVersion: 1,
        payload: { integratedObjectId: res.body.id, platform: 'zendesk', originalId: body.originalId, objectType: 'ticket', companyId: 'acme' },
      });
    });

    it('re-imports by updating the stored object: same id, new version, omitted fields kept', async () => {
      const first = (await post('/integrated-objects', ticket({ summary: 'Login issue' })).expect(201)).body;
      const changed = {
        platform: 'zendesk',
        originalId: first.originalId,
        companyId: 'acme',
        objectType: 'ticket',
        originalData: { subject: 'Login fails', status: 'solved' },
      };
      const res = await post('/integrated-objects', changed).expect(200);
      expect(res.body).toMatchObject({
        id: first.id,
        version: 2,
        originalData: { subject: 'Login fails', status: 'solved' },
        companyId: 'acme',
        integratedContent: first.integratedContent,
        summary: 'Login issue',
        createdAt: first.createdAt,
      });
      expect(res.headers.etag).toBe('"2"');

      // null clears a nullable field; the summary can come with an import too.
      const cleared = (await post('/integrated-objects', { ...changed, integratedContent: null, summary: 'Solved' }).expect(200)).body;
      expect(cleared).toMatchObject({ id: first.id, version: 3, companyId: 'acme', integratedContent: null, summary: 'Solved' });

      const [{ n }] = await db.query('SELECT count(*)::int AS n FROM integrated_objects WHERE tenant_id = $1', [tenant.tenantId]);
      expect(n).toBe(1);
      const events = (await get(`/events?aggregateId=${first.id}`).expect(200)).body.items;
      expect(events.map((e: { type: string }) => e.type)).toEqual([
        'integrated_object.imported',
        'integrated_object.reimported',
        'integrated_object.reimported',
        'integrated_object.summary_changed',
      ]);
      expect(events[1].payload).toEqual({ integratedObjectId: first.id, platform: 'zendesk', originalId: first.originalId, changed: ['originalData'] });
      expect(events[2].payload.changed).toEqual(['integratedContent', 'summary']);
      expect(events[3].aggregateVersion).toBe(3);
    });

    it('keys objects by company: two companies\' ticket "123" are two objects, and one without a company is a third', async () => {
      const acme = (await post('/integrated-objects', ticket({ originalId: '123', companyId: 'acme' })).expect(201)).body;
      const globex = (await post('/integrated-objects', ticket({ originalId: '123', companyId: 'globex' })).expect(201)).body;
      const none = (await post('/integrated-objects', ticket({ originalId: '123', companyId: undefined })).expect(201)).body;
      expect(new Set([acme.id, globex.id, none.id]).size).toBe(3);
      expect(none.companyId).toBeNull();

      // Each re-import finds its own company's object (an absent companyId and null name the same one).
      const solved = { subject: 'Login fails', status: 'solved' };
      expect((await post('/integrated-objects', ticket({ originalId: '123', companyId: 'globex', originalData: solved })).expect(200)).body).toMatchObject({
        id: globex.id,
        version: 2,
      });
      expect((await post('/integrated-objects', ticket({ originalId: '123', companyId: null, originalData: solved })).expect(200)).body).toMatchObject({
        id: none.id,
        version: 2,
      });
      const bulk = (
        await post('/integrated-objects/bulk', {
          items: [ticket({ originalId: '123', companyId: 'acme', originalData: solved }), ticket({ originalId: '123', companyId: 'initech' })],
        }).expect(201)
      ).body;
      expect(bulk.items[0]).toMatchObject({ id: acme.id, version: 2 });
      expect(bulk.items[1].id).not.toBe(acme.id);

      const rows = await db.query(
        `SELECT company_id, version FROM integrated_objects WHERE tenant_id = $1 AND original_id = '123' ORDER BY company_id NULLS FIRST`,
        [tenant.tenantId],
      );
      expect(rows).toEqual([
        { company_id: null, version: 2 },
        { company_id: 'acme', version: 2 },
        { company_id: 'globex', version: 2 },
        { company_id: 'initech', version: 1 },
      ]);
      expect((await get('/integrated-objects?companyId=globex').expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([globex.id]);
    });

    it('changes nothing on an identical re-import: 200, same version, no event', async () => {
      const body = ticket({ metadata: { a: 1, b: { c: [1, 2] } } });
      const first = (await post('/integrated-objects', body).expect(201)).body;
      const reordered = { ...body, originalData: { tags: ['auth'], status: 'open', subject: 'Login fails' }, metadata: { b: { c: [1, 2] }, a: 1 } };
      for (const again of [
        body,
        reordered,
        { platform: body.platform, originalId: body.originalId, companyId: body.companyId, objectType: 'ticket', originalData: body.originalData },
      ]) {
        const res = await post('/integrated-objects', again).expect(200);
        expect(res.body).toEqual(first);
        expect(res.headers.etag).toBe('"1"');
      }
      expect(await eventTypes(first.id)).toEqual(['integrated_object.imported']);
    });

    it('makes ONE row of concurrent first imports of the same object', async () => {
      const body = ticket();
      const results = await Promise.all(Array.from({ length: 12 }, () => post('/integrated-objects', body)));
      expect(results.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((res) => res.body.id)).size).toBe(1);
      expect(results.every((res) => res.body.version === 1)).toBe(true);
      const rows = await db.query('SELECT id FROM integrated_objects WHERE tenant_id = $1', [tenant.tenantId]);
      expect(rows).toEqual([{ id: results[0].body.id }]);
      expect(await eventTypes(rows[0].id)).toEqual(['integrated_object.imported']);
    });

    it('applies every one of concurrent differing imports of the same object, one version each', async () => {
      const base = ticket();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post('/integrated-objects', { ...base, originalData: { revision: i } })));
      expect(results.filter((res) => res.status === 201)).toHaveLength(1);
      expect(results.every((res) => res.status === 200 || res.status === 201)).toBe(true);
      // Each import wrote its own version: none was lost or applied on top of a stale read.
      expect(results.map((res) => res.body.version).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const [row] = await db.query('SELECT id, version, original_data FROM integrated_objects WHERE tenant_id = $1', [tenant.tenantId]);
      expect(row.version).toBe(8);
      const last = results.find((res) => res.body.version === 8)!;
      expect(row.original_data).toEqual(last.body.originalData);
      expect(await eventTypes(row.id)).toEqual(['integrated_object.imported', ...Array(7).fill('integrated_object.reimported')]);
    });

    it('bulk-imports in one transaction with the same semantics, answering in request order', async () => {
      const known = (await post('/integrated-objects', ticket({ originalId: 'known' })).expect(201)).body;
      const items = [
        ticket({ originalId: 'new-1' }),
        ticket({ originalId: 'known', originalData: { status: 'pending' } }),
        ticket({ originalId: 'known', originalData: known.originalData, integratedContent: known.integratedContent, companyId: 'acme' }),
        ticket({ originalId: 'new-1', objectType: 'incident' }),
        ticket({ originalId: 'new-2', platform: 'jira', objectType: 'issue' }),
      ];
      const res = await post('/integrated-objects/bulk', { items }).expect(201);
      expect(res.body.items.map((o: { originalId: string; version: number; objectType: string }) => [o.originalId, o.version, o.objectType])).toEqual([
        ['new-1', 1, 'ticket'],
        ['known', 2, 'ticket'],
        ['known', 3, 'ticket'],
        ['new-1', 2, 'incident'],
        ['new-2', 1, 'issue'],
      ]);
      expect(res.body.items[1].id).toBe(known.id);
      const rows = await db.query('SELECT platform, original_id, version FROM integrated_objects WHERE tenant_id = $1 ORDER BY original_id', [tenant.tenantId]);
      expect(rows).toEqual([
        { platform: 'zendesk', original_id: 'known', version: 3 },
        { platform: 'zendesk', original_id: 'new-1', version: 2 },
        { platform: 'jira', original_id: 'new-2', version: 1 },
      ]);

      const again = await post('/integrated-objects/bulk', { items: [items[4]] }).expect(201);
      expect(again.body.items[0]).toMatchObject({ id: res.body.items[4].id, version: 1 });
    });

    it('refuses bad input with 400 problem+json and writes nothing', async () => {
      const cases: [unknown, string[]][] = [
        [{}, ['objectType', 'originalData', 'originalId', 'platform']],
        [ticket({ originalData: [1, 2] }), ['originalData']],
        [ticket({ originalData: 'text' }), ['originalData']],
        [ticket({ originalData: null }), ['originalData']],
        [ticket({ metadata: null }), ['metadata']],
        [ticket({ platform: '', originalId: 'x'.repeat(501) }), ['originalId', 'platform']],
        [ticket({ objectType: 7, companyId: '' }), ['companyId', 'objectType']],
        [ticket({ summary: 5, extra: true }), ['extra', 'summary']],
        [ticket({ integratedContent: 'x'.repeat(500_001) }), ['integratedContent']],
      ];
      for (const [body, fields] of cases) {
        expectFieldErrors(await changesNothing(() => post('/integrated-objects', body)), fields);
      }
      expectProblem(await changesNothing(() => post('/integrated-objects', ticket({ originalData: { text: 'nul\u0000' } }))), 400, 'VALIDATION_FAILED');

      const bulk = await changesNothing(() => post('/integrated-objects/bulk', { items: [ticket(), ticket({ objectType: '' })] }));
      expectFieldErrors(bulk, ['items.1.objectType']);
      expectProblem(
        await changesNothing(() => post('/integrated-objects/bulk', { items: Array.from({ length: 1001 }, () => ticket()) })),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(await changesNothing(() => post('/integrated-objects/bulk', { items: [] })), 400, 'VALIDATION_FAILED');
    });
  });

  describe('summary', () => {
    it('needs If-Match or a body version (428), refuses a stale one (409) and answers with the ETag', async () => {
      const object = (await post('/integrated-objects', ticket()).expect(201)).body;
      expectProblem(await changesNothing(() => patchSummary(object.id, { summary: 'blind' })), 428, 'PRECONDITION_REQUIRED');

      const set = await patchSummary(object.id, { summary: 'Login broken after update' }, '"1"').expect(200);
      expect(set.body).toMatchObject({ id: object.id, summary: 'Login broken after update', version: 2, originalData: object.originalData });
      expect(set.headers.etag).toBe('"2"');

      const stale = expectProblem(await changesNothing(() => patchSummary(object.id, { summary: 'lost?' }, '"1"')), 409, 'VERSION_CONFLICT');
      expect(stale.currentVersion).toBe(2);

      const viaBody = await patchSummary(object.id, { summary: 'Fixed by a config change', version: 2 }).expect(200);
      expect(viaBody.body.version).toBe(3);
      const same = await patchSummary(object.id, { summary: 'Fixed by a config change' }, '"3"').expect(200);
      expect(same.body.version).toBe(3);
      expectProblem(await patchSummary(object.id, { summary: 'Fixed by a config change' }, '"2"'), 409, 'VERSION_CONFLICT');
      const cleared = await patchSummary(object.id, { summary: null }, '"3"').expect(200);
      expect(cleared.body).toMatchObject({ summary: null, version: 4 });

      expectFieldErrors(await changesNothing(() => patchSummary(object.id, {}, '"4"')), ['summary']);
      expectFieldErrors(await changesNothing(() => patchSummary(object.id, { summary: 'x'.repeat(20_001) }, '"4"')), ['summary']);
      expectFieldErrors(await changesNothing(() => patchSummary(object.id, { summary: 's', originalData: {} }, '"4"')), ['originalData']);

      const events = (await get(`/events?type=integrated_object.summary_changed&aggregateId=${object.id}`).expect(200)).body.items;
      expect(events.map((e: { aggregateVersion: number }) => e.aggregateVersion)).toEqual([2, 3, 4]);
      expect(events[0].payload).toEqual({ integratedObjectId: object.id, platform: 'zendesk', originalId: object.originalId });
    });

    it('lets exactly one of two writers holding the same version win', async () => {
      const object = (await post('/integrated-objects', ticket()).expect(201)).body;
      const [a, b] = await Promise.all([patchSummary(object.id, { summary: 'a' }, '"1"'), patchSummary(object.id, { summary: 'b' }, '"1"')]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      expect((await get(`/integrated-objects/${object.id}`).expect(200)).body).toMatchObject({ summary: winner.body.summary, version: 2 });
    });

    it('keeps a summary across re-imports that do not send one', async () => {
      const body = ticket();
      const object = (await post('/integrated-objects', body).expect(201)).body;
      await patchSummary(object.id, { summary: 'Kept' }, '"1"').expect(200);
      const reimported = (await post('/integrated-objects', { ...body, integratedContent: 'New reply from the customer.' }).expect(200)).body;
      expect(reimported).toMatchObject({ summary: 'Kept', integratedContent: 'New reply from the customer.', version: 3 });
    });
  });

  describe('list, get, delete', () => {
    it('filters by company, object type and platform, in import order, with cursor pagination', async () => {
      const made = (
        await post('/integrated-objects/bulk', {
          items: [
            ticket({ companyId: 'acme' }),
            ticket({ companyId: 'acme', objectType: 'user' }),
            ticket({ companyId: 'globex' }),
            ticket({ companyId: 'acme', platform: 'freshdesk' }),
            ticket({ companyId: 'acme' }),
            ticket({ companyId: null }),
          ],
        }).expect(201)
      ).body.items as { id: string }[];
      const [acme1, acmeUser, globex, acmeFresh, acme2, none] = made.map((o) => o.id);

      expect(ids((await get('/integrated-objects?companyId=acme').expect(200)).body)).toEqual([acme1, acmeUser, acmeFresh, acme2]);
      expect(ids((await get('/integrated-objects?companyId=acme&objectType=ticket').expect(200)).body)).toEqual([acme1, acmeFresh, acme2]);
      expect(ids((await get('/integrated-objects?objectType=user').expect(200)).body)).toEqual([acmeUser]);
      expect(ids((await get('/integrated-objects?platform=freshdesk').expect(200)).body)).toEqual([acmeFresh]);
      expect(ids((await get('/integrated-objects?companyId=acme&objectType=ticket&platform=zendesk').expect(200)).body)).toEqual([acme1, acme2]);
      expect(ids((await get('/integrated-objects').expect(200)).body)).toEqual([acme1, acmeUser, globex, acmeFresh, acme2, none]);

      const first = (await get('/integrated-objects?companyId=acme&objectType=ticket&limit=2').expect(200)).body;
      expect(ids(first)).toEqual([acme1, acmeFresh]);
      const second = (await get(`/integrated-objects?companyId=acme&objectType=ticket&limit=2&cursor=${first.nextCursor}`).expect(200)).body;
      expect(ids(second)).toEqual([acme2]);
      expect(second.nextCursor).toBeNull();

      expectFieldErrors(await get('/integrated-objects?limit=0&companyId='), ['companyId', 'limit']);
      expectProblem(await get('/integrated-objects?cursor=nope'), 400, 'BAD_REQUEST');
      expectFieldErrors(await get('/integrated-objects/not-a-uuid'), ['id']);
    });

    it('deletes, guarded by If-Match when sent, with a deleted event; importing again creates a new object', async () => {
      const body = ticket();
      const object = (await post('/integrated-objects', body).expect(201)).body;
      expectProblem(
        await changesNothing(() => t.http().delete(`/api/v1/integrated-objects/${object.id}`).set(tenant.auth).set('If-Match', '"2"')),
        409,
        'VERSION_CONFLICT',
      );
      await t.http().delete(`/api/v1/integrated-objects/${object.id}`).set(tenant.auth).set('If-Match', '"1"').expect(204);
      expectProblem(await get(`/integrated-objects/${object.id}`), 404, 'NOT_FOUND');
      expectProblem(await t.http().delete(`/api/v1/integrated-objects/${object.id}`).set(tenant.auth), 404, 'NOT_FOUND');

      const events = (await get(`/events?type=integrated_object.deleted&aggregateId=${object.id}`).expect(200)).body.items;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ aggregateVersion: 1, payload: { integratedObjectId: object.id, platform: 'zendesk', originalId: body.originalId } });

      const again = (await post('/integrated-objects', body).expect(201)).body;
      expect(again.id).not.toBe(object.id);
      const unguarded = (await post('/integrated-objects', ticket()).expect(201)).body;
      await t.http().delete(`/api/v1/integrated-objects/${unguarded.id}`).set(tenant.auth).expect(204);
    });
  });

  describe('tenant isolation', () => {
    it('answers 404 for another tenant’s ids, exactly as for missing ones, and changes nothing', async () => {
      const foreign = (await post('/integrated-objects', ticket(), other).expect(201)).body;
      const missing = randomUUID();
      const attempts: ((id: string) => Promise<Response>)[] = [
        (id) => get(`/integrated-objects/${id}`),
        (id) => patchSummary(id, { summary: 'mine now' }, '"1"'),
        (id) => t.http().delete(`/api/v1/integrated-objects/${id}`).set(tenant.auth),
      ];
      for (const attempt of attempts) {
        const res = await attempt(foreign.id);
        expectProblem(res, 404, 'NOT_FOUND');
        expectIndistinguishable(res, foreign.id, await attempt(missing), missing);
      }
      expect((await get(`/integrated-objects/${foreign.id}`, other).expect(200)).body).toEqual(foreign);
    });

    it('never lists another tenant’s rows, and the same (platform, originalId) in two tenants is two objects', async () => {
      const body = ticket({ companyId: 'shared' });
      const theirs = await post('/integrated-objects', body, other).expect(201);
      const mine = await post('/integrated-objects', body).expect(201);
      expect(mine.body.id).not.toBe(theirs.body.id);
      expect(mine.body.version).toBe(1);

      await post('/integrated-objects', { ...body, summary: 'theirs only' }, other).expect(200);
      expect((await get(`/integrated-objects/${mine.body.id}`).expect(200)).body.summary).toBeNull();
      for (const path of ['/integrated-objects', '/integrated-objects?companyId=shared', '/integrated-objects?platform=zendesk&objectType=ticket']) {
        expect(ids((await get(path).expect(200)).body), path).toEqual([mine.body.id]);
      }
    });
  });
});
