import { UnitOfWork } from '../../src/common/persistence/unit-of-work';
import { EventStreams } from '../../src/modules/events/stream/event-streams.service';
import { makeAgent } from '../factories/agent.factory';
import { holdTransactionWithEvents, readToHead, someEvents, untilFeedCaughtUp } from '../utils/event-feed';
import { SseClient } from '../utils/sse-client';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { waitFor } from '../utils/wait';

/**
 * Streams are woken by commits (in the process, and through Redis for the others), never by the
 * timer here: the poll interval is far longer than any wait in these tests.
 */
const ENV = {
  LOG_LEVEL: 'silent',
  EVENTS_MAX_STREAMS_PER_KEY: '2',
  EVENTS_STREAM_POLL_MS: '60000',
  EVENTS_STREAM_HEARTBEAT_MS: '200',
  EVENTS_STREAM_BUFFER_BYTES: '4096',
  EVENTS_STREAM_STALL_MS: '500',
};

async function listening(env: Record<string, string>): Promise<{ t: TestApp; url: string }> {
  const t = await createTestApp(env);
  await t.app.listen(0, '127.0.0.1');
  return { t, url: `${await t.app.getUrl()}/api/v1/events/stream` };
}

describe('the live event stream (GET /events/stream)', () => {
  let a: { t: TestApp; url: string };
  let b: { t: TestApp; url: string };
  let tenant: TestTenant;
  let other: TestTenant;
  const open: SseClient[] = [];

  async function stream(query = '', headers: Record<string, string> = {}, on = a): Promise<SseClient> {
    const client = await SseClient.open(`${on.url}${query}`, { ...tenant.auth, ...headers });
    open.push(client);
    if (client.status === 200) await client.waitForMessage('ready');
    return client;
  }

  async function createAgent(on = a, auth = tenant.auth): Promise<string> {
    return (await on.t.http().post('/api/v1/agents').set(auth).send(makeAgent()).expect(201)).body.id;
  }

  beforeAll(async () => {
    a = await listening(ENV);
    b = await listening(ENV);
  });
  afterAll(async () => {
    await a.t.close();
    await b.t.close();
  });
  beforeEach(async () => {
    tenant = await createTenant(a.t.app);
    other = await createTenant(a.t.app, 'other-key');
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    await waitFor('every stream to close', async () => a.t.app.get(EventStreams).openStreams === 0 && b.t.app.get(EventStreams).openStreams === 0);
  });

  it('delivers the tenant’s committed events live, filtered like the feed, each with its feed cursor as id', async () => {
    const all = await stream();
    const statusChanges = await stream('?type=*.status_changed');
    await createAgent(a, other.auth);
    const id = await createAgent();
    await a.t.http().patch(`/api/v1/agents/${id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'busy' }).expect(200);

    await all.waitForEvents(3);
    await statusChanges.waitForEvents(1);
    expect(all.events.map((event) => event.type)).toEqual(['agent.registered', 'agent.updated', 'agent.status_changed']);
    expect(all.events.every((event) => event.tenantId === tenant.tenantId && event.aggregateId === id)).toBe(true);
    expect(statusChanges.events.map((event) => event.type)).toEqual(['agent.status_changed']);
    // The ids are the feed's own cursors.
    await untilFeedCaughtUp(a.t.owner, tenant.tenantId);
    const feed = await readToHead(a.t.http, tenant.auth);
    expect(all.events.map((event) => event.id)).toEqual(feed.items.map((item) => item.id));
    expect(statusChanges.events[0].id).toBe(all.events[2].id);
    // Idle streams carry heartbeats (comments) to keep proxies and clients sure of them.
    await waitFor('a heartbeat', async () => all.comments.includes('heartbeat'));
  });

  it('resumes after Last-Event-ID (or ?after=) with exactly the events missed', async () => {
    const first = await stream();
    const a1 = await createAgent();
    await first.waitForEvents(1);
    first.close();
    const missed = [await createAgent(), await createAgent()];

    const resumed = await stream('', { 'Last-Event-ID': first.events[0].id });
    await resumed.waitForEvents(2);
    const a4 = await createAgent();
    await resumed.waitForEvents(3);
    expect(resumed.events.map((event) => event.aggregateId)).toEqual([...missed, a4]);
    expect(resumed.events.map((event) => event.aggregateId)).not.toContain(a1);

    const byQuery = await stream(`?after=${first.events[0].id}`);
    await byQuery.waitForEvents(3);
    expect(byQuery.events.map((event) => event.id)).toEqual(resumed.events.map((event) => event.id));
  });

  it('refuses a bad cursor or filter as problem+json before the stream starts', async () => {
    const client = await SseClient.open(a.url, { ...tenant.auth, 'Last-Event-ID': 'not-a-cursor' });
    expect(client.status).toBe(400);
    expect(await client.body()).toMatchObject({ code: 'INVALID_CURSOR' });
    const othersCursor = (await readToHead(a.t.http, other.auth)).cursor;
    const foreign = await SseClient.open(`${a.url}?after=${othersCursor}`, tenant.auth);
    expect(await foreign.body()).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    const badType = await SseClient.open(`${a.url}?type=agent.status_*`, tenant.auth);
    expect(await badType.body()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const anonymous = await SseClient.open(a.url, {});
    expect(anonymous.status).toBe(401);
  });

  it('gets the events of a transaction that commits late after its commit, in order, never skipping them', async () => {
    const client = await stream();
    const held = await holdTransactionWithEvents(a.t.app, tenant.tenantId, 2);
    const later = [await createAgent(), await createAgent()];
    await held.commit();
    await client.waitForEvents(4);
    expect(client.events.map((event) => event.aggregateId)).toEqual([...held.aggregateIds, ...later]);
  });

  it('delivers an event written through one process to the subscribers of another', async () => {
    const onB = await stream('', {}, b);
    const id = await createAgent(a);
    await onB.waitForEvents(1);
    expect(onB.events.map((event) => event.aggregateId)).toEqual([id]);
  });

  it('allows at most EVENTS_MAX_STREAMS_PER_KEY open streams per key across the API processes: 429 problem+json over it', async () => {
    const first = await stream();
    await stream('', {}, b);
    const third = await SseClient.open(a.url, tenant.auth);
    expect(third.status).toBe(429);
    expect(third.response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await third.body()).toMatchObject({ code: 'TOO_MANY_STREAMS', status: 429 });
    // Another key is not counted against this one; a closed stream frees its place.
    expect((await stream('', { Authorization: other.auth.Authorization })).status).toBe(200);
    first.close();
    await waitFor('a free place', async () => (await SseClient.open(a.url, tenant.auth).then((c) => (open.push(c), c.status))) === 200);
  });

  it('drops a client that does not read, with the reason and the cursor to resume after, and resumes it from there', async () => {
    const slow = await stream();
    slow.pause();
    const events = someEvents(120, 50_000);
    const ctx = { tenantId: tenant.tenantId, actorId: 'bulk', keyId: null, correlationId: null };
    await a.t.app.get(UnitOfWork).run(ctx, async (tx) => events.forEach((event) => tx.record(event)));
    await waitFor('the slow stream to be dropped', async () => a.t.app.get(EventStreams).openStreams === 0);
    slow.resume();

    const dropped = await slow.waitForMessage('dropped');
    const reason = JSON.parse(dropped.data);
    expect(reason).toMatchObject({ reason: 'slow_consumer' });
    expect(slow.events.length).toBeLessThan(events.length);
    expect(reason.resumeAfter).toBe(slow.events.at(-1)?.id ?? JSON.parse(slow.messages[0].data).after);

    const resumed = await stream('', { 'Last-Event-ID': reason.resumeAfter });
    await resumed.waitForEvents(events.length - slow.events.length);
    expect([...slow.events, ...resumed.events].map((event) => event.aggregateId)).toEqual(events.map((event) => event.aggregateId));
  });
});
