import { Socket } from 'node:net';
import { makeAgent } from '../factories/agent.factory';
import { expectProblem } from '../utils/problems';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';

/**
 * Sends the head of a request that announces `declaredBytes` of body and only the first bytes of
 * it, then waits: an answer can only come from a server that did not wait for (or parse) the body.
 */
function answerBeforeBody(
  port: number,
  headers: Record<string, string>,
  declaredBytes = 10 * 1024 * 1024,
): Promise<{ status: number; body: Record<string, unknown>; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const split = received.indexOf('\r\n\r\n');
      const length = /^Content-Length: (\d+)/im.exec(received);
      if (split < 0 || !length || received.length < split + 4 + Number(length[1])) return;
      socket.destroy();
      resolve({ status: Number(received.slice(9, 12)), body: JSON.parse(received.slice(split + 4)), raw: received });
    });
    socket.on('close', () => reject(new Error(`closed without a complete answer: ${received}`)));
    const head = Object.entries({ Host: 'x', 'Content-Type': 'application/json', 'Content-Length': String(declaredBytes), ...headers })
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    socket.connect(port, '127.0.0.1', () => socket.write(`POST /api/v1/agents/bulk HTTP/1.1\r\n${head}\r\n\r\n{"items": [{"na`));
  });
}

describe('authentication before the body', () => {
  let t: TestApp;
  let port: number;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL, QUEUE_PREFIX: `before-body-${process.pid}`, REQUEST_TIMEOUT_MS: '20000' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    tenant = await createTenant(t.app);
  });
  afterAll(() => t.close());

  it('answers a request without a valid key 401 before its body arrives, and closes the connection', async () => {
    const none = await answerBeforeBody(port, {});
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    expect(none.raw).toMatch(/^Connection: close/im);
    const unknown = await answerBeforeBody(port, { Authorization: 'Bearer alk_unknownunknownunknownunknown' });
    expect(unknown.status).toBe(401);
  });

  it('answers 401, not 400, whatever the body holds', async () => {
    const res = await t.http().post('/api/v1/agents').set('Content-Type', 'application/json').send('{"name": broken');
    expectProblem(res, 401, 'UNAUTHENTICATED');
    const form = await t.http().post('/api/v1/agents').set('Content-Type', 'application/x-www-form-urlencoded').send('name=x');
    expectProblem(form, 401, 'UNAUTHENTICATED');
  });

  it('answers a blocked address 429 before the body, while a key it authenticated before is still served', async () => {
    const guarded = await createTestApp({ LOG_LEVEL, QUEUE_PREFIX: `before-body-blocked-${process.pid}`, RATE_LIMIT_AUTH_FAILURES: '3' });
    try {
      await guarded.app.listen(0, '127.0.0.1');
      const guardedPort = (guarded.app.getHttpServer().address() as { port: number }).port;
      // A request with the valid key first: this process has verified it.
      await guarded.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
      for (let i = 0; i < 4; i++) await guarded.http().get('/api/v1/agents').set('Authorization', 'Bearer alk_guessguessguessguessguess');
      const blocked = await answerBeforeBody(guardedPort, { Authorization: 'Bearer alk_anotherguessanotherguess' });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('RATE_LIMITED');
      const malformed = await guarded.http().post('/api/v1/agents').set('Content-Type', 'application/json').send('{"name": broken');
      expectProblem(malformed, 429, 'RATE_LIMITED');
      await guarded.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    } finally {
      await guarded.close();
    }
  });
});
