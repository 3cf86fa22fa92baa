import { Injectable, Module } from '@nestjs/common';
import { DomainEventEnvelope } from '../../../src/common/events/event-catalog';
import { OnDomainEvent } from '../../../src/common/events/on-domain-event.decorator';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';

/** Every event of an append-only record, as the in-process listeners receive it. */
@Injectable()
class RecordListener {
  readonly seen: DomainEventEnvelope[] = [];

  @OnDomainEvent('**')
  onEvent(event: DomainEventEnvelope): void {
    if (event.type.endsWith('.recorded')) this.seen.push(event);
  }
}

@Module({ providers: [RecordListener] })
class RecordListenerModule {}

interface StoredEvent {
  id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number | null;
  actor_id: string;
  key_id: string | null;
  correlation_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * The events of records are derived by the database from the rows it inserts (jsonb_build_object
 * over the insert's CTE); listeners get payloads built from the stored rows. Both must say the
 * same, for every kind of value a payload carries (uuids, text with quotes and escapes, null,
 * doubles at full precision), in the order of the items.
 */
describe('record events', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let listener: RecordListener;

  beforeAll(async () => {
    t = await createTestApp({}, [RecordListenerModule]);
    listener = t.app.get(RecordListener);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    tenant = await createTenant(t.app);
    listener.seen.length = 0;
  });

  const stored = async (ids: string[]): Promise<StoredEvent[]> =>
    t.owner.query(
      `SELECT id::text, type, aggregate_type, aggregate_id, aggregate_version, actor_id, key_id, correlation_id, payload, occurred_at
       FROM domain_events WHERE tenant_id = $1 AND aggregate_id = ANY($2::uuid[]) ORDER BY id`,
      [tenant.tenantId, ids],
    );
  const post = async (path: string, body: object, correlationId: string) =>
    (await t.http().post(`/api/v1/${path}`).set(tenant.auth).set('X-Request-Id', correlationId).send(body).expect(201)).body as Record<string, unknown>;
  /** What a listener got for each stored event, in the stored order, as the database has it. */
  const asStored = (event: DomainEventEnvelope) => ({
    id: event.id,
    type: event.type,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    aggregate_version: event.aggregateVersion,
    actor_id: event.actorId,
    key_id: event.keyId,
    correlation_id: event.correlationId,
    payload: event.payload,
    occurred_at: new Date(event.occurredAt),
  });
  const ours = () => listener.seen.filter((event) => event.tenantId === tenant.tenantId);

  it('stores one event per record of a bulk request, in item order, with the payload the listeners get', async () => {
    const agent = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(tenant.auth)
        .send(makeAgent({ key: 'agent_rec' }))
        .expect(201)
    ).body as { id: string };
    const logs = (
      await post(
        'action-logs/bulk',
        {
          items: [
            { actionType: 'tool "search" ✓', traceId: 'trace-ü\\n\u2028', agentId: 'agent_rec', durationMs: 0.1 },
            { actionType: 'step' },
            { actionType: "it's", traceId: '{"json":true}', agentId: agent.id },
          ],
        },
        'corr-rec-logs',
      )
    ).items as { id: string; actionType: string; agentId: string | null; traceId: string | null }[];
    const results = (
      await post('job-results/bulk', { items: [{ jobId: 'job-"1"', status: 'completed', agentId: agent.id }, { jobId: 'job-2' }] }, 'corr-rec-results')
    ).items as { id: string; jobId: string; taskId: string | null; agentId: string | null; status: string | null }[];

    const logEvents = await stored(logs.map((log) => log.id));
    expect(logEvents.map((event) => event.aggregate_id)).toEqual(logs.map((log) => log.id));
    expect(logEvents.map((event) => event.payload)).toEqual(
      logs.map((log) => ({ actionLogId: log.id, actionType: log.actionType, agentId: log.agentId, traceId: log.traceId })),
    );
    expect(logEvents[0].payload).toMatchObject({ actionType: 'tool "search" ✓', traceId: 'trace-ü\\n\u2028', agentId: agent.id });
    expect(logEvents.every((event) => event.type === 'action_log.recorded' && event.aggregate_type === 'action_log')).toBe(true);
    expect(logEvents.every((event) => event.aggregate_version === null && event.correlation_id === 'corr-rec-logs' && event.key_id !== null)).toBe(true);

    const resultEvents = await stored(results.map((result) => result.id));
    expect(resultEvents.map((event) => event.payload)).toEqual(
      results.map((result) => ({ jobResultId: result.id, jobId: result.jobId, taskId: result.taskId, agentId: result.agentId, status: result.status })),
    );

    expect(ours().map(asStored)).toEqual([...logEvents, ...resultEvents]);
  });

  it('derives the events of single records: health observations and metric points, doubles at full precision', async () => {
    const health = await post('health-records', { component: 'vector "store"', status: 'degraded', responseTimeMs: 12.5 }, 'corr-rec-health');
    const values = [0.30000000000000004, 1e300, 123456789.12345679, -3];
    const points: Record<string, unknown>[] = [];
    for (const value of values) points.push(await post('system-metrics', { name: 'latency', value }, 'corr-rec-metrics'));
    expect(points.map((point) => point.value)).toEqual(values);

    const events = await stored([health.id as string, ...points.map((point) => point.id as string)]);
    expect(events.map((event) => [event.type, event.payload])).toEqual([
      ['health_record.recorded', { healthRecordId: health.id, component: 'vector "store"', status: 'degraded', agentId: null }],
      ...points.map((point) => ['system_metric.recorded', { systemMetricId: point.id, name: 'latency', value: point.value }]),
    ]);
    expect(ours().map(asStored)).toEqual(events);
  });

  it('stores no event and wakes no listener for a refused bulk request', async () => {
    await t
      .http()
      .post('/api/v1/action-logs/bulk')
      .set(tenant.auth)
      .send({ items: [{ actionType: 'a' }, { actionType: 'b', agentId: 'agent_nobody' }] })
      .expect(422);
    const [{ count }] = await t.owner.query('SELECT count(*)::int AS count FROM domain_events WHERE tenant_id = $1', [tenant.tenantId]);
    expect(count).toBe(0);
    expect(ours()).toEqual([]);
  });
});
