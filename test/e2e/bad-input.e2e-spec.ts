import type { Response } from 'supertest';
import { makeAgent } from '../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';

const MiB = 1024 * 1024;

interface Counts {
  agents: number;
  events: number;
}

describe('bad input: a clear problem+json answer, and nothing written', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let agent: { id: string; version: number };

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' });
    tenant = await createTenant(t.app);
    const created = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    agent = created.body;
  });
  afterAll(() => t.close());

  async function counts(): Promise<Counts> {
    const db = t.owner;
    const [agents] = await db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [tenant.tenantId]);
    const [events] = await db.query('SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1', [tenant.tenantId]);
    return { agents: agents.n, events: events.n };
  }

  /** Runs the request and asserts that the tenant has exactly as many agents and events afterwards. */
  async function changesNothing(request: () => Promise<Response>): Promise<Response> {
    const before = await counts();
    const res = await request();
    expect(await counts()).toEqual(before);
    return res;
  }

  /** The RFC 9457 body every error carries, with no stack trace or SQL in it. */
  function expectProblem(res: Response, status: number, code: string): Record<string, unknown> {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.body as Record<string, unknown>;
    expect(body).toMatchObject({ status, code });
    expect(body.type).toMatch(/^urn:agent-ledger:problem:[a-z-]+$/);
    expect(typeof body.title).toBe('string');
    expect((body.title as string).length).toBeGreaterThan(0);
    expect(typeof body.detail).toBe('string');
    expect((body.detail as string).length).toBeGreaterThan(0);
    expect(typeof body.correlationId).toBe('string');
    expect(body.correlationId).toBe(res.headers['x-request-id']);
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/);
    expect(text).not.toMatch(/\\n\s+at /);
    expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
    expect(text).not.toMatch(/SELECT|INSERT|UPDATE "|DELETE FROM/);
    return body;
  }

  function expectFieldErrors(res: Response, fields: string[]): void {
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(Array.isArray(body.errors)).toBe(true);
    const errors = body.errors as { field: string; message: string }[];
    for (const error of errors) expect(typeof error.message).toBe('string');
    expect(new Set(errors.map((e) => e.field))).toEqual(new Set(fields));
  }

  async function readAgent(): Promise<Record<string, unknown>> {
    const res = await t.http().get(`/api/v1/agents/${agent.id}`).set(tenant.auth).expect(200);
    return res.body;
  }

  describe('request bodies', () => {
    it.each(['agents', 'patterns', 'insights', 'action-logs', 'job-results', 'integrated-objects', 'service-calls'])(
      'answers a bulk body whose items are not objects (an array, a number, null) with 400 naming them: /%s/bulk',
      async (collection) => {
        const before = await t.owner.query('SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1', [tenant.tenantId]);
        const res = await changesNothing(() =>
          t
            .http()
            .post(`/api/v1/${collection}/bulk`)
            .set(tenant.auth)
            .send({ items: [[], 7, null] }),
        );
        const body = expectProblem(res, 400, 'VALIDATION_FAILED');
        const errors = body.errors as { field: string; message: string }[];
        expect(errors.map((error) => error.field)).toEqual(expect.arrayContaining(['items', 'items.1', 'items.2']));
        expect(errors.find((error) => error.field === 'items')?.message).toMatch(/each item of items must be an object/);
        expect(await t.owner.query('SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1', [tenant.tenantId])).toEqual(before);
      },
    );

    it('answers malformed JSON with 400', async () => {
      const res = await changesNothing(() =>
        t.http().post('/api/v1/agents').set(tenant.auth).set('Content-Type', 'application/json').send('{"name": "a", "role": '),
      );
      const body = expectProblem(res, 400, 'BAD_REQUEST');
      expect(body.detail).toMatch(/JSON/);
    });

    it('answers a JSON array where an object is expected with 400', async () => {
      const res = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).send([makeAgent()]));
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      const fields = (body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'role']));

      const bulk = await changesNothing(() => t.http().post('/api/v1/agents/bulk').set(tenant.auth).send([makeAgent()]));
      expect((expectProblem(bulk, 400, 'VALIDATION_FAILED').errors as { field: string }[]).map((e) => e.field)).toContain('items');
    });

    it('lists every field of the wrong type', async () => {
      const res = await changesNothing(() =>
        t
          .http()
          .post('/api/v1/agents')
          .set(tenant.auth)
          .send({ ...makeAgent(), name: 42, metadata: 'x', status: 'sleeping' }),
      );
      expectFieldErrors(res, ['name', 'metadata', 'status']);
    });

    it('refuses unknown fields, at the top level and inside bulk items', async () => {
      const top = await changesNothing(() =>
        t
          .http()
          .post('/api/v1/agents')
          .set(tenant.auth)
          .send({ ...makeAgent(), owner: 'mallory' }),
      );
      expectFieldErrors(top, ['owner']);
      expect(top.body.errors[0].message).toMatch(/owner/);

      const nested = await changesNothing(() =>
        t
          .http()
          .post('/api/v1/agents/bulk')
          .set(tenant.auth)
          .send({ items: [makeAgent(), { ...makeAgent(), isAdmin: true }] }),
      );
      expectFieldErrors(nested, ['items.1.isAdmin']);
    });

    it('names every missing required field', async () => {
      const empty = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).send({}));
      expectFieldErrors(empty, ['name', 'role']);

      const noRole = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).send({ name: 'solo' }));
      expectFieldErrors(noRole, ['role']);
    });

    it('refuses a body over 1 MiB on POST /agents (413) but takes the same size on POST /agents/bulk', async () => {
      // About 2 MiB: over the 1 MiB limit of POST /agents, far under the 16 MiB of POST /agents/bulk.
      const big = makeAgent({ name: 'big-one', metadata: { blob: 'x'.repeat(2 * MiB) } });
      const single = JSON.stringify(big);
      const bulk = JSON.stringify({ items: [big] });
      expect(single.length).toBeGreaterThan(2 * MiB);
      expect(bulk.length).toBeLessThan(single.length + 32);

      const tooLarge = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).set('Content-Type', 'application/json').send(single));
      expectProblem(tooLarge, 413, 'PAYLOAD_TOO_LARGE');

      const before = await counts();
      const accepted = await t.http().post('/api/v1/agents/bulk').set(tenant.auth).set('Content-Type', 'application/json').send(bulk);
      expect(accepted.status).toBe(201);
      expect(accepted.body.items).toHaveLength(1);
      expect(accepted.body.items[0].metadata.blob).toHaveLength(2 * MiB);
      expect(await counts()).toEqual({ agents: before.agents + 1, events: before.events + 1 });
    });

    it('answers 415 to bodies that are not JSON', async () => {
      const text = await changesNothing(() =>
        t.http().post('/api/v1/agents').set(tenant.auth).set('Content-Type', 'text/plain').send(JSON.stringify(makeAgent())),
      );
      expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');

      const form = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).type('form').send({ name: 'form-agent', role: 'researcher' }));
      expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('values PostgreSQL cannot store', () => {
    it('refuses NUL characters in strings, keys and metadata, and in query parameters', async () => {
      const cases: [object, string][] = [
        [{ ...makeAgent(), name: 'a\u0000b' }, 'name'],
        [{ ...makeAgent(), description: 'x\u0000' }, 'description'],
        [{ ...makeAgent(), metadata: { k: 'a\u0000b' } }, 'metadata.k'],
        [{ ...makeAgent(), metadata: { 'bad\u0000key': 1 } }, 'metadata.bad\u0000key'],
      ];
      for (const [body, field] of cases) {
        const res = await changesNothing(() => t.http().post('/api/v1/agents').set(tenant.auth).send(body));
        expectFieldErrors(res, [field]);
      }
      const patch = await changesNothing(() =>
        t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"1"').send({ description: 'x\u0000' }),
      );
      expectFieldErrors(patch, ['description']);
      const query = await t.http().get('/api/v1/agents?role=a%00b').set(tenant.auth);
      expectFieldErrors(query, ['role']);
    });

    it('refuses lone surrogates instead of storing a different string', async () => {
      const res = await changesNothing(() =>
        t.http().post('/api/v1/agents').set(tenant.auth).set('Content-Type', 'application/json').send('{"name":"a\\ud800","role":"r"}'),
      );
      expectFieldErrors(res, ['name']);
    });

    it('refuses metadata nested absurdly deep, naming the field', async () => {
      for (const depth of [3000, 5000]) {
        const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        const res = await changesNothing(() =>
          t.http().post('/api/v1/agents').set(tenant.auth).set('Content-Type', 'application/json').send(`{"name":"n","role":"r","metadata":${nested}}`),
        );
        const body = expectProblem(res, 400, 'VALIDATION_FAILED');
        expect((body.errors as { field: string }[])[0].field).toMatch(/^metadata\.a\.a/);
      }
    });

    it('refuses versions beyond the integer range with 400, not 500', async () => {
      const before = await readAgent();
      const header = await changesNothing(() =>
        t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"9999999999"').send({ description: 'x' }),
      );
      expectProblem(header, 400, 'BAD_REQUEST');
      const del = await changesNothing(() => t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', '"9999999999"'));
      expectProblem(del, 400, 'BAD_REQUEST');
      const body = await changesNothing(() => t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).send({ version: 9999999999, description: 'x' }));
      expectProblem(body, 400, 'BAD_REQUEST');
      expect(await readAgent()).toEqual(before);
    });
  });

  describe('bulk', () => {
    it('refuses 1001 items and zero items', async () => {
      const items = Array.from({ length: 1001 }, (_, i) => makeAgent({ name: `over-${i}` }));
      const tooMany = await changesNothing(() => t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items }));
      expectFieldErrors(tooMany, ['items']);

      const none = await changesNothing(() => t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items: [] }));
      expectFieldErrors(none, ['items']);
    });

    it('creates nothing when one item among good ones is bad', async () => {
      const items = [makeAgent(), makeAgent(), { ...makeAgent(), role: '' }, makeAgent()];
      const res = await changesNothing(() => t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items }));
      expectFieldErrors(res, ['items.2.role']);
      const names = new Set(items.map((item) => item.name));
      const list = await t.http().get('/api/v1/agents?limit=200').set(tenant.auth).expect(200);
      expect(list.body.items.filter((a: { name: string }) => names.has(a.name))).toEqual([]);
    });
  });

  describe('path, query and headers', () => {
    it('answers a non-uuid :id with 400 naming the field id', async () => {
      const get = await changesNothing(() => t.http().get('/api/v1/agents/not-a-uuid').set(tenant.auth));
      expectFieldErrors(get, ['id']);

      const del = await changesNothing(() => t.http().delete('/api/v1/agents/123').set(tenant.auth));
      expectFieldErrors(del, ['id']);

      const beat = await changesNothing(() => t.http().post(`/api/v1/agents/${agent.id}x/heartbeat`).set(tenant.auth));
      expectFieldErrors(beat, ['id']);
    });

    it('refuses a limit out of range or not a number', async () => {
      for (const limit of ['100000', '0', 'abc', '-1', '2.5']) {
        const res = await t.http().get(`/api/v1/agents?limit=${limit}`).set(tenant.auth);
        expectFieldErrors(res, ['limit']);
      }
      const events = await t.http().get('/api/v1/events?limit=100000').set(tenant.auth);
      expectFieldErrors(events, ['limit']);
    });

    it('refuses unknown query parameters', async () => {
      const res = await t.http().get('/api/v1/agents?tenantId=someone-else').set(tenant.auth);
      expectFieldErrors(res, ['tenantId']);
    });

    it('refuses a cursor the API did not issue', async () => {
      const forged = [Buffer.from('not-a-uuid').toString('base64url'), Buffer.from("' OR 1=1 --").toString('base64url'), 'abc'];
      for (const cursor of forged) {
        const res = await t.http().get('/api/v1/agents').query({ cursor }).set(tenant.auth);
        const body = expectProblem(res, 400, 'BAD_REQUEST');
        expect(body.detail).toMatch(/cursor/);
      }
      const tooLong = await t
        .http()
        .get('/api/v1/agents')
        .query({ cursor: 'a'.repeat(500) })
        .set(tenant.auth);
      expectFieldErrors(tooLong, ['cursor']);
    });

    it('refuses a malformed If-Match and leaves the agent as it was', async () => {
      const before = await readAgent();
      const patch = await changesNothing(() =>
        t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', 'abc').send({ description: 'changed' }),
      );
      const body = expectProblem(patch, 400, 'BAD_REQUEST');
      expect(body.detail).toMatch(/If-Match/);

      const del = await changesNothing(() => t.http().delete(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', 'abc'));
      expectProblem(del, 400, 'BAD_REQUEST');

      expect(await readAgent()).toEqual(before);
    });

    it('refuses an invalid PATCH body and leaves the agent as it was', async () => {
      const before = await readAgent();
      const wrong = await changesNothing(() =>
        t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', `"${before.version}"`).send({ status: 'sleeping', name: 42 }),
      );
      expectFieldErrors(wrong, ['status', 'name']);

      const nulls = await changesNothing(() =>
        t
          .http()
          .patch(`/api/v1/agents/${agent.id}`)
          .set(tenant.auth)
          .set('If-Match', `"${before.version}"`)
          .send({ name: null, role: null, status: null, metadata: null }),
      );
      expectFieldErrors(nulls, ['name', 'role', 'status', 'metadata']);

      const empty = await changesNothing(() => t.http().patch(`/api/v1/agents/${agent.id}`).set(tenant.auth).set('If-Match', `"${before.version}"`).send({}));
      expectProblem(empty, 400, 'BAD_REQUEST');

      const badBeat = await changesNothing(() => t.http().post(`/api/v1/agents/${agent.id}/heartbeat`).set(tenant.auth).send({ status: 'sleeping' }));
      expectFieldErrors(badBeat, ['status']);

      expect(await readAgent()).toEqual(before);
    });

    it('answers an unknown route with a 404 problem', async () => {
      const authed = await t.http().get('/api/v1/no-such-thing').set(tenant.auth);
      const body = expectProblem(authed, 404, 'NOT_FOUND');
      expect(body.detail).toMatch(/no-such-thing/);

      const anonymous = await changesNothing(() => t.http().post('/nowhere').send(makeAgent()));
      expectProblem(anonymous, 404, 'NOT_FOUND');
    });

    it('refuses an invalid event type pattern and a cursor the feed did not issue on GET /events', async () => {
      for (const type of ['agent.%', 'agent..registered', "agent.registered' OR '1'='1", 'Agent.*']) {
        const res = await t.http().get('/api/v1/events').query({ type }).set(tenant.auth);
        expectFieldErrors(res, ['type']);
      }
      const issued = (await t.http().get('/api/v1/events').set(tenant.auth).expect(200)).body.nextCursor as string;
      const altered = `${issued.slice(0, -1)}${issued.endsWith('A') ? 'B' : 'A'}`;
      for (const after of ['-1', 'abc', '1e3', '42', altered, `${issued}=`]) {
        const res = await t.http().get('/api/v1/events').query({ after }).set(tenant.auth);
        expectProblem(res, 400, 'INVALID_CURSOR');
      }
      const aggregate = await t.http().get('/api/v1/events').query({ aggregateId: 'nope' }).set(tenant.auth);
      expectFieldErrors(aggregate, ['aggregateId']);
    });
  });
});
