import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../src/common/auth/request-context';
import { UnitOfWork } from '../../src/common/persistence/unit-of-work';
import { AGENT_STATUSES } from '../../src/modules/agents/agent.entity';
import { AgentMetricsService } from '../../src/modules/agents/metrics/agent-metrics.service';
import { StatusGauges } from '../../src/modules/metrics/status-gauges';
import { TASK_STATUSES } from '../../src/modules/tasks/task.entity';
import { makeAgent } from '../factories/agent.factory';
import { makeSystemMetric } from '../factories/system-metric.factory';
import { insertTaskRow } from '../factories/task-row.factory';
import { changesNothing as changesNothingIn, expectFieldErrors, expectIndistinguishable, expectProblem } from '../utils/problems';
import { createTestApp, TestApp, TestTenant, useTwoTenants } from '../utils/test-app';

interface PointBody {
  id: string;
  name: string;
  value: number;
  unit: string | null;
  tags: Record<string, unknown>;
  recordedAt: string;
}

type ByStatus = Record<string, number>;

describe('metrics API', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const suite = useTwoTenants();
  beforeEach(() => void ({ t, db, tenant, other } = suite));

  async function registerAgent(owner = tenant, status?: string): Promise<string> {
    return (
      await t
        .http()
        .post('/api/v1/agents')
        .set(owner.auth)
        .send(makeAgent(status ? { status: status as never } : {}))
        .expect(201)
    ).body.id;
  }

  function contextOf(owner: TestTenant): RequestContext {
    return { tenantId: owner.tenantId, actorId: 'metrics-test', keyId: null, correlationId: null };
  }

  describe('GET /agents/:id/metrics', () => {
    it('answers zeros for an agent that has finished no task', async () => {
      const agentId = await registerAgent();
      const res = await t.http().get(`/api/v1/agents/${agentId}/metrics`).set(tenant.auth).expect(200);
      expect(res.body).toEqual({
        agentId,
        agentKey: null,
        totalTasks: 0,
        completedTasks: 0,
        failedTasks: 0,
        avgDurationMs: null,
        successRate: null,
        updatedAt: null,
      });
    });

    it('counts the task outcomes committed for the agent, and nothing of a rolled-back one', async () => {
      const agentId = await registerAgent();
      const bystander = await registerAgent();
      const unitOfWork = t.app.get(UnitOfWork);
      const metrics = t.app.get(AgentMetricsService);
      const ctx = contextOf(tenant);

      await unitOfWork.run(ctx, (tx) => metrics.recordTaskOutcome(tx, agentId, 'completed', 100));
      await unitOfWork.run(ctx, (tx) => metrics.recordTaskOutcome(tx, agentId, 'completed', 300));
      await unitOfWork.run(ctx, (tx) => metrics.recordTaskOutcome(tx, agentId, 'failed', null));
      await expect(
        unitOfWork.run(ctx, async (tx) => {
          await metrics.recordTaskOutcome(tx, agentId, 'failed', 50);
          throw new Error('the transition failed after counting');
        }),
      ).rejects.toThrow('the transition failed after counting');

      const res = await t.http().get(`/api/v1/agents/${agentId}/metrics`).set(tenant.auth).expect(200);
      expect(res.body).toMatchObject({ agentId, totalTasks: 3, completedTasks: 2, failedTasks: 1, avgDurationMs: 200 });
      expect(res.body.successRate).toBeCloseTo(2 / 3, 10);
      expect(Math.abs(Date.parse(res.body.updatedAt) - Date.now())).toBeLessThan(60_000);

      const untouched = await t.http().get(`/api/v1/agents/${bystander}/metrics`).set(tenant.auth).expect(200);
      expect(untouched.body).toMatchObject({ totalTasks: 0, completedTasks: 0, failedTasks: 0 });
    });

    it('answers 404 for another tenant’s agent exactly as for a missing one, and 400 for a malformed id', async () => {
      const agentId = await registerAgent();
      await t.app.get(UnitOfWork).run(contextOf(tenant), (tx) => t.app.get(AgentMetricsService).recordTaskOutcome(tx, agentId, 'completed', 10));
      const missingId = randomUUID();
      const foreign = await t.http().get(`/api/v1/agents/${agentId}/metrics`).set(other.auth);
      const missing = await t.http().get(`/api/v1/agents/${missingId}/metrics`).set(other.auth);
      expectProblem(foreign, 404, 'NOT_FOUND');
      expectIndistinguishable(foreign, agentId, missing, missingId);
      expect(foreign.body.totalTasks).toBeUndefined();

      expectFieldErrors(await t.http().get('/api/v1/agents/agent-1/metrics').set(tenant.auth), ['id']);
      await t.http().get(`/api/v1/agents/${agentId}/metrics`).expect(401);
    });
  });

  describe('system metrics', () => {
    async function record(overrides: Record<string, unknown> = {}, owner = tenant): Promise<PointBody> {
      return (await t.http().post('/api/v1/system-metrics').set(owner.auth).send(makeSystemMetric(overrides)).expect(201)).body;
    }

    async function list(query: string, owner = tenant): Promise<{ items: PointBody[]; nextCursor: string | null }> {
      return (await t.http().get(`/api/v1/system-metrics${query}`).set(owner.auth).expect(200)).body;
    }

    const ids = (page: { items: PointBody[] }): string[] => page.items.map((point) => point.id);

    const changesNothing = (request: () => Promise<Response>) => changesNothingIn(db, tenant.tenantId, ['system_metrics', 'domain_events'], request);

    it('records a point: 201, recordedAt now unless given, any time zone normalised to UTC', async () => {
      const body = { name: 'tokens.spent', value: 1234.5, unit: 'tokens', tags: { model: 'm1' } };
      const now = await t.http().post('/api/v1/system-metrics').set(tenant.auth).send(body).expect(201);
      expect(now.body).toEqual({ id: expect.any(String), ...body, recordedAt: expect.any(String) });
      expect(Math.abs(Date.parse(now.body.recordedAt) - Date.now())).toBeLessThan(60_000);

      const backfilled = await record({ value: -3, recordedAt: '2026-01-31T12:00:00+02:00' });
      expect(backfilled).toMatchObject({ value: -3, recordedAt: '2026-01-31T10:00:00.000Z' });
      const minimal = await t.http().post('/api/v1/system-metrics').set(tenant.auth).send({ name: 'up', value: 0 }).expect(201);
      expect(minimal.body).toMatchObject({ value: 0, unit: null, tags: {} });

      expect((await list('')).items).toEqual([now.body, backfilled, minimal.body]);
    });

    it('filters by name and by since on recordedAt, in creation order, paged by cursor', async () => {
      const p1 = await record({ name: 'queue.depth', recordedAt: '2026-03-03T00:00:00Z' });
      const p2 = await record({ name: 'latency', recordedAt: '2026-03-01T00:00:00Z' });
      const p3 = await record({ name: 'queue.depth', recordedAt: '2026-03-01T00:00:00Z' });
      const p4 = await record({ name: 'queue.depth', recordedAt: '2026-03-02T00:00:00Z' });
      const p5 = await record({ name: 'latency' });

      expect(ids(await list('?name=queue.depth'))).toEqual([p1.id, p3.id, p4.id]);
      expect(ids(await list('?name=latency'))).toEqual([p2.id, p5.id]);
      expect(ids(await list('?name=nothing'))).toEqual([]);
      expect(ids(await list('?since=2026-03-02'))).toEqual([p1.id, p4.id, p5.id]);
      expect(ids(await list(`?since=${encodeURIComponent('2026-03-01T00:00:00Z')}`))).toEqual([p1.id, p2.id, p3.id, p4.id, p5.id]);
      expect(ids(await list(`?since=${encodeURIComponent('2026-03-01T00:00:00.001Z')}`))).toEqual([p1.id, p4.id, p5.id]);
      expect(ids(await list('?since=2026-03-02&name=queue.depth'))).toEqual([p1.id, p4.id]);
      expect(ids(await list('?since=2999-01-01'))).toEqual([]);

      const first = await list('?limit=2');
      const second = await list(`?limit=2&cursor=${first.nextCursor}`);
      const third = await list(`?limit=2&cursor=${second.nextCursor}`);
      expect([...ids(first), ...ids(second), ...ids(third)]).toEqual([p1.id, p2.id, p3.id, p4.id, p5.id]);
      expect(third.nextCursor).toBeNull();
    });

    it('keeps each tenant’s points to itself', async () => {
      const mine = await record({ name: 'shared' });
      const theirs = await record({ name: 'shared' }, other);
      for (const query of ['', '?name=shared', '?since=2000-01-01']) {
        expect(ids(await list(query))).toEqual([mine.id]);
        expect(ids(await list(query, other))).toEqual([theirs.id]);
      }
    });

    it('refuses a bad POST body naming each field, and writes nothing', async () => {
      const cases: [object, string[]][] = [
        [{}, ['name', 'value']],
        [{ name: 'x', value: '12' }, ['value']],
        [{ name: 'x', value: null }, ['value']],
        [{ name: 'x', value: true }, ['value']],
        [{ name: '', value: 1 }, ['name']],
        [{ name: 'n'.repeat(201), value: 1 }, ['name']],
        [makeSystemMetric({ unit: '' }), ['unit']],
        [makeSystemMetric({ tags: ['a'] as never }), ['tags']],
        [makeSystemMetric({ tags: 'env=prod' as never }), ['tags']],
        [makeSystemMetric({ recordedAt: 'now' }), ['recordedAt']],
        [makeSystemMetric({ recordedAt: '2026-01-31T12:00:00' }), ['recordedAt']],
        [makeSystemMetric({ recordedAt: '2026-02-30' }), ['recordedAt']],
        [{ ...makeSystemMetric(), id: randomUUID() }, ['id']],
      ];
      for (const [body, fields] of cases) {
        const res = await changesNothing(() => t.http().post('/api/v1/system-metrics').set(tenant.auth).send(body));
        expectFieldErrors(res, fields);
      }
      const huge = await changesNothing(() =>
        t.http().post('/api/v1/system-metrics').set(tenant.auth).set('Content-Type', 'application/json').send('{"name":"x","value":1e400}'),
      );
      expectFieldErrors(huge, ['value']);
      await changesNothing(() => t.http().post('/api/v1/system-metrics').send(makeSystemMetric()).expect(401));
    });

    it('refuses a bad since, name, limit, cursor or unknown parameter on the list', async () => {
      for (const since of ['last-week', '2026-13-01', '2026-01-01T00:00', '1700000000']) {
        expectFieldErrors(await t.http().get('/api/v1/system-metrics').query({ since }).set(tenant.auth), ['since']);
      }
      expectFieldErrors(await t.http().get('/api/v1/system-metrics?name=').set(tenant.auth), ['name']);
      expectFieldErrors(await t.http().get('/api/v1/system-metrics?limit=abc').set(tenant.auth), ['limit']);
      expectFieldErrors(await t.http().get('/api/v1/system-metrics?unit=jobs').set(tenant.auth), ['unit']);
      const forged = await t
        .http()
        .get('/api/v1/system-metrics')
        .query({ cursor: Buffer.from('1 OR 1=1').toString('base64url') })
        .set(tenant.auth);
      expect(expectProblem(forged, 400, 'BAD_REQUEST').detail).toMatch(/cursor/);
      await t.http().get('/api/v1/system-metrics').expect(401);
    });
  });

  describe('Prometheus gauges on /metrics', () => {
    async function recount(): Promise<{ agents: ByStatus; tasks: ByStatus }> {
      const read = async (table: string, statuses: readonly string[]): Promise<ByStatus> => {
        const counts: ByStatus = Object.fromEntries(statuses.map((status) => [status, 0]));
        for (const row of await db.query(`SELECT status, count(*)::int AS n FROM ${table} GROUP BY status`)) counts[row.status] = row.n;
        return counts;
      };
      return { agents: await read('agents', AGENT_STATUSES), tasks: await read('tasks', TASK_STATUSES) };
    }

    function exposed(text: string, gauge: string): ByStatus {
      const values: ByStatus = {};
      for (const match of text.matchAll(new RegExp(`^${gauge}\\{status="([a-z_]+)"\\} (\\d+)$`, 'gm'))) values[match[1]] = Number(match[2]);
      return values;
    }

    /**
     * Other test files write agents and tasks at the same time, so the gauges are compared with a
     * recount of the whole tables taken just before and just after the scrape; a scrape during
     * which the tables moved is simply taken again.
     */
    async function scrapeAgainstRecount(app: TestApp): Promise<{ text: string; counts: { agents: ByStatus; tasks: ByStatus } }> {
      for (let attempt = 0; attempt < 50; attempt++) {
        const before = await recount();
        await app.app.get(StatusGauges).refresh();
        const res = await app.http().get('/metrics').expect(200);
        const after = await recount();
        if (JSON.stringify(before) === JSON.stringify(after)) return { text: res.text, counts: before };
      }
      throw new Error('agents and tasks kept changing during every scrape');
    }

    it('exposes agents and tasks by status, across tenants, equal to a recount of the tables', async () => {
      for (const [owner, status] of [
        [tenant, 'busy'],
        [tenant, 'busy'],
        [other, 'error'],
        [tenant, 'offline'],
      ] as const) {
        await registerAgent(owner, status);
      }
      for (const status of ['running', 'running', 'completed', 'failed', 'cancelled'] as const) await insertTaskRow(db, tenant.tenantId, { status });
      await insertTaskRow(db, other.tenantId, { status: 'pending' });

      const { text, counts } = await scrapeAgainstRecount(t);
      expect(text).toMatch(/^# TYPE agent_ledger_agents gauge$/m);
      expect(text).toMatch(/^# TYPE agent_ledger_tasks gauge$/m);
      expect(exposed(text, 'agent_ledger_agents')).toEqual(counts.agents);
      expect(exposed(text, 'agent_ledger_tasks')).toEqual(counts.tasks);
      // What this test wrote is among what the gauges count.
      expect(counts.agents.busy).toBeGreaterThanOrEqual(2);
      expect(counts.agents.error).toBeGreaterThanOrEqual(1);
      expect(counts.tasks.running).toBeGreaterThanOrEqual(2);
      expect(counts.tasks.cancelled).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain(tenant.tenantId);
    });

    it('keeps serving the gauges after a second application in the same process started and stopped', async () => {
      const second = await createTestApp({ LOG_LEVEL: 'silent' });
      const fromSecond = await scrapeAgainstRecount(second);
      expect(exposed(fromSecond.text, 'agent_ledger_agents')).toEqual(fromSecond.counts.agents);
      await second.close();

      const { text, counts } = await scrapeAgainstRecount(t);
      expect(exposed(text, 'agent_ledger_agents')).toEqual(counts.agents);
      expect(exposed(text, 'agent_ledger_tasks')).toEqual(counts.tasks);
    });
  });
});
