import { request as httpRequest } from 'node:http';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { makeAgent } from '../factories/agent.factory';
import { ServerProcess, startServer, waitUntilReady } from '../utils/server-process';
import { createTestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait';

interface LogLine {
  level: number;
  msg?: string;
  keyId?: string;
  req?: { url: string };
  res?: { statusCode: number };
  err?: { stack?: string };
}

/** The server process's request log, as it writes it at LOG_LEVEL=info. */
describe('request log', () => {
  let server: ServerProcess;
  let key: { id: string; key: string };
  const lines = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const requestLines = () => lines().filter((line) => line.req !== undefined);

  beforeAll(async () => {
    const t = await createTestApp({ APP_ROLE: 'api', LOG_LEVEL: 'silent' });
    try {
      key = await t.app.get(ApiKeysService).create(`log-${process.pid}`, 'logger');
    } finally {
      await t.close();
    }
    server = await startServer({
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      QUEUE_PREFIX: `request-log-${process.pid}`,
      APP_ROLE: 'api',
      AUTH: 'apikey',
      LOG_LEVEL: 'info',
    });
    await waitUntilReady(server);
  });
  afterAll(() => server?.stop());

  it('names the key id of an authenticated request and never a secret, wherever the client put it', async () => {
    const created = await fetch(`${server.baseUrl}/api/v1/agents?api_key=${key.key}&token=t0ps3cret&role=x`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key.key}`, 'X-API-Key': key.key, 'Content-Type': 'application/json' },
      body: JSON.stringify(makeAgent()),
    });
    expect(created.status).toBe(201);
    await fetch(`${server.baseUrl}/api/v1/agents/${key.key}`, { headers: { 'X-API-Key': 'alk_wrongwrongwrongwrongwrong' } });
    const line = await waitFor('the log line of the create', async () => requestLines().find((each) => each.res?.statusCode === 201));
    expect(line.keyId).toBe(key.id);
    expect(line.req!.url).toMatch(/api_key=\[Redacted\]&token=\[Redacted\]&role=x$/);
    await waitFor('the log line of the refusal', async () => requestLines().find((each) => each.res?.statusCode === 401));
    expect(server.output()).not.toContain(key.key);
    expect(server.output()).not.toContain('t0ps3cret');
    expect(server.output()).not.toContain('alk_wrong');
  });

  it('logs refused requests and clients that go away as info, without a stack', async () => {
    await fetch(`${server.baseUrl}/api/v1/agents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"broken' });
    await fetch(`${server.baseUrl}/api/v1/agents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json' },
      body: '{"broken',
    });
    // A client that sends half its body and hangs up.
    await new Promise<void>((resolve) => {
      const url = new URL(`${server.baseUrl}/api/v1/agents`);
      const request = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json', 'Content-Length': '1000' },
      });
      request.on('error', () => resolve());
      request.write('{"name": "half');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 200);
    });
    await waitFor('the log line of the malformed body', async () => requestLines().find((each) => each.res?.statusCode === 400));
    await waitFor('the log line of the abort', async () => requestLines().find((each) => each.msg === 'request aborted'), 5000).catch(() => undefined);
    const faults = lines().filter((line) => line.level >= 50 || line.err?.stack !== undefined);
    expect(faults).toEqual([]);
  });
});
