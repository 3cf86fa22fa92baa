import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { makeAgent } from '../factories/agent.factory';
import { makeTask } from '../factories/task.factory';
import { makeWorkflow } from '../factories/workflow.factory';
import { changesNothing as changesNothingIn, expectFieldErrors, expectIndistinguishable, expectProblem, expectUnknownReferences } from '../utils/problems';
import { TestApp, TestTenant, useTwoTenants } from '../utils/test-app';

const KNOWLEDGE_TABLES = ['action_logs', 'job_results', 'insights', 'patterns', 'domain_events'];

describe('knowledge API', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;

  const suite = useTwoTenants();
  beforeEach(() => void ({ t, db, tenant, other } = suite));

  const post = (path: string, body: unknown, owner = tenant) =>
    t
      .http()
      .post(`/api/v1${path}`)
      .set(owner.auth)
      .send(body as object);
  const get = (path: string, owner = tenant) => t.http().get(`/api/v1${path}`).set(owner.auth);
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  const agentOf = async (owner: TestTenant) => (await post('/agents', makeAgent(), owner).expect(201)).body.id as string;
  const taskOf = async (owner: TestTenant) => {
    const workflow = (await post('/workflows', makeWorkflow(), owner).expect(201)).body;
    return (await post('/tasks', makeTask(workflow.id), owner).expect(201)).body.id as string;
  };

  const changesNothing = (request: () => Promise<Response>) => changesNothingIn(db, tenant.tenantId, KNOWLEDGE_TABLES, request);

  const insight = (overrides: Record<string, unknown> = {}) => ({
    summary: 'A finding',
    domain: 'ops',
    confidence: 0.5,
    content: 'Nothing in particular.',
    ...overrides,
  });

  describe('action logs', () => {
    it('logs an action and finds it by action type and by trace id', async () => {
      const traceId = `trace-${randomUUID()}`;
      const agentId = await agentOf(tenant);
      const search = (await post('/action-logs', { actionType: 'tool.search', parameters: { q: 'x' }, durationMs: 120, traceId, agentId }).expect(201)).body;
      expect(search).toMatchObject({
        actionType: 'tool.search',
        parameters: { q: 'x' },
        error: null,
        durationMs: 120,
        traceId,
        agentId,
        createdBy: 'test-key',
      });
      const failed = (await post('/action-logs', { actionType: 'tool.fetch', error: 'timeout', traceId }).expect(201)).body;
      const elsewhere = (await post('/action-logs', { actionType: 'tool.search' }).expect(201)).body;
      expect(elsewhere.parameters).toEqual({});

      expect(ids((await get('/action-logs?actionType=tool.search').expect(200)).body)).toEqual([search.id, elsewhere.id]);
      expect(ids((await get(`/action-logs?traceId=${traceId}`).expect(200)).body)).toEqual([search.id, failed.id]);
      expect(ids((await get(`/action-logs?traceId=${traceId}&actionType=tool.fetch`).expect(200)).body)).toEqual([failed.id]);
      expect((await get('/action-logs').expect(200)).body.items).toHaveLength(3);
    });

    it('pages with a cursor', async () => {
      await post('/action-logs/bulk', { items: [1, 2, 3].map((n) => ({ actionType: `a${n}` })) }).expect(201);
      const first = (await get('/action-logs?limit=2').expect(200)).body;
      expect(first.items.map((l: { actionType: string }) => l.actionType)).toEqual(['a1', 'a2']);
      const second = (await get(`/action-logs?limit=2&cursor=${first.nextCursor}`).expect(200)).body;
      expect(second.items.map((l: { actionType: string }) => l.actionType)).toEqual(['a3']);
      expect(second.nextCursor).toBeNull();
    });

    it('bulk-logs all or none', async () => {
      const res = await post('/action-logs/bulk', { items: [{ actionType: 'a' }, { actionType: 'b', traceId: 't' }] }).expect(201);
      expect(res.body.items.map((l: { actionType: string }) => l.actionType)).toEqual(['a', 'b']);
      const bad = await changesNothing(() => post('/action-logs/bulk', { items: [{ actionType: 'a' }, { actionType: '', durationMs: -1 }] }));
      expectFieldErrors(bad, ['items.1.actionType', 'items.1.durationMs']);
      const tooMany = await changesNothing(() => post('/action-logs/bulk', { items: Array.from({ length: 1001 }, () => ({ actionType: 'a' })) }));
      expectProblem(tooMany, 400, 'VALIDATION_FAILED');
    });

    it('refuses bad input with a problem and writes nothing', async () => {
      expectFieldErrors(await changesNothing(() => post('/action-logs', { parameters: [] })), ['actionType', 'parameters']);
      expectFieldErrors(await changesNothing(() => post('/action-logs', { actionType: 'a', parameters: null })), ['parameters']);
      expectFieldErrors(await changesNothing(() => post('/action-logs', { actionType: 'a', agentId: 'no pe', extra: 1 })), ['agentId', 'extra']);
    });

    it('refuses an agentId of another tenant with 422 naming the field, exactly as one that does not exist, and writes nothing', async () => {
      const foreignAgent = await agentOf(other);
      const missingAgent = randomUUID();
      const foreign = await changesNothing(() => post('/action-logs', { actionType: 'a', agentId: foreignAgent }));
      const missing = await changesNothing(() => post('/action-logs', { actionType: 'a', agentId: missingAgent }));
      expectUnknownReferences(foreign, ['agentId']);
      expectIndistinguishable(foreign, foreignAgent, missing, missingAgent);
    });

    it('refuses a bulk whose items name agents the tenant cannot see, naming each one, and writes none of it', async () => {
      const own = await agentOf(tenant);
      const foreignAgent = await agentOf(other);
      const missingAgent = randomUUID();
      const items = [
        { actionType: 'a', agentId: own.toUpperCase() },
        { actionType: 'b', agentId: foreignAgent },
        { actionType: 'c' },
        { actionType: 'd', agentId: missingAgent },
      ];
      const res = await changesNothing(() => post('/action-logs/bulk', { items }));
      expectUnknownReferences(res, ['items.1.agentId', 'items.3.agentId']);
      const foreignOnly = await changesNothing(() => post('/action-logs/bulk', { items: [{ actionType: 'a', agentId: foreignAgent }] }));
      const missingOnly = await changesNothing(() => post('/action-logs/bulk', { items: [{ actionType: 'a', agentId: missingAgent }] }));
      expectUnknownReferences(foreignOnly, ['items.0.agentId']);
      expectIndistinguishable(foreignOnly, foreignAgent, missingOnly, missingAgent);
      // The tenant's own agent, in any letter case, is accepted.
      const stored = (await post('/action-logs/bulk', { items: [items[0], items[2]] }).expect(201)).body.items;
      expect(stored.map((log: { agentId: string | null }) => log.agentId)).toEqual([own, null]);
    });
  });

  describe('job results', () => {
    it('records results and finds them by job id', async () => {
      const taskId = await taskOf(tenant);
      const a = (
        await post('/job-results', { jobId: 'job-1', taskId, status: 'completed', outputArtifacts: { file: 'a.md' }, metrics: { pages: 3 } }).expect(201)
      ).body;
      expect(a).toMatchObject({ jobId: 'job-1', taskId, agentId: null, status: 'completed', outputArtifacts: { file: 'a.md' }, metrics: { pages: 3 } });
      const [b, c] = (await post('/job-results/bulk', { items: [{ jobId: 'job-2' }, { jobId: 'job-1' }] }).expect(201)).body.items;
      expect(b).toMatchObject({ jobId: 'job-2', outputArtifacts: {}, metrics: {} });
      expect(ids((await get('/job-results?jobId=job-1').expect(200)).body)).toEqual([a.id, c.id]);
      expect(ids((await get('/job-results').expect(200)).body)).toEqual([a.id, b.id, c.id]);
    });

    it('refuses bad input with a problem and writes nothing', async () => {
      expectFieldErrors(await changesNothing(() => post('/job-results', { taskId: 'x', metrics: 'fast' })), ['jobId', 'metrics', 'taskId']);
      const bulk = await changesNothing(() => post('/job-results/bulk', { items: [{ jobId: 'ok' }, { jobId: 7 }] }));
      expectFieldErrors(bulk, ['items.1.jobId']);
    });

    it('refuses an agentId or taskId of another tenant with 422 naming the field, exactly as one that does not exist, and writes nothing', async () => {
      const foreign = { agentId: await agentOf(other), taskId: await taskOf(other) };
      for (const field of ['agentId', 'taskId'] as const) {
        const missingId = randomUUID();
        const viaForeign = await changesNothing(() => post('/job-results', { jobId: 'j', [field]: foreign[field] }));
        const viaMissing = await changesNothing(() => post('/job-results', { jobId: 'j', [field]: missingId }));
        expectUnknownReferences(viaForeign, [field]);
        expectIndistinguishable(viaForeign, foreign[field], viaMissing, missingId);
      }
      // Both at once: both named.
      expectUnknownReferences(await changesNothing(() => post('/job-results', { jobId: 'j', ...foreign })), ['agentId', 'taskId']);
    });

    it('refuses a bulk whose items name agents or tasks the tenant cannot see, naming each one, and writes none of it', async () => {
      const own = { agentId: await agentOf(tenant), taskId: await taskOf(tenant) };
      const foreignTask = await taskOf(other);
      const items = [
        { jobId: 'a', ...own },
        { jobId: 'b', taskId: foreignTask },
        { jobId: 'c', agentId: randomUUID(), taskId: own.taskId },
      ];
      expectUnknownReferences(await changesNothing(() => post('/job-results/bulk', { items })), ['items.1.taskId', 'items.2.agentId']);
      const stored = (await post('/job-results/bulk', { items: [items[0], { jobId: 'd' }] }).expect(201)).body.items;
      expect(stored).toMatchObject([
        { jobId: 'a', ...own },
        { jobId: 'd', agentId: null, taskId: null },
      ]);
    });
  });

  describe('insights', () => {
    it('records an insight with its event and lists insights by domain', async () => {
      const ops = (await post('/insights', insight({ domain: 'ops', confidence: 1 })).expect(201)).body;
      expect(ops).toMatchObject({ summary: 'A finding', domain: 'ops', confidence: 1, content: 'Nothing in particular.', version: 1, createdBy: 'test-key' });
      expect(ops).not.toHaveProperty('search');
      const [research] = (await post('/insights/bulk', { items: [insight({ domain: 'research', confidence: 0 })] }).expect(201)).body.items;
      expect(ids((await get('/insights?domain=ops').expect(200)).body)).toEqual([ops.id]);
      expect(ids((await get('/insights?domain=research').expect(200)).body)).toEqual([research.id]);
      expect((await get(`/insights/${ops.id}`).expect(200)).body).toEqual(ops);

      const events = (await get(`/events?type=insight.*&aggregateId=${ops.id}`).expect(200)).body.items;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'insight.recorded',
        aggregateId: ops.id,
        aggregateVersion: 1,
        payload: { insightId: ops.id, domain: 'ops', confidence: 1 },
      });
    });

    it('refuses a confidence outside 0..1 (and other bad input) with 400 and writes nothing', async () => {
      for (const confidence of [1.01, -0.1, '0.5', null]) {
        expectFieldErrors(await changesNothing(() => post('/insights', insight({ confidence }))), ['confidence']);
      }
      expectFieldErrors(await changesNothing(() => post('/insights', { domain: 'x' })), ['confidence', 'content', 'summary']);
      const bulk = await changesNothing(() => post('/insights/bulk', { items: [insight(), insight({ confidence: 2 })] }));
      expectFieldErrors(bulk, ['items.1.confidence']);
    });

    it('searches full text: best match first, stemmed, with highlights, only the tenant’s insights', async () => {
      const corpus = (
        await post('/insights/bulk', {
          items: [
            insight({ summary: 'Crawler scheduling', content: 'The crawler was running a long search over the archive.' }),
            insight({ summary: 'Run searches in parallel', content: 'Agents run searches; running agents run more searches in parallel.' }),
            insight({ summary: 'Billing notes', content: 'Invoices are issued monthly.' }),
            insight({ summary: 'Caching', content: 'A search cache halves latency.', domain: 'perf' }),
          ],
        }).expect(201)
      ).body.items as { id: string }[];
      await post('/insights', insight({ summary: 'Run search', content: 'run search run search run search' }), other).expect(201);

      const res = (await get('/insights/search?q=run%20search').expect(200)).body;
      expect(ids(res)).toEqual([corpus[1].id, corpus[0].id]);
      expect(res.items[0].rank).toBeGreaterThan(res.items[1].rank);
      expect(res.items[0].highlight).toMatch(/<b>[Rr]un<\/b>/);
      expect(res.items[1].highlight).toContain('<b>running</b>');
      expect(res.items[0]).toMatchObject({ summary: 'Run searches in parallel', domain: 'ops' });

      // Stemming both ways: "running" finds "run", and "searches" finds "search".
      expect(ids((await get('/insights/search?q=running').expect(200)).body)).toEqual([corpus[1].id, corpus[0].id]);
      expect(ids((await get('/insights/search?q=searches&domain=perf').expect(200)).body)).toEqual([corpus[3].id]);
      expect(ids((await get('/insights/search?q=search&limit=1').expect(200)).body)).toHaveLength(1);
      expect((await get('/insights/search?q=invoice%20-monthly').expect(200)).body.items).toEqual([]);
      expect((await get('/insights/search?q=the').expect(200)).body.items).toEqual([]);
    });

    it('refuses a search without words', async () => {
      expectFieldErrors(await get('/insights/search'), ['q']);
      expectFieldErrors(await get('/insights/search?q='), ['q']);
    });
  });

  describe('patterns', () => {
    it('creates a pattern with its event; a trigger the tenant has is a 409, another tenant may reuse it', async () => {
      const created = (await post('/patterns', { trigger: 'summarize market', steps: [{ tool: 'search' }, 'summarize'] }).expect(201)).body;
      expect(created).toMatchObject({ trigger: 'summarize market', steps: [{ tool: 'search' }, 'summarize'], usageCount: 0, version: 1 });
      const dup = await changesNothing(() => post('/patterns', { trigger: 'summarize market', steps: [] }));
      expect(expectProblem(dup, 409, 'PATTERN_TRIGGER_TAKEN').detail).toContain('summarize market');
      await post('/patterns', { trigger: 'summarize market', steps: [] }, other).expect(201);
      const events = (await get(`/events?aggregateId=${created.id}`).expect(200)).body.items;
      expect(events.map((e: { type: string }) => e.type)).toEqual(['pattern.created']);
    });

    it('bulk-creates all or none (a trigger repeated in the batch is a 409)', async () => {
      const res = await post('/patterns/bulk', {
        items: [
          { trigger: 'a', steps: [] },
          { trigger: 'b', steps: [1] },
        ],
      }).expect(201);
      expect(res.body.items.map((p: { trigger: string }) => p.trigger)).toEqual(['a', 'b']);
      expectProblem(
        await changesNothing(() =>
          post('/patterns/bulk', {
            items: [
              { trigger: 'c', steps: [] },
              { trigger: 'a', steps: [] },
            ],
          }),
        ),
        409,
        'PATTERN_TRIGGER_TAKEN',
      );
      expectProblem(
        await changesNothing(() =>
          post('/patterns/bulk', {
            items: [
              { trigger: 'd', steps: [] },
              { trigger: 'd', steps: [] },
            ],
          }),
        ),
        409,
        'PATTERN_TRIGGER_TAKEN',
      );
      expectFieldErrors(await changesNothing(() => post('/patterns/bulk', { items: [{ trigger: 'e', steps: {} }] })), ['items.0.steps']);
      expectFieldErrors(await changesNothing(() => post('/patterns', { steps: 'x' })), ['steps', 'trigger']);
    });

    it('counts 100 concurrent uses exactly, without moving the version', async () => {
      const pattern = (await post('/patterns', { trigger: 'hot', steps: [] }).expect(201)).body;
      const results = await Promise.all(Array.from({ length: 100 }, () => post(`/patterns/${pattern.id}/usage`, {})));
      expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
      const after = (await get(`/patterns/${pattern.id}`).expect(200)).body;
      expect(after).toMatchObject({ usageCount: 100, version: 1 });
      expect(results.map((r) => r.body.usageCount).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = $1 AND type = 'pattern.used'`, [pattern.id]);
      expect(n).toBe(100);
    });

    it('lists the most used patterns first', async () => {
      const [rare, popular, mid] = (await post('/patterns/bulk', { items: ['rare', 'popular', 'mid'].map((trigger) => ({ trigger, steps: [] })) }).expect(201))
        .body.items as { id: string }[];
      for (const [id, uses] of [
        [popular.id, 3],
        [mid.id, 2],
        [rare.id, 1],
      ] as const) {
        for (let i = 0; i < uses; i++) await post(`/patterns/${id}/usage`, {}).expect(200);
      }
      await post('/patterns', { trigger: 'other', steps: [] }, other).expect(201);
      const top = (await get('/patterns/most-used?limit=2').expect(200)).body;
      expect(ids(top)).toEqual([popular.id, mid.id]);
      expect(top.items.map((p: { usageCount: number }) => p.usageCount)).toEqual([3, 2]);
      expect(ids((await get('/patterns/most-used').expect(200)).body)).toEqual([popular.id, mid.id, rare.id]);
      expectFieldErrors(await get('/patterns/most-used?limit=0'), ['limit']);
      expect(ids((await get('/patterns').expect(200)).body)).toEqual([rare.id, popular.id, mid.id]);
    });
  });

  describe('tenant isolation', () => {
    it('answers 404 for another tenant’s ids, exactly as for missing ones, and changes nothing', async () => {
      const foreignInsight = (await post('/insights', insight(), other).expect(201)).body;
      const foreignPattern = (await post('/patterns', { trigger: 'x', steps: [] }, other).expect(201)).body;
      const missing = randomUUID();

      for (const path of ['/insights', '/patterns']) {
        const foreignId = path === '/insights' ? foreignInsight.id : foreignPattern.id;
        const foreign = await get(`${path}/${foreignId}`);
        expectProblem(foreign, 404, 'NOT_FOUND');
        expectIndistinguishable(foreign, foreignId, await get(`${path}/${missing}`), missing);
      }
      const use = await post(`/patterns/${foreignPattern.id}/usage`, {});
      expectProblem(use, 404, 'NOT_FOUND');
      expectIndistinguishable(use, foreignPattern.id, await post(`/patterns/${missing}/usage`, {}), missing);
      expect((await get(`/patterns/${foreignPattern.id}`, other).expect(200)).body.usageCount).toBe(0);
      expectFieldErrors(await get('/patterns/not-a-uuid'), ['id']);
    });

    it('never lists another tenant’s rows', async () => {
      await post('/action-logs', { actionType: 'shared', traceId: 'shared' }, other).expect(201);
      await post('/job-results', { jobId: 'shared' }, other).expect(201);
      await post('/insights', insight({ domain: 'shared', summary: 'shared words' }), other).expect(201);
      await post('/patterns', { trigger: 'shared', steps: [] }, other).expect(201);

      for (const path of [
        '/action-logs',
        '/action-logs?actionType=shared',
        '/action-logs?traceId=shared',
        '/job-results',
        '/job-results?jobId=shared',
        '/insights',
        '/insights?domain=shared',
        '/insights/search?q=shared',
        '/patterns',
        '/patterns/most-used',
      ]) {
        expect((await get(path).expect(200)).body.items, path).toEqual([]);
      }
    });
  });
});
