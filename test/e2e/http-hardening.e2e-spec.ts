import { Socket } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import type { Response } from 'supertest';
import { makeAgent } from '../factories/agent.factory';
import { makeServiceCall } from '../factories/service-call.factory';
import { expectProblem } from '../utils/problems';
import { createTenant, createTestApp, TestApp, useTwoTenants } from '../utils/test-app';
import { waitFor } from '../utils/wait';
import { untilFeedCaughtUp } from '../utils/event-feed';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
const ALLOWED = 'https://app.example.com';

/** The problem body, which must name none of the given internals (in any letter case). */
function expectNothingInternal(res: Response, internals: string[]): void {
  const text = JSON.stringify(res.body).toLowerCase();
  for (const internal of internals) expect(text, internal).not.toContain(internal.toLowerCase());
  expect(text).not.toMatch(/violates|constraint|relation "|key \(|failing row|insert into|returning/);
}

function preflight(t: TestApp, origin: string, method = 'PATCH') {
  return t
    .http()
    .options('/api/v1/agents/0190f2d4-0000-7000-8000-000000000000')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', 'authorization,content-type,if-match');
}

describe('CORS', () => {
  it('is off by default: no preflight is answered and no response carries CORS headers', async () => {
    const t = await createTestApp({ LOG_LEVEL });
    try {
      const tenant = await createTenant(t.app);
      const res = await preflight(t, ALLOWED);
      expect(res.status).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const get = await t.http().get('/api/v1/agents').set(tenant.auth).set('Origin', ALLOWED).expect(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  describe('with CORS_ORIGINS', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ LOG_LEVEL, CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });
    });
    afterAll(() => t.close());

    it('answers a preflight from a listed origin, with the methods and headers the API needs', async () => {
      for (const origin of [ALLOWED, 'http://localhost:5173']) {
        const res = await preflight(t, origin).expect(204);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
        expect(res.headers['access-control-allow-methods']).toMatch(/PATCH/);
        expect(res.headers['access-control-allow-headers']?.toLowerCase()).toMatch(/authorization.*if-match|if-match.*authorization/);
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('does not answer a preflight from any other origin', async () => {
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'http://app.example.com', 'null']) {
        const res = await preflight(t, origin);
        expect(res.status, origin).toBe(404);
        expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
        expect(res.headers['access-control-allow-methods'], origin).toBeUndefined();
      }
    });

    it('lets a listed origin read answers and their headers; other origins get no CORS headers', async () => {
      const tenant = await createTenant(t.app);
      const created = await t.http().post('/api/v1/agents').set(tenant.auth).set('Origin', ALLOWED).send(makeAgent()).expect(201);
      expect(created.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(created.headers['access-control-expose-headers']).toMatch(/ETag/);
      expect(created.headers['access-control-expose-headers']).toMatch(/Retry-After/);
      const other = await t.http().get('/api/v1/agents').set(tenant.auth).set('Origin', 'https://evil.example.com').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

@Controller('slow')
class SlowController {
  @Get()
  async slow(): Promise<{ done: boolean }> {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { done: true };
  }

  @Get('fast')
  fast(): { done: boolean } {
    return { done: true };
  }
}

@Module({ controllers: [SlowController] })
class SlowModule {}

describe('timeouts', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL, REQUEST_TIMEOUT_MS: '200', CONNECTION_TIMEOUT_MS: '400', KEEP_ALIVE_TIMEOUT_MS: '1000' }, [SlowModule]);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => t.close());

  it('answers 503 REQUEST_TIMEOUT as problem+json when a handler runs past REQUEST_TIMEOUT_MS', async () => {
    const tenant = await createTenant(t.app);
    const res = await t.http().get('/api/v1/slow').set(tenant.auth);
    const body = expectProblem(res, 503, 'REQUEST_TIMEOUT');
    expect(body.detail).toMatch(/longer than 200 ms/);
    await t.http().get('/api/v1/slow/fast').set(tenant.auth).expect(200, { done: true });
  });

  /** Opens a raw connection, sends `request` (if any) and resolves with what came back once the server closed it. */
  function rawConnection(request?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.connect(port, '127.0.0.1', () => {
        if (request) socket.write(request);
      });
    });
  }

  it('closes a connection that sends nothing, and one that stalls in the middle of a request', async () => {
    expect(await rawConnection()).toBe('');
    const partial = await rawConnection('POST /api/v1/agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na');
    expect(partial).not.toMatch(/^HTTP\/1\.1 2/);
  });

  /**
   * Sends `head`, then `trickle` one byte every 50 ms (never silent long enough for
   * CONNECTION_TIMEOUT_MS); resolves with what came back once the server closed the connection.
   * Sending everything would take 5 s: an answer before then means the server cut the request.
   */
  function trickle(head: string, trickled = 'x'.repeat(100)): Promise<{ received: string; sentBytes: number }> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let received = '';
      let sentBytes = 0;
      let timer: NodeJS.Timeout | undefined;
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('error', () => undefined); // the server may reset the connection after its answer
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ received, sentBytes });
      });
      socket.connect(port, '127.0.0.1', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (sentBytes === trickled.length) return reject(new Error('the whole request went through: nothing cut it'));
          if (!socket.destroyed) socket.write(trickled[sentBytes++]);
        }, 50);
      });
    });
  }

  it('cuts a request whose body arrives too slowly at REQUEST_TIMEOUT_MS: 408 problem+json, connection closed', async () => {
    const tenant = await createTenant(t.app);
    const { received, sentBytes } = await trickle(
      `POST /api/v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: ${tenant.auth.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
    );
    expect(sentBytes).toBeLessThan(100);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toMatch(/^Content-Type: application\/problem\+json/im);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)).code).toBe('REQUEST_INCOMPLETE');
    const agents = await t.http().get('/api/v1/agents').set(tenant.auth).expect(200);
    expect(agents.body.items).toEqual([]);
  });

  it('cuts a request whose headers arrive too slowly at REQUEST_TIMEOUT_MS', async () => {
    const { received, sentBytes } = await trickle('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(sentBytes).toBeLessThan(100);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const answer = await rawConnection('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/^Keep-Alive: timeout=1\r$/im);
  });

  it('refuses timeouts that would cut a slow request before its 503', async () => {
    await expect(createTestApp({ REQUEST_TIMEOUT_MS: '5000', CONNECTION_TIMEOUT_MS: '1000' })).rejects.toThrow(/CONNECTION_TIMEOUT_MS/);
  });
});

describe('connections per client address (MAX_CONNECTIONS_PER_ADDRESS)', () => {
  /** A raw connection that stays open; resolves once connected, with what it receives so far. */
  function openConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
    return new Promise((resolve) => {
      const socket = new Socket();
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closed }));
    });
  }

  it('refuses a client address its connection past the cap with 429, and takes it again once one closes', async () => {
    const t = await createTestApp({ LOG_LEVEL, MAX_CONNECTIONS_PER_ADDRESS: '2' });
    try {
      await t.app.listen(0, '127.0.0.1');
      const port = (t.app.getHttpServer().address() as { port: number }).port;
      const held = [await openConnection(port), await openConnection(port)];
      const third = await openConnection(port);
      await third.closed;
      expect(third.received()).toMatch(/^HTTP\/1\.1 429 /);
      expect(third.received()).toMatch(/"code":"RATE_LIMITED"/);
      held[0].socket.destroy();
      await held[0].closed;
      await waitFor('a connection to be taken again', async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).status === 200);
      held[1].socket.destroy();
    } finally {
      await t.close();
    }
  });

  it('behind a trusted proxy, caps the requests in flight per forwarded client address instead', async () => {
    const t = await createTestApp({ LOG_LEVEL, MAX_CONNECTIONS_PER_ADDRESS: '1', TRUST_PROXY: 'loopback' }, [SlowModule]);
    try {
      const tenant = await createTenant(t.app);
      const slow = (client: string) => t.http().get('/api/v1/slow').set(tenant.auth).set('X-Forwarded-For', client);
      const [first, second, elsewhere] = await Promise.all([slow('203.0.113.7'), slow('203.0.113.7'), slow('203.0.113.8')]);
      expect([first.status, second.status].sort()).toEqual([200, 429]);
      expect(elsewhere.status).toBe(200);
      await slow('203.0.113.7').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('database errors leak nothing', () => {
  const suite = useTwoTenants();
  const probe = `leak_probe_${process.pid}_${Date.now().toString(36)}`;

  async function withDdl(up: string, down: string, run: () => Promise<void>): Promise<void> {
    await suite.db.query(up);
    try {
      await run();
    } finally {
      await suite.db.query(down);
    }
  }

  it('answers a failed statement with a bare 500: no SQL, constraint, table or value', async () => {
    const { tenant } = suite;
    await withDdl(
      `ALTER TABLE agents ADD CONSTRAINT ${probe} CHECK (tenant_id <> '${tenant.tenantId}' OR name <> 'boom') NOT VALID`,
      `ALTER TABLE agents DROP CONSTRAINT ${probe}`,
      async () => {
        const res = await suite.t
          .http()
          .post('/api/v1/agents')
          .set(tenant.auth)
          .send(makeAgent({ name: 'boom' }));
        const body = expectProblem(res, 500, 'INTERNAL');
        expect(body.detail).toMatch(/correlation id/);
        expectNothingInternal(res, [probe, '"agents"', tenant.tenantId, 'boom', 'researcher']);
      },
    );
  });

  it('names nothing of another tenant whose row caused the failure', async () => {
    const { tenant, other } = suite;
    const name = `dup-${probe}`;
    await withDdl(`CREATE UNIQUE INDEX ${probe} ON agents (name) WHERE name = '${name}'`, `DROP INDEX ${probe}`, async () => {
      const theirs = await suite.t.http().post('/api/v1/agents').set(other.auth).send(makeAgent({ name })).expect(201);
      const res = await suite.t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({ name }));
      expectProblem(res, 500, 'INTERNAL');
      expectNothingInternal(res, [probe, theirs.body.id, other.tenantId, 'other-key']);
    });
  });

  it("keeps a database error out of a service call's lastError and its events", async () => {
    const t = await createTestApp({ LOG_LEVEL: 'fatal', QUEUE_PREFIX: `${probe}-outbox`, PERSIST_MAX_ATTEMPTS: '1' });
    try {
      const tenant = await createTenant(t.app);
      await withDdl(
        `ALTER TABLE agents ADD CONSTRAINT ${probe} CHECK (tenant_id <> '${tenant.tenantId}' OR name <> 'boom') NOT VALID`,
        `ALTER TABLE agents DROP CONSTRAINT ${probe}`,
        async () => {
          const accepted = await t
            .http()
            .post('/api/v1/service-calls')
            .set(tenant.auth)
            .send(makeServiceCall({ result: makeAgent({ name: 'boom' }) }))
            .expect(202);
          const dead = await waitFor('the result to be dead-lettered', async () => {
            const res = await t.http().get(`/api/v1/service-calls/${accepted.body.id}`).set(tenant.auth).expect(200);
            return res.body.status === 'dead_lettered' ? res : undefined;
          });
          expect(dead.body.lastError).toMatch(/^QueryFailedError: the database refused a statement \(SQLSTATE 23514\)/);
          expectNothingInternal(dead, [probe, '"agents"']);
          await untilFeedCaughtUp(t.owner, tenant.tenantId);
          const events = await t.http().get(`/api/v1/events?type=persistence.*&aggregateId=${accepted.body.id}`).set(tenant.auth).expect(200);
          expect(events.body.items.map((e: { type: string }) => e.type)).toContain('persistence.dead_lettered');
          expectNothingInternal(events, [probe]);
        },
      );
    } finally {
      await t.close();
    }
  });
});

describe('API documentation', () => {
  const basic = (key: string) => `Basic ${Buffer.from(`reader:${key}`).toString('base64')}`;

  it('needs an API key in production (NODE_ENV=production): page, assets and documents', async () => {
    const t = await createTestApp({ LOG_LEVEL, NODE_ENV: 'production' });
    try {
      const tenant = await createTenant(t.app);
      for (const path of ['/docs', '/docs/', '/docs-json', '/docs-yaml', '/docs/swagger-ui.css', '/%64ocs-json']) {
        const res = await t.http().get(path);
        expect(res.status, path).toBe(401);
        expect(res.headers['www-authenticate'], path).toMatch(/^Basic /);
        expect(res.headers['content-type'], path).toMatch(/^application\/problem\+json/);
        expect(res.body.detail, path).toMatch(/documentation needs an API key/);
      }
      const doc = await t.http().get('/docs-json').set(tenant.auth).expect(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      await t.http().get('/docs-json').set('Authorization', basic(tenant.key)).expect(200);
      const page = await t.http().get('/docs').set('Authorization', basic(tenant.key)).redirects(1);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/swagger/i);
      expect((await t.http().get('/docs-json').set('Authorization', basic('alk_unknown'))).status).toBe(401);
      // The admin UI needs a key as before.
      expect((await t.http().get('/admin/queues')).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('stays open in production with DOCS_AUTH=false, and needs a key anywhere with DOCS_AUTH=true', async () => {
    const open = await createTestApp({ LOG_LEVEL, NODE_ENV: 'production', DOCS_AUTH: 'false' });
    try {
      await open.http().get('/docs-json').expect(200);
    } finally {
      await open.close();
    }
    const closed = await createTestApp({ LOG_LEVEL, DOCS_AUTH: 'true' });
    try {
      expect((await closed.http().get('/docs-json')).status).toBe(401);
      await closed.http().get('/health/live').expect(200);
    } finally {
      await closed.close();
    }
  });
});

describe('security headers', () => {
  /** helmet's ask to stay on https: HSTS and the CSP's upgrade-insecure-requests. */
  function upgradesToHttps(res: Response): { hsts: boolean; upgrade: boolean } {
    return {
      hsts: res.headers['strict-transport-security'] !== undefined,
      upgrade: /upgrade-insecure-requests/.test(res.headers['content-security-policy'] ?? ''),
    };
  }

  it('over plain HTTP, never asks the browser to upgrade to https (the UIs would go blank on a host name)', async () => {
    const t = await createTestApp({ LOG_LEVEL });
    try {
      const res = await t.http().get('/health/live').set('X-Forwarded-Proto', 'https').expect(200);
      // The peer is no listed proxy: its X-Forwarded-Proto is not believed.
      expect(upgradesToHttps(res)).toEqual({ hsts: false, upgrade: false });
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await t.close();
    }
  });

  it('asks for https when a trusted proxy forwarded the request from https, and only then', async () => {
    const t = await createTestApp({ LOG_LEVEL, TRUST_PROXY: 'loopback' });
    try {
      const viaTls = await t.http().get('/health/live').set('X-Forwarded-Proto', 'https').expect(200);
      expect(upgradesToHttps(viaTls)).toEqual({ hsts: true, upgrade: true });
      const viaHttp = await t.http().get('/health/live').set('X-Forwarded-Proto', 'http').expect(200);
      expect(upgradesToHttps(viaHttp)).toEqual({ hsts: false, upgrade: false });
    } finally {
      await t.close();
    }
  });

  it('answers the API with the headers an API needs, and the pages with the full set', async () => {
    const t = await createTestApp({ LOG_LEVEL, TRUST_PROXY: 'loopback' });
    try {
      const tenant = await createTenant(t.app);
      const created = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
      const refused = await t.http().get('/api/v1/agents').expect(401);
      for (const res of [created, refused]) {
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['content-security-policy']).toBe(`default-src 'none';frame-ancestors 'none'`);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-request-id']).toBeDefined();
        // What only a page uses is left out of a JSON answer.
        for (const pageOnly of ['referrer-policy', 'cross-origin-opener-policy', 'x-dns-prefetch-control', 'x-download-options', 'origin-agent-cluster'])
          expect(res.headers[pageOnly], pageOnly).toBeUndefined();
        expect(upgradesToHttps(res)).toEqual({ hsts: false, upgrade: false });
      }
      const overTls = await t.http().get('/api/v1/agents').set(tenant.auth).set('X-Forwarded-Proto', 'https').expect(200);
      expect(upgradesToHttps(overTls).hsts).toBe(true);
      const page = await t.http().get('/docs').expect(200);
      expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(page.headers['cache-control']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('asks for https on every answer when PUBLIC_URL is https', async () => {
    const t = await createTestApp({ LOG_LEVEL, PUBLIC_URL: 'https://ledger.example.com' });
    try {
      const res = await t.http().get('/health/live').expect(200);
      expect(upgradesToHttps(res)).toEqual({ hsts: true, upgrade: true });
    } finally {
      await t.close();
    }
  });
});
