import { Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { AgentsModule } from '../../../src/modules/agents/agents.module';
import { AgentsService } from '../../../src/modules/agents/agents.service';
import {
  PermanentPersistenceError,
  PersistContext,
  PersistedObject,
  PersistenceHandler,
  PersistenceHandlerContract,
  PersistItem,
} from '../../../src/modules/outbox/persistence-handler';
import { waitForServiceCall } from '../../utils/service-calls';
import { TestTenant, useTwoTenants } from '../../utils/test-app';

const ENV = {
  LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
  QUEUE_PREFIX: `batch-isolation-${process.pid}`,
  PERSIST_BACKOFF_MS: '20',
  PERSIST_MAX_BACKOFF_MS: '100',
  PERSIST_MAX_ATTEMPTS: '2',
  SWEEP_INTERVAL_MS: '300',
};

/** The name of a result that its handler cannot persist. */
const POISON = 'poison';

class NamedResult {
  @IsString()
  name: string;
}

/**
 * Registers agents in batches (`persistMany`, one INSERT); a batch holding a result named POISON
 * fails after writing every agent, and that result alone fails permanently.
 */
@PersistenceHandler({ namespace: 'test', schema: 'picky@1', resultType: NamedResult })
class PickyHandler implements PersistenceHandlerContract<NamedResult> {
  readonly batches: string[][] = [];

  constructor(private readonly agents: AgentsService) {}

  async persist(result: NamedResult, ctx: PersistContext): Promise<PersistedObject> {
    if (result.name === POISON) throw new PermanentPersistenceError('this result is poison');
    const agent = await this.agents.registerIn(ctx.tx, { name: result.name, role: 'picky' });
    return { type: 'agent', id: agent.id };
  }

  async persistMany(items: PersistItem<NamedResult>[]): Promise<PersistedObject[]> {
    this.batches.push(items.map(({ result }) => result.name));
    // Write first, then fail: the rollback must take every agent of the batch away.
    const agents = await this.agents.registerEachIn(items.map(({ result, ctx }) => ({ tx: ctx.tx, input: { name: result.name, role: 'picky' } })));
    if (items.some(({ result }) => result.name === POISON)) throw new Error('a poisoned batch');
    return agents.map((agent) => ({ type: 'agent', id: agent.id }));
  }
}

/** One result at a time (no `persistMany`); counts its calls per call id; POISON fails (retryable) after writing its agent. */
@PersistenceHandler({ namespace: 'test', schema: 'counted@1', resultType: NamedResult })
class CountedHandler implements PersistenceHandlerContract<NamedResult> {
  readonly calls = new Map<string, number>();

  constructor(private readonly agents: AgentsService) {}

  async persist(result: NamedResult, ctx: PersistContext): Promise<PersistedObject> {
    this.calls.set(ctx.callId, (this.calls.get(ctx.callId) ?? 0) + 1);
    const agent = await this.agents.registerIn(ctx.tx, { name: result.name, role: 'counted' });
    if (result.name === POISON) throw new Error('downstream refused the poison');
    return { type: 'agent', id: agent.id };
  }
}

@Module({ imports: [AgentsModule], providers: [PickyHandler, CountedHandler] })
class BatchHandlersModule {}

interface Entry {
  record: { id: string; callId: string };
}

describe('outbox batches: one failing result fails alone', () => {
  const s = useTwoTenants(ENV, [BatchHandlersModule]);

  const bulk = async (tenant: TestTenant, schema: string, names: string[]): Promise<Entry[]> =>
    (
      await s.t
        .http()
        .post('/api/v1/service-calls/bulk')
        .set(tenant.auth)
        .send({ items: names.map((name, i) => ({ callId: `${schema}-${i}-${name}`, namespace: 'test', schema, result: { name } })) })
        .expect(202)
    ).body.items;
  const settle = (tenant: TestTenant, entries: Entry[], names: string[]) =>
    Promise.all(entries.map((entry, i) => waitForServiceCall(s.t, tenant, entry.record.id, names[i] === POISON ? 'dead_lettered' : 'persisted')));
  const agentNames = async (tenant: TestTenant): Promise<string[]> =>
    (await s.db.query('SELECT name FROM agents WHERE tenant_id = $1 ORDER BY name', [tenant.tenantId])).map((row: { name: string }) => row.name);
  const eventCounts = async (tenant: TestTenant): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await s.db.query('SELECT type, count(*)::int AS n FROM domain_events WHERE tenant_id = $1 GROUP BY type', [tenant.tenantId])).map(
        (row: { type: string; n: number }) => [row.type, row.n],
      ),
    );
  const keyCount = async (tenant: TestTenant): Promise<number> =>
    (await s.db.query('SELECT count(*)::int AS n FROM persisted_chunks WHERE tenant_id = $1 AND domain_id IS NOT NULL', [tenant.tenantId]))[0].n;

  it('commits the neighbours of a result whose persistMany batch fails, with their keys and events, and dead-letters that result alone', async () => {
    const names = ['a1', 'a2', POISON, 'a3', 'a4', 'a5'];
    const entries = await bulk(s.tenant, 'picky@1', names);

    const settled = await settle(s.tenant, entries, names);

    expect(settled.map((record) => [record.status, record.attempts])).toEqual(names.map((name) => (name === POISON ? ['dead_lettered', 1] : ['persisted', 1])));
    expect(settled[2].lastError).toContain('this result is poison');
    expect(await agentNames(s.tenant)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await keyCount(s.tenant)).toBe(5);
    expect(await eventCounts(s.tenant)).toEqual({
      'persistence.received': 6,
      'agent.registered': 5,
      'persistence.persisted': 5,
      'persistence.dead_lettered': 1,
    });
    for (const record of settled.filter((_, i) => names[i] !== POISON)) {
      expect(record.domainObjects).toEqual([{ type: 'agent', id: expect.any(String) }]);
    }
  });

  it('calls a failing handler once per attempt, counts each attempt, and persists its neighbours once', async () => {
    const names = ['b1', POISON, 'b2'];
    const entries = await bulk(s.tenant, 'counted@1', names);

    const settled = await settle(s.tenant, entries, names);

    const poison = settled[1];
    expect(poison).toMatchObject({ status: 'dead_lettered', attempts: 2, lastError: expect.stringContaining('downstream refused the poison') });
    expect(s.t.app.get(CountedHandler).calls.get(entries[1].record.callId)).toBe(2);
    expect(settled.filter((_, i) => i !== 1).map((record) => [record.status, record.attempts])).toEqual([
      ['persisted', 1],
      ['persisted', 1],
    ]);
    expect(await agentNames(s.tenant)).toEqual(['b1', 'b2']);
    expect(await eventCounts(s.tenant)).toEqual({
      'persistence.received': 3,
      'agent.registered': 2,
      'persistence.persisted': 2,
      'persistence.failed': 1,
      'persistence.dead_lettered': 1,
    });
  });

  it('persists each tenant’s results of one drain in that tenant’s own rows', async () => {
    const mine = ['m1', 'm2', 'm3'];
    const theirs = ['o1', 'o2'];
    const [myEntries, theirEntries] = await Promise.all([bulk(s.tenant, 'picky@1', mine), bulk(s.other, 'picky@1', theirs)]);

    await Promise.all([settle(s.tenant, myEntries, mine), settle(s.other, theirEntries, theirs)]);

    expect(await agentNames(s.tenant)).toEqual(mine);
    expect(await agentNames(s.other)).toEqual(theirs);
    expect((await eventCounts(s.tenant))['persistence.persisted']).toBe(3);
    expect((await eventCounts(s.other))['persistence.persisted']).toBe(2);
    // Each tenant sees its own records only.
    await s.t.http().get(`/api/v1/service-calls/${theirEntries[0].record.id}`).set(s.tenant.auth).expect(404);
  });
});
