import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { register } from 'prom-client';
import type { Response } from 'supertest';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { makeAgent } from '../factories/agent.factory';
import { makeServiceCall } from '../factories/service-call.factory';
import { expectProblem } from '../utils/problems';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { waitFor } from '../utils/wait';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
/** Its own key space in Redis, so that the per-IP counts of this file meet no other file's. */
const PREFIX = `rate-limit-${process.pid}-${Date.now().toString(36)}`;

function limitedApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({
    LOG_LEVEL,
    APP_ROLE: 'api',
    QUEUE_PREFIX: PREFIX,
    RATE_LIMIT_DEFAULT: '3',
    RATE_LIMIT_STRICT: '2',
    RATE_LIMIT_WINDOW_MS: '60000',
    ...env,
  });
}

/** 429 RATE_LIMITED as problem+json, with a Retry-After (whole seconds, within the window). */
function expectRateLimited(res: Response): void {
  const body = expectProblem(res, 429, 'RATE_LIMITED');
  expect(body.title).toBe('Too many requests');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(body.retryAfterSeconds).toBe(retryAfter);
}

async function unavailableCount(): Promise<number> {
  const metric = await register.getSingleMetric('rate_limit_unavailable_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('rate limits', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await limitedApp();
  });
  afterAll(async () => {
    await t.app.get<Queue>(getQueueToken('persistence')).obliterate({ force: true });
    await t.close();
  });
  beforeEach(async () => {
    tenant = await createTenant(t.app);
  });

  it('refuses a key over its limit with 429 and Retry-After, while another key of the same tenant is served', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    expectRateLimited(await t.http().get('/api/v1/agents').set(tenant.auth));
    // Every route counts in the same budget, and a write refused for its rate writes nothing.
    expectRateLimited(await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()));

    const second = await t.app.get(ApiKeysService).create(tenant.tenantId, 'second-key');
    const secondAuth = { Authorization: `Bearer ${second.key}` };
    await t.http().post('/api/v1/agents').set(secondAuth).send(makeAgent()).expect(201);
    const list = await t.http().get('/api/v1/agents').set(secondAuth).expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('never limits /health/* and /metrics', async () => {
    for (let i = 0; i < 6; i++) {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/health/ready').expect(200);
      const metrics = await t.http().get('/metrics').expect(200);
      expect(metrics.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('gives intake and every bulk route one stricter budget, apart from the other routes', async () => {
    await t.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()).expect(202);
    await t
      .http()
      .post('/api/v1/agents/bulk')
      .set(tenant.auth)
      .send({ items: [makeAgent()] })
      .expect(201);
    expectRateLimited(await t.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()));
    expectRateLimited(
      await t
        .http()
        .post('/api/v1/action-logs/bulk')
        .set(tenant.auth)
        .send({ items: [{ actionType: 'a' }] }),
    );
    // Reading service calls is an ordinary route, and the ordinary budget is untouched.
    const calls = await t.http().get('/api/v1/service-calls').set(tenant.auth).expect(200);
    expect(calls.headers['x-ratelimit-limit']).toBe('3');
    await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    const agents = await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
    expect(agents.body.items).toHaveLength(2);
  });

  it('enforces one limit across two app instances that share Redis', async () => {
    const other = await limitedApp();
    try {
      await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
      await other.http().get('/api/v1/agents').set(tenant.auth).expect(200);
      await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
      expectRateLimited(await other.http().get('/api/v1/agents').set(tenant.auth));
      expectRateLimited(await t.http().get('/api/v1/agents').set(tenant.auth));
    } finally {
      await other.close();
    }
  });

  describe('budgets reserved in blocks (no Redis round trip per request)', () => {
    // A limit of 60 makes each process reserve blocks of 3 (a 20th of the limit).
    const LIMIT = 60;
    let other: TestApp;
    let wide: TestApp;

    beforeAll(async () => {
      [wide, other] = await Promise.all([
        limitedApp({ RATE_LIMIT_DEFAULT: String(LIMIT), QUEUE_PREFIX: `${PREFIX}-blocks` }),
        limitedApp({ RATE_LIMIT_DEFAULT: String(LIMIT), QUEUE_PREFIX: `${PREFIX}-blocks` }),
      ]);
    });
    afterAll(async () => {
      await other.close();
      await wide.close();
    });

    /** Sends `count` requests, `concurrency` at a time, alternating between the two apps; the statuses. */
    async function burst(key: TestTenant, count: number, concurrency: number): Promise<number[]> {
      const statuses: number[] = [];
      for (let sent = 0; sent < count; sent += concurrency) {
        const batch = Array.from({ length: Math.min(concurrency, count - sent) }, (_, i) =>
          ((sent + i) % 2 === 0 ? wide : other).http().get('/api/v1/agents').set(key.auth),
        );
        statuses.push(...(await Promise.all(batch)).map((res) => res.status));
      }
      return statuses;
    }

    it('admits exactly the limit across two app instances under concurrent load, and refuses the rest', async () => {
      const key = await createTenant(wide.app);
      const statuses = await burst(key, 3 * LIMIT, 10);
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    });

    it('gives back what a process reserved and did not use, so the other process can use it', async () => {
      const key = await createTenant(wide.app);
      await other.http().get('/api/v1/agents').set(key.auth).expect(200); // reserves a block of 3, uses 1
      // The other 57 are served here, and the 2 that process did not use too once the key is quiet
      // there (it gives them back to the shared budget); without that, this process would stop at 57.
      let served = 0;
      await waitFor(
        'the 59 requests the other process left',
        async () => {
          const res = await wide.http().get('/api/v1/agents').set(key.auth);
          if (res.status === 200) served++;
          else expectRateLimited(res);
          return served === LIMIT - 1;
        },
        10_000,
        100,
      );
      expectRateLimited(await wide.http().get('/api/v1/agents').set(key.auth));
      expectRateLimited(await other.http().get('/api/v1/agents').set(key.auth));
    });
  });

  it('counts requests without an API key by client IP (AUTH=off)', async () => {
    const open = await limitedApp({ AUTH: 'off', QUEUE_PREFIX: `${PREFIX}-ip` });
    try {
      for (let i = 0; i < 3; i++) await open.http().get('/api/v1/agents').expect(200);
      expectRateLimited(await open.http().get('/api/v1/agents'));
      await open.http().get('/health/live').expect(200);
    } finally {
      await open.close();
    }
  });

  describe('the API documentation and the admin UI', () => {
    it('count the open documentation per client address: page, assets and documents share one budget', async () => {
      const docs = await limitedApp({ QUEUE_PREFIX: `${PREFIX}-docs`, DOCS_AUTH: 'false' });
      try {
        const served = await docs.http().get('/docs-json').expect(200);
        expect(served.headers['x-ratelimit-limit']).toBe('3');
        await docs.http().get('/docs').expect(200);
        await docs.http().get('/docs-yaml').expect(200);
        expectRateLimited(await docs.http().get('/docs-json'));
        expectRateLimited(await docs.http().get('/docs'));
        // The address's budget is not a key's: the API is still served to a key from that address.
        const key = await createTenant(docs.app);
        await docs.http().get('/api/v1/agents').set(key.auth).expect(200);
      } finally {
        await docs.close();
      }
    });

    it('count the documentation behind DOCS_AUTH per key, in the budget the key spends on the API', async () => {
      const docs = await limitedApp({ QUEUE_PREFIX: `${PREFIX}-docs-auth`, DOCS_AUTH: 'true' });
      try {
        const [first, second] = [await createTenant(docs.app), await createTenant(docs.app)];
        await docs.http().get('/api/v1/agents').set(first.auth).expect(200);
        for (let i = 0; i < 2; i++) await docs.http().get('/docs-json').set(first.auth).expect(200);
        expectRateLimited(await docs.http().get('/docs-json').set(first.auth));
        expectRateLimited(await docs.http().get('/api/v1/agents').set(first.auth));
        await docs.http().get('/docs-json').set(second.auth).expect(200);
        // Without a key: 401, counted as a failed authentication, never served.
        expectProblem(await docs.http().get('/docs-json'), 401, 'UNAUTHENTICATED');
      } finally {
        await docs.close();
      }
    });

    it('count the admin UI (page and JSON API) per admin key, in the budget the key spends on the API', async () => {
      const adminTenant = `admins-${process.pid}-${Date.now().toString(36)}`;
      const board = await limitedApp({ QUEUE_PREFIX: `${PREFIX}-board`, ADMIN_TENANTS: adminTenant });
      try {
        const keys = board.app.get(ApiKeysService);
        const [ops, other] = [await keys.create(adminTenant, 'ops'), await keys.create(adminTenant, 'ops-2')];
        const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
        const page = await board.http().get('/admin/queues').set(auth(ops.key)).expect(200);
        expect(page.headers['x-ratelimit-remaining']).toBe('2');
        await board.http().get('/admin/queues/api/queues').set(auth(ops.key)).expect(200);
        await board.http().get('/api/v1/agents').set(auth(ops.key)).expect(200);
        expectRateLimited(await board.http().get('/admin/queues/api/queues').set(auth(ops.key)));
        expectRateLimited(await board.http().get('/admin/queues').set(auth(ops.key)));
        await board.http().get('/admin/queues/api/queues').set(auth(other.key)).expect(200);
      } finally {
        await board.app.get<Queue>(getQueueToken('persistence')).obliterate({ force: true });
        await board.close();
      }
    });
  });

  it('limits nothing with RATE_LIMIT_ENABLED=false', async () => {
    const unlimited = await limitedApp({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_DEFAULT: '1' });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await unlimited.http().get('/api/v1/agents').set(tenant.auth).expect(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await unlimited.close();
    }
  });
});

describe('rate limits while Redis is unreachable', () => {
  it('serve requests uncounted (fail open), and count again once Redis is back', async () => {
    const target = new URL(process.env.TEST_REDIS_URL!);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const t = await limitedApp({ REDIS_URL: viaProxy.toString(), LOG_LEVEL: 'fatal' });
    try {
      const tenant = await createTenant(t.app);
      const other = await createTenant(t.app, 'other-key');
      for (let i = 0; i < 3; i++) await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
      expectRateLimited(await t.http().get('/api/v1/agents').set(tenant.auth));
      await t.http().get('/api/v1/agents').set(other.auth).expect(200); // its key is verified and cached

      proxy.cut();
      // A key this process holds no unused budget of has to ask Redis, which does not answer: served, uncounted.
      const before = await unavailableCount();
      for (let i = 0; i < 3; i++) {
        const res = await t.http().post('/api/v1/agents').set(other.auth).send(makeAgent());
        expect(res.status).toBe(201);
      }
      expect(await unavailableCount()).toBe(before + 3);
      expect((await t.http().get('/health/ready')).status).toBe(503);

      proxy.restore();
      await expect.poll(async () => (await t.http().get('/health/ready')).status, { timeout: 20_000, interval: 100 }).toBe(200);
      // Counted again: the requests served during the outage were not, and the count made before it still holds.
      for (let i = 0; i < 2; i++) await t.http().get('/api/v1/agents').set(other.auth).expect(200);
      expectRateLimited(await t.http().get('/api/v1/agents').set(other.auth));
      expectRateLimited(await t.http().get('/api/v1/agents').set(tenant.auth));
    } finally {
      await t.close();
      await proxy.stop();
    }
  });
});
