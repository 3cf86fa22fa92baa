import {
  AgentLedgerClient,
  ConnectionError,
  NotFoundError,
  RateLimitedError,
  RetryInfo,
  ServiceUnavailableError,
  VersionConflictError,
} from '@agent-ledger/client';
import { problemBody, StubHttpServer, StubReply } from '../../utils/stub-http-server';

const AGENT = { id: '01a24a80-095c-729b-8460-492486e2d78c', name: 'a', role: 'r', version: 1 };

/** A stub that answers the listed replies in turn, then 200 with an agent. */
async function stubAnswering(...replies: StubReply[]): Promise<StubHttpServer> {
  return new StubHttpServer((_request, index) => replies[index] ?? { status: 200, body: AGENT }).start();
}

describe('client retries (against a stub server)', () => {
  let stub: StubHttpServer;
  let retries: RetryInfo[];
  const clientOf = (attempts = 4, maxRetryAfterMs = 60_000) =>
    new AgentLedgerClient({
      baseUrl: stub.baseUrl,
      apiKey: 'k',
      retry: { attempts, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs, onRetry: (retry) => retries.push(retry) },
    });

  beforeEach(() => {
    retries = [];
  });
  afterEach(() => stub.stop());

  it('retries a POST after 503 as long as Retry-After says, with the same Idempotency-Key', async () => {
    stub = await stubAnswering({ status: 503, headers: { 'Retry-After': '1' }, body: problemBody(503, 'SERVICE_UNAVAILABLE') });
    const agent = await clientOf().post('/api/v1/agents', { body: { name: 'a', role: 'r' } });

    expect(agent.id).toBe(AGENT.id);
    expect(retries).toEqual([{ method: 'POST', path: '/api/v1/agents', attempt: 1, reason: 503, delayMs: 1000 }]);
    const keys = stub.requests.map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('retries after 429 when Retry-After is an HTTP date', async () => {
    stub = await stubAnswering({ status: 429, headers: { 'Retry-After': new Date(0).toUTCString() }, body: problemBody(429, 'RATE_LIMITED') });
    await clientOf().get('/api/v1/agents/{id}', { params: { id: AGENT.id } });

    expect(retries).toEqual([expect.objectContaining({ reason: 429, delayMs: 0 })]);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not wait a Retry-After longer than maxRetryAfterMs: the 429 is thrown at once', async () => {
    stub = await stubAnswering({ status: 429, headers: { 'Retry-After': '120' }, body: problemBody(429, 'RATE_LIMITED', { retryAfterSeconds: 120 }) });
    const error = await clientOf(4, 10_000)
      .get('/api/v1/agents/{id}', { params: { id: AGENT.id } })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(120);
    expect(stub.requests).toHaveLength(1);
  });

  it('retries a connection cut by the server, with backoff', async () => {
    stub = await stubAnswering('cut', 'cut');
    const agent = await clientOf().post('/api/v1/agents', { body: { name: 'a', role: 'r' } });

    expect(agent.version).toBe(1);
    expect(retries.map((retry) => retry.reason)).toEqual(['network', 'network']);
    expect(new Set(stub.requests.map((request) => request.headers['idempotency-key'])).size).toBe(1);
  });

  it('gives up after the last attempt with the typed error of the last answer', async () => {
    stub = await new StubHttpServer(() => ({ status: 503, body: problemBody(503, 'SERVICE_UNAVAILABLE') })).start();
    const error = await clientOf(3)
      .get('/api/v1/agents/{id}', { params: { id: AGENT.id } })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(stub.requests).toHaveLength(3);
  });

  it('throws ConnectionError when the server stays unreachable', async () => {
    stub = await new StubHttpServer(() => 'cut').start();
    const error = await clientOf(2)
      .get('/api/v1/agents', {})
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConnectionError);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not retry a client error: one request, its typed error', async () => {
    stub = await stubAnswering(
      { status: 409, body: problemBody(409, 'VERSION_CONFLICT', { currentVersion: 4, expectedVersion: 3 }) },
      { status: 404, body: problemBody(404, 'NOT_FOUND') },
    );
    const client = clientOf();
    const conflict = await client.patch('/api/v1/agents/{id}', { params: { id: AGENT.id }, version: 3, body: { role: 'x' } }).catch((e: unknown) => e);
    const missing = await client.get('/api/v1/agents/{id}', { params: { id: AGENT.id } }).catch((e: unknown) => e);

    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect((conflict as VersionConflictError).currentVersion).toBe(4);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(stub.requests).toHaveLength(2);
    expect(retries).toEqual([]);
  });

  it('retries 409 IDEMPOTENCY_KEY_IN_USE (the first request with that key is still running)', async () => {
    stub = await stubAnswering({ status: 409, body: problemBody(409, 'IDEMPOTENCY_KEY_IN_USE') });
    await clientOf().post('/api/v1/agents', { body: { name: 'a', role: 'r' }, idempotencyKey: 'my-key' });

    expect(stub.requests.map((request) => request.headers['idempotency-key'])).toEqual(['my-key', 'my-key']);
  });

  it('sends the key, a fresh Idempotency-Key per POST only, and If-Match with the version in quotes', async () => {
    stub = await stubAnswering();
    const client = clientOf();
    await client.post('/api/v1/agents', { body: { name: 'a', role: 'r' } });
    await client.post('/api/v1/agents', { body: { name: 'b', role: 'r' } });
    await client.get('/api/v1/agents/{id}', { params: { id: AGENT.id } });
    await client.patch('/api/v1/agents/{id}', { params: { id: AGENT.id }, version: 7, body: { role: 'x' } });

    const [first, second, read, update] = stub.requests;
    expect(first.headers.authorization).toBe('Bearer k');
    expect(first.headers['idempotency-key']).not.toBe(second.headers['idempotency-key']);
    expect(read.headers['idempotency-key']).toBeUndefined();
    expect(update.headers['if-match']).toBe('"7"');
    expect(JSON.parse(update.body)).toEqual({ role: 'x' });
  });
});
