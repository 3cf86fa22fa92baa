import { aim, bodyOperations, fieldsOf, refusedFields, sendWithin } from '../utils/fuzz/aimed-requests';
import { encode, SQL_STRINGS, UNICODE_STRINGS, UNSTORABLE_STRINGS } from '../utils/fuzz/arbitraries';
import { FuzzHarness } from '../utils/fuzz/fuzz-harness';
import { Operation, operationName } from '../utils/fuzz/openapi';
import { headerBytes, parseBody, WireResponse } from '../utils/fuzz/wire';
import { expectProblem } from '../utils/problems';

/**
 * Targeted hostile input against every route of the OpenAPI document. Every request goes through
 * FuzzHarness.send, which checks what any answer must satisfy (below 500, problem+json errors,
 * nothing of the other tenant, nothing changed by a refusal); the tests add what each case means.
 */
describe('hostile input: targeted cases on every route', () => {
  let h: FuzzHarness;
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    h = await FuzzHarness.boot();
    await h.seed();
  });
  afterAll(() => h.close());

  const auth = () => ({ authorization: `Bearer ${h.tenant.key}` });
  const json = (res: WireResponse) => parseBody(res) as Record<string, unknown>;
  // The tenant routes: an admin route refuses this tenant's key (403) before it reads its query;
  // admin-dead-letters.e2e-spec covers those with an admin key, the fuzz with this one.
  const getOperations = () =>
    h.operations.filter((operation) => operation.method === 'GET' && operation.secured && !operation.path.startsWith('/api/v1/admin/'));
  const queryParameters = (operation: Operation, type?: string) =>
    operation.parameters.filter((parameter) => parameter.in === 'query' && (!type || parameter.schema.type === type));
  const listItems = (res: WireResponse): Record<string, unknown>[] => {
    const items = json(res)?.items;
    return Array.isArray(items) ? items : [];
  };
  /** The POST that creates what `GET path` lists, when the document has one. */
  const creatorOf = (operation: Operation) => h.operations.find((candidate) => candidate.method === 'POST' && candidate.path === operation.path);
  /** Every id of the caller's rows, across tables. */
  const ownIds = async () => new Set(Object.values((await h.targets()).own).flat());

  /** The answer of a request that wrote what it sent: a creation, or an update (a POST answering 200 replays an earlier call). */
  const wrote = (operation: Operation, res: WireResponse) => (operation.method === 'POST' ? [201, 202].includes(res.status) : res.status < 300);

  function expectStatus(res: WireResponse, statuses: number[], what: string): void {
    expect(statuses, `${what}: answered ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
  }

  describe('URLs the router refuses', () => {
    it('answers a malformed URL or an over-long path parameter with problem+json carrying the X-Request-Id header', async () => {
      for (const [path, status] of [
        ['/api/v1/agents/%zz', 400],
        ['/api/v1/agents/%', 400],
        [`/api/v1/agents/${'a'.repeat(150)}`, 414],
      ] as const) {
        const res = await h.t.http().get(path).set(auth());
        expectProblem(res, status, 'BAD_REQUEST');
      }
    });
  });

  /** Filters that take an agent's id or its key. */
  const AGENT_REFERENCES = new Set(['agentId', 'fromAgentId', 'toAgentId']);

  describe('SQL in every string query filter of every GET route', () => {
    it('answers without error, with only the caller’s rows, matching the value literally', async () => {
      let literalMatches = 0;
      for (const operation of getOperations()) {
        const creator = creatorOf(operation);
        for (const parameter of queryParameters(operation, 'string')) {
          for (const value of SQL_STRINGS.slice(0, 5)) {
            // A row holding the value itself, when the list's POST takes the field: it must come back, and only it.
            const created =
              creator && fieldsOf(creator.body).strings.includes(parameter.name) ? await sendWithin(h, creator, { [parameter.name]: value }) : undefined;
            const res = await h.send(await aim(h, operation, await h.targets(), `?${encode(parameter.name)}=${encode(value)}`));
            const what = `${operationName(operation)} ?${parameter.name}=${value}`;
            expectStatus(res, [200, 400, 404], what);
            if (res.status !== 200) continue;
            const own = await ownIds();
            for (const item of listItems(res)) {
              expect(own.has(String(item.id)), `${what} returned a row that is not the caller’s`).toBe(true);
              // An agent reference may name the agent by its key: the row then carries the id the key names.
              if (typeof item[parameter.name] === 'string' && !AGENT_REFERENCES.has(parameter.name)) expect(item[parameter.name], what).toBe(value);
            }
            if (created && created.res.status === 201) {
              expect(
                listItems(res).map((item) => item.id),
                `${what} must find the row holding the value`,
              ).toContain(json(created.res).id);
              literalMatches++;
            }
          }
        }
      }
      expect(literalMatches, 'filters checked against a row holding the value').toBeGreaterThan(20);
    }, 120_000);
  });

  describe('Unicode', () => {
    it('stores right-to-left text, emoji and combining characters in every free-text field exactly as sent', async () => {
      let roundTrips = 0;
      for (const operation of bodyOperations(h)) {
        for (const [i, field] of fieldsOf(operation.body).strings.entries()) {
          const maxLength = operation.body!.properties![field].maxLength ?? 1000;
          const value = UNICODE_STRINGS[i % UNICODE_STRINGS.length].slice(0, maxLength);
          const { res } = await sendWithin(h, operation, { [field]: value });
          if (!wrote(operation, res) || !(field in json(res))) continue;
          expect(json(res)[field], `${operationName(operation)} ${field}`).toBe(value);
          roundTrips++;
        }
      }
      expect(roundTrips).toBeGreaterThan(15);
    }, 60_000);

    it('refuses NUL characters and lone surrogates in every free-text field with 400 naming the field', async () => {
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).strings) {
          for (const value of UNSTORABLE_STRINGS) {
            const { res } = await sendWithin(h, operation, { [field]: value });
            expectStatus(res, [400], `${operationName(operation)} ${field}=${JSON.stringify(value)}`);
            expect(refusedFields(res)).toContain(field);
          }
        }
      }
    }, 60_000);

    it('refuses NUL characters and lone surrogates in the keys and values of free-form JSON', async () => {
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).objects) {
          for (const value of [{ note: 'a\u0000b' }, { 'k\u0000': 1 }, { list: ['\ud800'] }, { '\udc00': true }]) {
            const { res } = await sendWithin(h, operation, { [field]: value });
            expectStatus(res, [400], `${operationName(operation)} ${field}=${JSON.stringify(value)}`);
            expect(
              refusedFields(res).some((name) => name.startsWith(`${field}.`)),
              res.text,
            ).toBe(true);
          }
        }
      }
    }, 60_000);

    it('answers Unicode, NUL and broken UTF-8 in every query parameter without error', async () => {
      for (const operation of getOperations()) {
        for (const parameter of queryParameters(operation)) {
          const values = [...UNICODE_STRINGS.slice(0, 5).map(encode), '%00', 'a%00b', '%ED%A0%80', '%C3%28', '%FF'];
          for (const value of values) {
            const res = await h.send(await aim(h, operation, await h.targets(), `?${encode(parameter.name)}=${value}`));
            const what = `${operationName(operation)} ?${parameter.name}=${value}`;
            expectStatus(res, [200, 400, 404], what);
            if (value.includes('%00')) expect(res.status, what).toBe(400);
          }
        }
      }
    }, 60_000);

    it('answers Unicode in headers with 400 or 401, and never echoes a request id it did not accept', async () => {
      const agents = h.operations.find((operation) => operation.method === 'GET' && operation.path === '/api/v1/agents')!;
      const patch = h.operations.find((operation) => operation.method === 'PATCH' && operation.path === '/api/v1/agents/{id}')!;
      // A header cannot carry NUL; a lone surrogate reaches it as U+FFFD.
      const lone = UNSTORABLE_STRINGS.filter((text) => !text.includes('\u0000')).map((text) => text.toWellFormed());
      for (const value of [...UNICODE_STRINGS, ...lone]) {
        const bytes = headerBytes(value);
        const actor = await h.send({ ...(await aim(h, agents, await h.targets())), headers: { ...auth(), 'x-actor-id': bytes } });
        expectStatus(actor, [400], `X-Actor-Id: ${value}`);
        const key = await h.send({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${bytes}` } });
        expectStatus(key, [401], `Authorization: Bearer ${value}`);
        const update = await aim(h, patch, await h.targets());
        const ifMatch = await h.send({ ...update, headers: { ...update.headers, 'if-match': `"${bytes}"` }, payload: '{"description":"x"}' });
        expectStatus(ifMatch, [400], `If-Match: "${value}"`);
        const requestId = await h.send({ method: 'GET', url: '/api/v1/agents', headers: { ...auth(), 'x-request-id': bytes } });
        expect(requestId.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
    }, 60_000);
  });

  describe('absurd sizes', () => {
    it('answers JSON nested 10,000 deep with a clean 400 on every route that takes a body, and keeps serving', async () => {
      const depth = 10_000;
      const bodies = ['{"a":'.repeat(depth) + '1' + '}'.repeat(depth), '['.repeat(depth) + ']'.repeat(depth)];
      for (const operation of bodyOperations(h)) {
        for (const payload of bodies) {
          const res = await h.send({ ...(await aim(h, operation, await h.targets())), payload });
          expectStatus(res, [400, 413], `${operationName(operation)} nested ${depth} deep`);
        }
        const [field] = fieldsOf(operation.body).objects;
        if (field) {
          const { res } = await sendWithin(h, operation, { [field]: {} }, (body) => body.replace(`"${field}":{}`, `"${field}":${bodies[0]}`));
          expectStatus(res, [400], `${operationName(operation)} ${field} nested ${depth} deep`);
        }
      }
      expect((await h.send({ method: 'GET', url: '/health/live', headers: {} })).status).toBe(200);
    }, 60_000);

    it('answers a 10 MB string with 413 problem+json on every route with the ordinary body limit', async () => {
      const huge = 'x'.repeat(10 * 1024 * 1024);
      for (const operation of bodyOperations(h)) {
        const [field = 'text'] = fieldsOf(operation.body).strings;
        const res = await h.send({ ...(await aim(h, operation, await h.targets())), payload: JSON.stringify({ [field]: huge }) });
        // Bulk routes take up to 16 MiB (BULK_BODY_LIMIT_BYTES): there the field's own limit answers.
        if (operation.path.endsWith('/bulk')) expectStatus(res, [400], `${operationName(operation)} 10 MB`);
        else expect(json(res), operationName(operation)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      }
      expect((await h.send({ method: 'GET', url: '/health/live', headers: {} })).status).toBe(200);
    }, 60_000);
  });

  describe('numbers', () => {
    it('refuses a limit that is negative, zero, fractional, huge, NaN or infinite on every list route', async () => {
      for (const operation of getOperations()) {
        if (!queryParameters(operation).some((parameter) => parameter.name === 'limit')) continue;
        for (const limit of ['-1', '0', '0.5', '1e308', '18446744073709551616', 'NaN', 'Infinity', '-Infinity', '1e-308']) {
          const res = await h.send(await aim(h, operation, await h.targets(), `?limit=${limit}`));
          expectStatus(res, [400, 404], `${operationName(operation)} ?limit=${limit}`);
          if (res.status === 400) expect(refusedFields(res)).toContain('limit');
        }
      }
    }, 60_000);

    it('answers extreme values in every numeric query parameter without error', async () => {
      for (const operation of getOperations()) {
        for (const parameter of queryParameters(operation, 'number')) {
          for (const value of ['-1', '0', '-0', '0.5', '1e308', '-1e308', '18446744073709551616', 'NaN', 'Infinity', '-Infinity', '', ' 1', '1_000']) {
            const res = await h.send(await aim(h, operation, await h.targets(), `?${parameter.name}=${encode(value)}`));
            expectStatus(res, [200, 400, 404], `${operationName(operation)} ?${parameter.name}=${value}`);
          }
        }
      }
    }, 60_000);

    it('stores extreme numbers in every numeric body field exactly as sent, or refuses them naming the field', async () => {
      const values: unknown[] = [-1, 0, 0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 64, 1e308, -1e308, 'NaN', '1', null];
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).numbers) {
          for (const value of values) {
            const { res } = await sendWithin(h, operation, { [field]: value });
            const what = `${operationName(operation)} ${field}=${JSON.stringify(value)}`;
            if (wrote(operation, res)) {
              // version names the version read, the answer carries the new one; null means "not given".
              if (field in json(res) && field !== 'version' && value !== null) expect(json(res)[field], what).toBe(value);
            } else if (res.status === 400 && value !== null) {
              // (null is "not given" where a field is optional: the body may be refused for its other fields.)
              expect(refusedFields(res).includes(field) || /version/.test(String(json(res).detail)), `${what}: ${res.text.slice(0, 300)}`).toBe(true);
            }
          }
          // Beyond double precision: JSON.parse would make it Infinity, which no column holds.
          for (const raw of ['1e400']) {
            const { res } = await sendWithin(h, operation, { [field]: 0 }, (body) => body.replace(`"${field}":0`, `"${field}":${raw}`));
            expectStatus(res, [400], `${operationName(operation)} ${field}=${raw}`);
          }
        }
      }
    }, 60_000);

    it('refuses numbers beyond double range inside free-form JSON instead of storing null', async () => {
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).objects) {
          for (const raw of ['1e400', '-1e400']) {
            const { res } = await sendWithin(h, operation, { [field]: { big: 0 } }, (body) =>
              body.replace(`"${field}":{"big":0}`, `"${field}":{"big":${raw}}`),
            );
            expectStatus(res, [400], `${operationName(operation)} ${field}.big=${raw}`);
            expect(refusedFields(res)).toContain(`${field}.big`);
          }
        }
      }
    }, 60_000);

    /** Numbers JSON.parse would round: beyond 2^53, to 0, or to fewer significant digits. */
    const ROUNDED = ['1453345304346730497', '-9007199254740993', '1e-400', '0.1000000000000000000001'];

    it('refuses numbers that parsing would round (beyond 2^53, to 0, past a double’s digits) in every numeric field, naming it', async () => {
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).numbers) {
          for (const raw of ROUNDED) {
            const { res } = await sendWithin(h, operation, { [field]: 0 }, (body) => body.replace(`"${field}":0`, `"${field}":${raw}`));
            expectStatus(res, [400], `${operationName(operation)} ${field}=${raw}`);
            expect(refusedFields(res)).toEqual([field]);
          }
        }
      }
    }, 60_000);

    it('refuses numbers that parsing would round inside free-form JSON, naming the path, and keeps every other number exactly', async () => {
      let stored = 0;
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).objects) {
          for (const raw of ROUNDED) {
            const { res } = await sendWithin(h, operation, { [field]: { list: [1, { big: 0 }] } }, (body) =>
              body.replace(`"${field}":{"list":[1,{"big":0}]}`, `"${field}":{"list":[1,{"big":${raw}}]}`),
            );
            expectStatus(res, [400], `${operationName(operation)} ${field}.list.1.big=${raw}`);
            expect(refusedFields(res)).toEqual([`${field}.list.1.big`]);
          }
          const exact = { max: 9007199254740991, min: -9007199254740991, tiny: 5e-324, double: 0.30000000000000004, big: 1e21 };
          const { res } = await sendWithin(h, operation, { [field]: exact });
          if (wrote(operation, res) && field in json(res)) {
            expect(json(res)[field], `${operationName(operation)} ${field}`).toEqual(exact);
            stored++;
          }
        }
      }
      expect(stored).toBeGreaterThan(8);
    }, 60_000);

    it('keeps a service call’s result exactly as sent in jsonb, up to 2^53 and down to the smallest double', async () => {
      const payload =
        '{"callId":"exact-CALL","namespace":"core","schema":"agent.registration@1","result":{"name":"n","role":"r","metadata":{"a":9007199254740991,"b":-5e-324,"c":1.7976931348623157e308}}}';
      const res = await h.send({
        method: 'POST',
        url: '/api/v1/service-calls',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: payload.replace('CALL', String(Date.now())),
      });
      expect(res.status).toBe(202);
      const [row] = await h.t.owner.query(`SELECT result->'metadata' AS metadata FROM service_call_records WHERE id = $1`, [json(res).id]);
      expect(row.metadata).toEqual({ a: 9007199254740991, b: -5e-324, c: 1.7976931348623157e308 });
    });
  });

  describe('duplicate keys', () => {
    it('refuses a key given twice in one object, at the top of every body and inside free-form JSON, naming the path', async () => {
      for (const operation of bodyOperations(h)) {
        const { strings, objects } = fieldsOf(operation.body);
        for (const field of strings.slice(0, 2)) {
          // The same value twice: parsing would keep one, whichever it is.
          const { res } = await sendWithin(h, operation, { [field]: 'twice' }, (body) => body.replace(/^\{/, `{"${field}":"twice",`));
          expectStatus(res, [400], `${operationName(operation)} ${field} twice`);
          expect(refusedFields(res)).toEqual([field]);
        }
        for (const field of objects) {
          const { res } = await sendWithin(h, operation, { [field]: { note: 'first' } }, (body) =>
            body.replace(`"${field}":{"note":"first"}`, `"${field}":{"note":"first","deeper":{"n":1},"note":"second"}`),
          );
          expectStatus(res, [400], `${operationName(operation)} ${field}.note twice`);
          expect(refusedFields(res)).toEqual([`${field}.note`]);
        }
      }
    }, 60_000);

    it('names the item of a bulk body whose object repeats a key, before anything else about the body', async () => {
      const bulk = bodyOperations(h).filter((operation) => operation.path.endsWith('/bulk'));
      expect(bulk.length).toBeGreaterThan(3);
      for (const operation of bulk) {
        // Refused while parsing, whatever the items hold otherwise.
        const payload = '{"items":[{"id":1},{"kind":"x","nested":{"id":1},"kind":"y"}]}';
        const res = await h.send({ ...(await aim(h, operation, await h.targets())), payload });
        expectStatus(res, [400], `${operationName(operation)} items.1 repeats a key`);
        expect(refusedFields(res)).toEqual(['items.1.kind']);
      }
    }, 60_000);
  });

  describe('prototype-pollution keys', () => {
    it('refuses __proto__ and constructor.prototype anywhere in a body', async () => {
      const payloads = [
        '{"__proto__":{"polluted":"yes"}}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '{"items":[{"__proto__":{"polluted":"yes"}}]}',
        '[{"a":{"__proto__":{"polluted":"yes"}}}]',
      ];
      for (const operation of bodyOperations(h)) {
        for (const payload of payloads) {
          const res = await h.send({ ...(await aim(h, operation, await h.targets())), payload });
          expectStatus(res, [400], `${operationName(operation)} ${payload}`);
        }
        for (const field of fieldsOf(operation.body).objects) {
          const { res } = await sendWithin(h, operation, { [field]: { x: 1 } }, (body) =>
            body.replace(`"${field}":{"x":1}`, `"${field}":{"__proto__":{"polluted":"yes"}}`),
          );
          expectStatus(res, [400], `${operationName(operation)} ${field}.__proto__`);
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 60_000);

    it('refuses keys named constructor or prototype anywhere in a body, naming the field, instead of dropping them', async () => {
      // The validation pipe deletes these keys from whatever it validates: refused, never acknowledged and dropped.
      for (const operation of bodyOperations(h)) {
        for (const key of ['constructor', 'prototype']) {
          const top = await sendWithin(h, operation, { [key]: 'x' });
          expectStatus(top.res, [400], `${operationName(operation)} ${key}`);
          expect(refusedFields(top.res)).toEqual([key]);
          for (const field of fieldsOf(operation.body).objects) {
            const nested = await sendWithin(h, operation, { [field]: { note: 'kept', deeper: { [key]: 'x' } } });
            expectStatus(nested.res, [400], `${operationName(operation)} ${field}.deeper.${key}`);
            expect(refusedFields(nested.res)).toEqual([`${field}.deeper.${key}`]);
          }
        }
      }
    }, 60_000);

    it('stores other keys named like Object.prototype members inside free-form JSON (metadata, input, content, ...) exactly as sent', async () => {
      const value = {
        toString: 't',
        valueOf: 1,
        hasOwnProperty: false,
        __defineGetter__: null,
        isPrototypeOf: { toString: ['a'] },
        list: [{ valueOf: 'v', propertyIsEnumerable: {} }],
      };
      let stored = 0;
      for (const operation of bodyOperations(h)) {
        for (const field of fieldsOf(operation.body).objects) {
          const { res } = await sendWithin(h, operation, { [field]: value });
          // Refused for another reason (a final state, a conflict) is fine; refused for these keys is not.
          expect(
            refusedFields(res).filter((name) => name === field || name.startsWith(`${field}.`)),
            res.text,
          ).toEqual([]);
          if (wrote(operation, res) && field in json(res)) {
            expect(json(res)[field], `${operationName(operation)} ${field}`).toEqual(value);
            stored++;
          }
        }
      }
      expect(stored).toBeGreaterThan(8);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 60_000);

    it('keeps a service call’s result exactly as sent, such keys included', async () => {
      const result = { name: 'n', role: 'r', metadata: { toString: 't', valueOf: { hasOwnProperty: 1 } }, valueOf: 1 };
      const res = await h.send({
        method: 'POST',
        url: '/api/v1/service-calls',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: JSON.stringify({ callId: `call-${Date.now()}`, namespace: 'core', schema: 'agent.registration@1', result }),
      });
      expect(res.status).toBe(202);
      const [row] = await h.t.owner.query('SELECT result FROM service_call_records WHERE id = $1', [json(res).id]);
      expect(row.result).toEqual(result);
    });

    it('refuses __proto__, constructor and prototype as query parameters on every route, naming them', async () => {
      for (const operation of getOperations()) {
        for (const query of ['__proto__=x', 'constructor=x', 'prototype=x']) {
          const res = await h.send(await aim(h, operation, await h.targets(), `?${query}`));
          expectStatus(res, [400], `${operationName(operation)} ?${query}`);
          expect(refusedFields(res)).toEqual([query.split('=')[0]]);
        }
      }
    }, 60_000);

    it('refuses bracketed pollution keys in the query of every route that validates its query', async () => {
      for (const operation of getOperations()) {
        // The query parser does not nest brackets: these are unknown parameters, refused where the
        // route validates its query (routes without query parameters ignore the query).
        const validated = queryParameters(operation).length > 0;
        for (const query of ['__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes']) {
          const res = await h.send(await aim(h, operation, await h.targets(), `?${query}`));
          // 403: a route this tenant's key may not use (/metrics behind METRICS_AUTH), whatever the query.
          expectStatus(res, validated ? [400] : [200, 403, 404], `${operationName(operation)} ?${query}`);
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 60_000);

    it('leaves Object.prototype of the server process clean', () => {
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
      const probe = {} as Record<string, unknown>;
      expect(probe.polluted).toBeUndefined();
      expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
      expect(typeof Object.prototype.toString).toBe('function');
      expect(Object.prototype.toString.call({})).toBe('[object Object]');
      expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
