import assert from 'node:assert';
import {
  AgentKeyTakenError,
  AgentLedgerClient,
  NotFoundError,
  PreconditionRequiredError,
  RetryInfo,
  ResultNotPersistedError,
  TaskBlockedError,
  UnauthenticatedError,
  UnprocessableError,
  ValidationFailedError,
  VersionConflictError,
} from '@agent-ledger/client';
import { makeAgent } from '../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant, useTwoTenants } from '../utils/test-app';
import { waitFor } from '../utils/wait';

/** @agent-ledger/client against the real app listening on a loopback port. */
describe('@agent-ledger/client', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let baseUrl: string;
  let client: AgentLedgerClient;

  const suite = useTwoTenants();
  beforeAll(async () => {
    await suite.t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(suite.t.app.getHttpServer().address() as { port: number }).port}`;
  });
  beforeEach(() => {
    ({ t, tenant } = suite);
    client = new AgentLedgerClient({ baseUrl, apiKey: tenant.key });
  });

  const newAgent = () => client.post('/api/v1/agents', { body: makeAgent() });
  const newTask = async () => {
    const workflow = await client.post('/api/v1/workflows', { body: { description: 'client test' } });
    return client.post('/api/v1/tasks', { body: { workflowId: workflow.id, description: 'a task' } });
  };

  describe('typed errors', () => {
    it('throws the class of the problem code, with the problem and its correlation id', async () => {
      const missing = await client.get('/api/v1/agents/{id}', { params: { id: '01a24a80-095c-729b-8460-492486e2d78c' } }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect((missing as NotFoundError).correlationId).toEqual(expect.any(String));

      const invalid = await client.post('/api/v1/agents', { body: { name: '', role: 'r' } }).catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ValidationFailedError);
      expect((invalid as ValidationFailedError).errors.map((error) => error.field)).toEqual(['name']);

      const stranger = new AgentLedgerClient({ baseUrl, apiKey: 'not-a-key' });
      await expect(stranger.get('/api/v1/agents', {})).rejects.toBeInstanceOf(UnauthenticatedError);
    });

    it('gives each kind of conflict its own class, whose problem has the members the document types', async () => {
      const first = await newTask();
      const second = await client.post('/api/v1/tasks', { body: { workflowId: first.workflowId, description: 'after the first', dependsOn: [first.id] } });
      const blocked = await client
        .patch('/api/v1/tasks/{id}', { params: { id: second.id }, version: second.version, body: { status: 'running' } })
        .catch((e: unknown) => e);
      assert(blocked instanceof TaskBlockedError);
      expect(blocked.code).toBe('TASK_BLOCKED');
      expect(blocked.problem.blockedBy).toEqual([first.id]);

      const key = `client-${second.id}`;
      await client.post('/api/v1/agents', { body: makeAgent({ key }) });
      const taken = await client.post('/api/v1/agents', { body: makeAgent({ key }) }).catch((e: unknown) => e);
      assert(taken instanceof AgentKeyTakenError);
      expect(taken.problem.keys).toEqual([key]);
    });

    it('refuses an update without a version (428) and an illegal transition (422), changing nothing', async () => {
      const task = await newTask();
      await expect(client.patch('/api/v1/tasks/{id}', { params: { id: task.id }, body: { status: 'running' } })).rejects.toBeInstanceOf(
        PreconditionRequiredError,
      );
      const cancelled = await client.patch('/api/v1/tasks/{id}', { params: { id: task.id }, version: task.version, body: { status: 'cancelled' } });
      await expect(
        client.patch('/api/v1/tasks/{id}', { params: { id: task.id }, version: cancelled.version, body: { status: 'running' } }),
      ).rejects.toBeInstanceOf(UnprocessableError);
      expect(await client.get('/api/v1/tasks/{id}', { params: { id: task.id } })).toMatchObject({ status: 'cancelled', version: cancelled.version });
    });
  });

  describe('versions', () => {
    it('sends the version as If-Match: the current one updates, a stale one is a VersionConflictError with the current version', async () => {
      const agent = await newAgent();
      const updated = await client.patch('/api/v1/agents/{id}', { params: { id: agent.id }, version: agent.version, body: { role: 'critic' } });
      expect(updated).toMatchObject({ role: 'critic', version: agent.version + 1 });

      const stale = await client
        .patch('/api/v1/agents/{id}', { params: { id: agent.id }, version: agent.version, body: { role: 'writer' } })
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(VersionConflictError);
      expect((stale as VersionConflictError).currentVersion).toBe(agent.version + 1);
      expect(await client.get('/api/v1/agents/{id}', { params: { id: agent.id } })).toMatchObject({ role: 'critic', version: agent.version + 1 });
    });

    it('update() re-reads and re-applies the change when another writer got there first: both changes are kept', async () => {
      const agent = await newAgent();
      // Another writer lands between this client's read and its write, once.
      let interfered = false;
      const racing = new AgentLedgerClient({
        baseUrl,
        apiKey: tenant.key,
        fetch: async (url, init) => {
          if (init?.method === 'PATCH' && !interfered) {
            interfered = true;
            await client.update('/api/v1/agents/{id}', { id: agent.id }, (current) => ({ metadata: { ...current.metadata, other: true } }));
          }
          return fetch(url, init);
        },
      });
      const seen: number[] = [];
      const result = await racing.update('/api/v1/agents/{id}', { id: agent.id }, (current) => {
        seen.push(current.version);
        return { metadata: { ...current.metadata, mine: true } };
      });

      expect(seen).toEqual([agent.version, agent.version + 1]);
      expect(result).toMatchObject({ version: agent.version + 2, metadata: { ...agent.metadata, mine: true, other: true } });
    });

    it('update() gives up with the VersionConflictError after its attempts', async () => {
      const agent = await newAgent();
      const alwaysBehind = new AgentLedgerClient({
        baseUrl,
        apiKey: tenant.key,
        fetch: async (url, init) => {
          if (init?.method === 'PATCH')
            await client.update('/api/v1/agents/{id}', { id: agent.id }, (current) => ({ description: `changed at ${current.version}` }));
          return fetch(url, init);
        },
      });
      const error = await alwaysBehind.update('/api/v1/agents/{id}', { id: agent.id }, () => ({ role: 'never' }), { attempts: 2 }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(VersionConflictError);
      expect(await client.get('/api/v1/agents/{id}', { params: { id: agent.id } })).toMatchObject({ role: agent.role, version: agent.version + 2 });
    });
  });

  describe('results through the outbox', () => {
    it('submitResult() is accepted and waitForPersisted() returns it persisted, with what it became', async () => {
      const task = await newTask();
      const call = await client.submitResult({
        callId: `client-${task.id}`,
        namespace: 'core',
        schema: 'task.result@1',
        result: { taskId: task.id, status: 'completed', output: { answer: 42 } },
      });
      expect(call.status).toBe('pending');

      const persisted = await client.waitForPersisted(call, { timeoutMs: 20_000 });
      expect(persisted.status).toBe('persisted');
      expect(persisted.domainObjects).toEqual([{ type: 'job_result', id: expect.any(String) }]);
      expect(await client.get('/api/v1/tasks/{id}', { params: { id: task.id } })).toMatchObject({ status: 'completed', output: { answer: 42 } });
    });

    it('waitForPersisted() throws ResultNotPersistedError for a result no handler takes', async () => {
      // A schema no handler takes is outside the document (its intake body lists the handlers' schemas): sent untyped.
      const { body: call } = await client.transport.send<{ id: string }>({
        method: 'POST',
        path: '/api/v1/service-calls',
        body: { callId: 'nobody-handles-this', namespace: 'nobody', schema: 'unknown.thing@1', result: {} },
      });
      const error = await client.waitForPersisted(call, { timeoutMs: 20_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResultNotPersistedError);
      expect((error as ResultNotPersistedError).serviceCall.status).toBe('skipped');
    });
  });

  describe('events.subscribe', () => {
    it('delivers the matching events of the tenant in order, and resumes from a cursor with nothing twice', async () => {
      const received: { id: string; type: string; aggregateId: string }[] = [];
      const first = client.events.subscribe('agent.*', (event) => void received.push(event), { pollIntervalMs: 50 });
      const agents = [await newAgent(), await newAgent()];
      await client.post('/api/v1/workflows', { body: { description: 'not an agent event' } });
      // Another tenant's agent is never seen.
      await new AgentLedgerClient({ baseUrl, apiKey: (await createTenant(t.app)).key }).post('/api/v1/agents', { body: makeAgent() });

      await waitFor('two events', async () => received.length >= 2);
      await first.close();
      const third = await newAgent();
      const second = client.events.subscribe('agent.*', (event) => void received.push(event), { from: first.cursor, pollIntervalMs: 50 });
      await waitFor('the third event', async () => received.length >= 3);
      await second.close();

      expect(received.map((event) => [event.type, event.aggregateId])).toEqual([...agents, third].map((agent) => ['agent.registered', agent.id]));
      expect(new Set(received.map((event) => event.id)).size).toBe(3);
    });

    it('filters by aggregate', async () => {
      await newAgent();
      const agent = await newAgent();
      await client.patch('/api/v1/agents/{id}', { params: { id: agent.id }, version: agent.version, body: { role: 'critic' } });
      const received: string[] = [];
      const subscription = client.events.subscribe('agent.*', (event) => void received.push(event.type), { aggregateId: agent.id, pollIntervalMs: 50 });

      await waitFor('the events of the second agent', async () => received.length >= 2);
      await subscription.close();
      expect(received).toEqual(['agent.registered', 'agent.updated']);
    });
  });

  describe('over the rate limit', () => {
    let limited: TestApp;
    let limitedUrl: string;
    beforeAll(async () => {
      limited = await createTestApp({
        LOG_LEVEL: 'silent',
        APP_ROLE: 'api',
        QUEUE_PREFIX: `client-limits-${process.pid}`,
        RATE_LIMIT_DEFAULT: '2',
        RATE_LIMIT_WINDOW_MS: '1000',
      });
      await limited.app.listen(0, '127.0.0.1');
      limitedUrl = `http://127.0.0.1:${(limited.app.getHttpServer().address() as { port: number }).port}`;
    });
    afterAll(() => limited.close());

    it('a burst past the limit still completes: each 429 is retried after the Retry-After the server sent', async () => {
      const caller = await createTenant(limited.app);
      const retries: RetryInfo[] = [];
      const burst = new AgentLedgerClient({ baseUrl: limitedUrl, apiKey: caller.key, retry: { onRetry: (retry) => retries.push(retry) } });

      const created = [];
      for (let i = 0; i < 4; i++) created.push(await burst.post('/api/v1/agents', { body: makeAgent({ name: `burst-${i}` }) }));
      const { items } = await burst.get('/api/v1/agents', { query: { limit: 10 } });

      expect(items.map((agent) => agent.name).sort()).toEqual(['burst-0', 'burst-1', 'burst-2', 'burst-3']);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((retry) => retry.reason === 429 && retry.delayMs >= 1000)).toBe(true);
    });
  });
});
