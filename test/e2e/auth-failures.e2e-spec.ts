import { randomBytes } from 'node:crypto';
import { register } from 'prom-client';
import type { Response } from 'supertest';
import { ApiKeyEntity } from '../../src/common/auth/api-key.entity';
import { ApiKeysService, hashApiKey } from '../../src/common/auth/api-keys.service';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { makeAgent } from '../factories/agent.factory';
import { expectProblem } from '../utils/problems';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { waitFor } from '../utils/wait';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
/** Its own key space in Redis, so that the per-IP counts of this file meet no other file's. */
const PREFIX = `auth-failures-${process.pid}-${Date.now().toString(36)}`;

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
/** A well-formed key that no database holds. */
const unknownKey = () => `alk_${randomBytes(24).toString('base64url')}`;

/** How many times this process has looked up an API key in the database. */
async function keyLookups(): Promise<number> {
  const metric = await register.getSingleMetric('api_key_lookups_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

/** A request from another peer address (supertest always comes from 127.0.0.1). */
async function statusFrom(t: TestApp, remoteAddress: string, headers: Record<string, string>): Promise<number> {
  const fastify = t.app.getHttpAdapter().getInstance();
  return (await fastify.inject({ method: 'GET', url: '/api/v1/agents', headers, remoteAddress })).statusCode;
}

/** 429 RATE_LIMITED as problem+json, saying that failed authentications went over the limit, with Retry-After. */
function expectTooManyFailures(res: Response): void {
  const body = expectProblem(res, 429, 'RATE_LIMITED');
  expect(body.detail).toMatch(/^More than 5 failed authentications in 60 s from this caller/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(body.retryAfterSeconds).toBe(retryAfter);
}

describe('budget of failed authentications per client address', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({
      LOG_LEVEL,
      APP_ROLE: 'api',
      QUEUE_PREFIX: `${PREFIX}-budget`,
      RATE_LIMIT_AUTH_FAILURES: '5',
      RATE_LIMIT_WINDOW_MS: '60000',
      // Every request looks its key up again: the valid key below is served by the database, not by a cache entry.
      API_KEY_CACHE_TTL_MS: '0',
    });
    tenant = await createTenant(t.app);
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once an address has failed too often, without a database lookup, while a valid key from it is served', async () => {
    await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);

    const lookupsBefore = await keyLookups();
    for (let i = 0; i < 5; i++) expectProblem(await t.http().get('/api/v1/agents').set(bearer(unknownKey())), 401, 'UNAUTHENTICATED');
    expect(await keyLookups()).toBe(lookupsBefore + 5);
    expectTooManyFailures(await t.http().get('/api/v1/agents').set(bearer(unknownKey())));

    // Over the budget: fresh guesses, a missing key and a malformed one are refused before any lookup.
    const lookupsBlocked = await keyLookups();
    for (let i = 0; i < 20; i++) expectTooManyFailures(await t.http().get('/api/v1/agents').set(bearer(unknownKey())));
    expectTooManyFailures(await t.http().get('/api/v1/agents'));
    expectTooManyFailures(await t.http().post('/api/v1/agents').set('X-API-Key', 'not-a-key').send(makeAgent()));
    expect(await keyLookups()).toBe(lookupsBlocked);

    // The limit is on failures: the key this process has verified keeps working from the same address.
    const lookupsValid = await keyLookups();
    await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    const list = await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(await keyLookups()).toBe(lookupsValid + 2);

    // Another address has a budget of its own.
    expect(await statusFrom(t, '203.0.113.7', bearer(unknownKey()))).toBe(401);
    expect(await statusFrom(t, '203.0.113.7', tenant.auth)).toBe(200);
  });

  it('refuses a key the process has never verified, from an address over its budget, until the block ends', async () => {
    const address = '203.0.113.8';
    for (let i = 0; i < 6; i++) await statusFrom(t, address, bearer(unknownKey()));
    const created = await t.app.get(ApiKeysService).create(tenant.tenantId, 'fresh');
    // Looking it up is exactly what the block withholds from this address; others are served at once.
    expect(await statusFrom(t, address, bearer(created.key))).toBe(429);
    expect(await statusFrom(t, '203.0.113.9', bearer(created.key))).toBe(200);
  });

  it('counts failed attempts on the queue admin UI too', async () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const basic = `Basic ${Buffer.from(`admin:${unknownKey()}`).toString('base64')}`;
    const attempt = () => fastify.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: basic }, remoteAddress: '203.0.113.10' });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
    const refused = await attempt();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: Number(refused.headers['retry-after']) });
  });
});

describe('client addresses behind a proxy', () => {
  const failures = (forwardedFor: string) => ({ ...bearer(unknownKey()), 'X-Forwarded-For': forwardedFor });

  it('believes X-Forwarded-For only from a proxy TRUST_PROXY lists', async () => {
    const t = await createTestApp({
      LOG_LEVEL,
      APP_ROLE: 'api',
      QUEUE_PREFIX: `${PREFIX}-proxy`,
      RATE_LIMIT_AUTH_FAILURES: '2',
      TRUST_PROXY: '10.0.0.0/8',
    });
    try {
      // Through the proxy: each client behind it has a budget of its own.
      for (let i = 0; i < 2; i++) expect(await statusFrom(t, '10.1.2.3', failures('198.51.100.1'))).toBe(401);
      expect(await statusFrom(t, '10.1.2.3', failures('198.51.100.1'))).toBe(429);
      expect(await statusFrom(t, '10.1.2.3', failures('198.51.100.2'))).toBe(401);

      // From anyone else the header is ignored: a client cannot dodge its budget by naming another address.
      for (let i = 0; i < 2; i++) expect(await statusFrom(t, '203.0.113.20', failures(`198.51.100.${10 + i}`))).toBe(401);
      expect(await statusFrom(t, '203.0.113.20', failures('198.51.100.99'))).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For by default: every client of a proxy shares its address', async () => {
    const t = await createTestApp({ LOG_LEVEL, APP_ROLE: 'api', QUEUE_PREFIX: `${PREFIX}-no-proxy`, RATE_LIMIT_AUTH_FAILURES: '2' });
    try {
      expect(await statusFrom(t, '10.1.2.4', failures('198.51.100.1'))).toBe(401);
      expect(await statusFrom(t, '10.1.2.4', failures('198.51.100.2'))).toBe(401);
      expect(await statusFrom(t, '10.1.2.4', failures('198.51.100.3'))).toBe(429);
    } finally {
      await t.close();
    }
  });
});

describe('unknown keys remembered by each process', () => {
  let a: TestApp;
  let b: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    // Two API processes sharing Redis; an unknown key is remembered for a minute, so nothing here waits on that.
    const env = { LOG_LEVEL, APP_ROLE: 'api', QUEUE_PREFIX: `${PREFIX}-negative`, API_KEY_NEGATIVE_CACHE_TTL_MS: '60000' };
    a = await createTestApp(env);
    b = await createTestApp(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(async () => {
    tenant = await createTenant(a.app);
  });

  it('answers a repeated unknown key without a database lookup', async () => {
    const key = unknownKey();
    const before = await keyLookups();
    for (let i = 0; i < 30; i++) expectProblem(await a.http().get('/api/v1/agents').set(bearer(key)), 401, 'UNAUTHENTICATED');
    expect(await keyLookups()).toBe(before + 1);
  });

  it('accepts a key created right after it was refused, once a key change is announced over Redis', async () => {
    const key = unknownKey();
    await a.http().get('/api/v1/agents').set(bearer(key)).expect(401);
    // The row appears behind the service's back (as from a restore): process a still remembers the
    // key as unknown, process b, which never saw it, looks it up and accepts it.
    await a.owner.getRepository(ApiKeyEntity).insert({
      id: uuidv7(),
      tenantId: tenant.tenantId,
      name: 'restored',
      keyPrefix: key.slice(0, 10),
      keyHash: hashApiKey(key),
      revokedAt: null,
      expiresAt: null,
      lastUsedAt: null,
    });
    await a.http().get('/api/v1/agents').set(bearer(key)).expect(401);
    await b.http().get('/api/v1/agents').set(bearer(key)).expect(200);

    // Any key change announced on the invalidation channel (here: b revokes another key) empties
    // every process's memory of unknown keys.
    const other = await b.app.get(ApiKeysService).create(tenant.tenantId, 'short-lived');
    expect(await b.app.get(ApiKeysService).revoke(other.id)).toBe(true);
    await waitFor('process a to forget the unknown key', async () => (await a.http().get('/api/v1/agents').set(bearer(key))).status === 200);
    await a.http().post('/api/v1/agents').set(bearer(key)).send(makeAgent()).expect(201);
  });

  it('never refuses a key created or rotated through the service, whatever was refused before', async () => {
    for (let i = 0; i < 10; i++) await a.http().get('/api/v1/agents').set(bearer(unknownKey())).expect(401);
    const keys = a.app.get(ApiKeysService);
    const created = await keys.create(tenant.tenantId, 'new');
    await a.http().get('/api/v1/agents').set(bearer(created.key)).expect(200);
    const rotated = await keys.rotate(created.id, 60_000);
    await a.http().get('/api/v1/agents').set(bearer(rotated!.created.key)).expect(200);
    await b.http().get('/api/v1/agents').set(bearer(rotated!.created.key)).expect(200);
  });
});
