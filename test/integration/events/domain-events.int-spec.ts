import { Injectable, Module } from '@nestjs/common';
import { Client } from 'pg';
import { register } from 'prom-client';
import { DomainEventEnvelope } from '../../../src/common/events/event-catalog';
import { OnDomainEvent } from '../../../src/common/events/on-domain-event.decorator';
import { UnitOfWork } from '../../../src/common/persistence/unit-of-work';
import { uuidv7 } from '../../../src/common/persistence/uuid-v7';
import { Agent } from '../../../src/modules/agents/agent.entity';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';
import { untilFeedCaughtUp } from '../../utils/event-feed';

/** Listeners as a user module would declare them. */
@Injectable()
class RecordingListeners {
  readonly seen: DomainEventEnvelope[] = [];
  readonly rowVisibleOutsideTx: boolean[] = [];
  failNext = false;

  @OnDomainEvent('agent.*')
  async onAgentEvent(event: DomainEventEnvelope): Promise<void> {
    // Another connection sees the event row only if the transaction has committed.
    const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    const { rowCount } = await client.query('SELECT 1 FROM domain_events WHERE id = $1', [event.id]);
    await client.end();
    this.rowVisibleOutsideTx.push(rowCount === 1);
    this.seen.push(event);
  }

  @OnDomainEvent('agent.registered')
  onRegistered(): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('listener exploded');
    }
  }
}

@Module({ providers: [RecordingListeners] })
class RecordingListenersModule {}

async function listenerFailures(event: string): Promise<number> {
  const metric = await register.getSingleMetric('domain_event_listener_failures_total')?.get();
  return metric?.values.find((v) => v.labels.event === event)?.value ?? 0;
}

describe('domain events', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let listeners: RecordingListeners;

  beforeAll(async () => {
    t = await createTestApp({}, [RecordingListenersModule]);
    listeners = t.app.get(RecordingListeners);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
    listeners.seen.length = 0;
    listeners.rowVisibleOutsideTx.length = 0;
  });

  it('publishes to wildcard listeners only after the transaction committed', async () => {
    const res = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    expect(listeners.seen).toHaveLength(1);
    expect(listeners.seen[0]).toMatchObject({
      type: 'agent.registered',
      aggregateId: res.body.id,
      aggregateVersion: 1,
      tenantId: tenant.tenantId,
      actorId: 'test-key',
    });
    expect(listeners.rowVisibleOutsideTx).toEqual([true]);
  });

  it('a write that rolls back leaves no event row and wakes no listener', async () => {
    const unitOfWork = t.app.get(UnitOfWork);
    const dataSource = t.owner;
    const id = uuidv7();
    const ctx = { tenantId: tenant.tenantId, actorId: 'test', keyId: null, correlationId: 'rollback-test' };

    await expect(
      unitOfWork.run(ctx, async (tx) => {
        await tx.manager.insert(Agent, { id, tenantId: tenant.tenantId, name: 'doomed', role: 'r', createdBy: 'test', updatedBy: 'test' });
        tx.record({
          type: 'agent.registered',
          aggregateType: 'agent',
          aggregateId: id,
          aggregateVersion: 1,
          payload: { agentId: id, key: null, name: 'doomed', role: 'r', status: 'idle' },
        });
        throw new Error('something failed after the write');
      }),
    ).rejects.toThrow('something failed after the write');

    expect(await dataSource.manager.countBy(Agent, { id })).toBe(0);
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM domain_events WHERE tenant_id = $1', [tenant.tenantId]);
    expect(count).toBe(0);
    expect(listeners.seen).toHaveLength(0);
  });

  it('a throwing listener neither fails the request nor stops the other listeners, and is counted', async () => {
    const failuresBefore = await listenerFailures('agent.registered');
    listeners.failNext = true;
    const res = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    expect(listeners.seen.map((e) => e.aggregateId)).toEqual([res.body.id]);
    expect(await listenerFailures('agent.registered')).toBe(failuresBefore + 1);
    await t.http().get(`/api/v1/agents/${res.body.id}`).set(tenant.auth).expect(200);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/domain_event_listener_failures_total\{event="agent.registered"\} [1-9]/);
  });

  it('a bulk registration writes one event per agent in the same transaction', async () => {
    const items = Array.from({ length: 25 }, () => makeAgent());
    await t.http().post('/api/v1/agents/bulk').set(tenant.auth).send({ items }).expect(201);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const events = await t.http().get('/api/v1/events?type=agent.registered&limit=100').set(tenant.auth).expect(200);
    expect(events.body.items).toHaveLength(25);
    // Only this tenant's: a listener of the previous test may still be finishing.
    expect(listeners.seen.filter((event) => event.tenantId === tenant.tenantId)).toHaveLength(25);
  });
});
