import { randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { DataSource } from 'typeorm';
import { makeAgent } from '../factories/agent.factory';
import { makeMessage } from '../factories/message.factory';
import { insertTaskRow } from '../factories/task-row.factory';
import { countRows, expectFieldErrors, expectIndistinguishable, expectProblem, expectUnknownReferences } from '../utils/problems';
import { TestApp, TestTenant, useTwoTenants } from '../utils/test-app';
import { untilFeedCaughtUp } from '../utils/event-feed';

interface MessageBody {
  id: string;
  fromAgentId: string;
  toAgentId: string;
  taskId: string | null;
  type: string;
  content: Record<string, unknown>;
  status: string;
  sentAt: string;
  receivedAt: string | null;
  processedAt: string | null;
  version: number;
  [field: string]: unknown;
}

describe('messages API', () => {
  let t: TestApp;
  let db: DataSource;
  let tenant: TestTenant;
  let other: TestTenant;
  let alice: string;
  let bob: string;
  let carol: string;
  let foreignAgent: string;

  const suite = useTwoTenants();
  beforeEach(() => void ({ t, db, tenant, other } = suite));
  beforeEach(async () => {
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => registerAgent(tenant, name)));
    foreignAgent = await registerAgent(other, 'outsider');
  });

  async function registerAgent(owner: TestTenant, name: string): Promise<string> {
    return (await t.http().post('/api/v1/agents').set(owner.auth).send(makeAgent({ name })).expect(201)).body.id;
  }

  async function send(from: string, to: string, overrides: Record<string, unknown> = {}): Promise<MessageBody> {
    return (
      await t
        .http()
        .post('/api/v1/messages')
        .set(tenant.auth)
        .send(makeMessage(from, to, overrides))
        .expect(201)
    ).body;
  }

  function patch(id: string, status: string, version: number | string): Test {
    return t.http().patch(`/api/v1/messages/${id}`).set(tenant.auth).set('If-Match', `"${version}"`).send({ status });
  }

  async function read(id: string, owner = tenant): Promise<MessageBody> {
    return (await t.http().get(`/api/v1/messages/${id}`).set(owner.auth).expect(200)).body;
  }

  async function eventsOf(id: string, owner = tenant): Promise<{ type: string; payload: Record<string, unknown>; aggregateVersion: number }[]> {
    await untilFeedCaughtUp(t.owner, owner.tenantId);
    return (await t.http().get(`/api/v1/events?aggregateId=${id}`).set(owner.auth).expect(200)).body.items;
  }

  /** The tenant's messages and events: a rejected request must leave both as they were. */
  function counts(owner = tenant): Promise<Record<string, number>> {
    return countRows(db, owner.tenantId, ['messages', 'domain_events']);
  }

  async function changesNothing(request: () => Promise<Response>): Promise<Response> {
    const before = await counts();
    const res = await request();
    expect(await counts()).toEqual(before);
    return res;
  }

  it('sends a message: 201, status sent, sentAt now, version 1 as ETag, and a message.sent event', async () => {
    const before = Date.now();
    const res = await t
      .http()
      .post('/api/v1/messages')
      .set(tenant.auth)
      .set('X-Actor-Id', 'alice-runtime')
      .send(makeMessage(alice, bob, { type: 'task.request', content: { text: 'hello', n: 1 } }))
      .expect(201);
    const after = Date.now();
    expect(res.body).toMatchObject({
      fromAgentId: alice,
      toAgentId: bob,
      taskId: null,
      type: 'task.request',
      content: { text: 'hello', n: 1 },
      status: 'sent',
      receivedAt: null,
      processedAt: null,
      version: 1,
      createdBy: 'alice-runtime',
      updatedBy: 'alice-runtime',
    });
    expect(res.headers.etag).toBe('"1"');
    expect(Date.parse(res.body.sentAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.sentAt)).toBeLessThanOrEqual(after);

    const read = await t.http().get(`/api/v1/messages/${res.body.id}`).set(tenant.auth).expect(200);
    expect(read.body).toEqual(res.body);
    expect(read.headers.etag).toBe('"1"');

    const events = await eventsOf(res.body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'message.sent',
      aggregateVersion: 1,
      payload: { messageId: res.body.id, fromAgentId: alice, toAgentId: bob, taskId: null, type: 'task.request' },
    });
  });

  it('sends a message about one of the tenant’s tasks, and lets an agent write to itself', async () => {
    const { taskId } = await insertTaskRow(db, tenant.tenantId, { agentId: alice });
    const about = await send(alice, bob, { taskId });
    expect(about.taskId).toBe(taskId);
    expect((await eventsOf(about.id))[0].payload).toMatchObject({ taskId });

    const note = await send(carol, carol, { type: 'note.to_self' });
    expect(note).toMatchObject({ fromAgentId: carol, toAgentId: carol, status: 'sent' });
  });

  describe('references in the body', () => {
    it('answers 422 naming each agent or task the tenant cannot see, and writes nothing', async () => {
      const foreignTask = (await insertTaskRow(db, other.tenantId)).taskId;
      const otherBefore = await counts(other);
      const cases: [object, string[]][] = [
        [makeMessage(foreignAgent, bob), ['fromAgentId']],
        [makeMessage(alice, randomUUID()), ['toAgentId']],
        [makeMessage(foreignAgent, randomUUID()), ['fromAgentId', 'toAgentId']],
        [makeMessage(alice, bob, { taskId: foreignTask }), ['taskId']],
        [makeMessage(alice, bob, { taskId: randomUUID() }), ['taskId']],
        [makeMessage(randomUUID(), foreignAgent, { taskId: foreignTask }), ['fromAgentId', 'toAgentId', 'taskId']],
      ];
      for (const [body, fields] of cases) {
        const res = await changesNothing(() => t.http().post('/api/v1/messages').set(tenant.auth).send(body));
        expectUnknownReferences(res, fields);
      }
      expect(await counts(other)).toEqual(otherBefore);
    });

    it('gives the same answer for another tenant’s agent or task as for one that does not exist', async () => {
      const missingAgent = randomUUID();
      const foreign = await t.http().post('/api/v1/messages').set(tenant.auth).send(makeMessage(alice, foreignAgent));
      const missing = await t.http().post('/api/v1/messages').set(tenant.auth).send(makeMessage(alice, missingAgent));
      expectUnknownReferences(foreign, ['toAgentId']);
      expectIndistinguishable(foreign, foreignAgent, missing, missingAgent);

      const foreignTask = (await insertTaskRow(db, other.tenantId)).taskId;
      const missingTask = randomUUID();
      const viaForeignTask = await t
        .http()
        .post('/api/v1/messages')
        .set(tenant.auth)
        .send(makeMessage(alice, bob, { taskId: foreignTask }));
      const viaMissingTask = await t
        .http()
        .post('/api/v1/messages')
        .set(tenant.auth)
        .send(makeMessage(alice, bob, { taskId: missingTask }));
      expectUnknownReferences(viaForeignTask, ['taskId']);
      expectIndistinguishable(viaForeignTask, foreignTask, viaMissingTask, missingTask);
    });
  });

  describe('status transitions', () => {
    it('sent → received stamps receivedAt; received → processed stamps processedAt; each moves the version and records an event', async () => {
      const message = await send(alice, bob);

      const beforeReceive = Date.now();
      const received = await patch(message.id, 'received', 1).expect(200);
      const afterReceive = Date.now();
      expect(received.body).toMatchObject({ status: 'received', version: 2, processedAt: null, sentAt: message.sentAt });
      expect(received.headers.etag).toBe('"2"');
      expect(Date.parse(received.body.receivedAt)).toBeGreaterThanOrEqual(beforeReceive);
      expect(Date.parse(received.body.receivedAt)).toBeLessThanOrEqual(afterReceive);

      const beforeProcess = Date.now();
      const processed = await patch(message.id, 'processed', 2).expect(200);
      const afterProcess = Date.now();
      expect(processed.body).toMatchObject({ status: 'processed', version: 3, receivedAt: received.body.receivedAt, sentAt: message.sentAt });
      expect(Date.parse(processed.body.processedAt)).toBeGreaterThanOrEqual(beforeProcess);
      expect(Date.parse(processed.body.processedAt)).toBeLessThanOrEqual(afterProcess);
      expect(Date.parse(message.sentAt)).toBeLessThanOrEqual(Date.parse(processed.body.receivedAt));
      expect(Date.parse(processed.body.receivedAt)).toBeLessThanOrEqual(Date.parse(processed.body.processedAt));

      expect(await read(message.id)).toEqual(processed.body);
      const events = await eventsOf(message.id);
      expect(events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['message.sent', 1, expect.any(Object)],
        ['message.status_changed', 2, { messageId: message.id, from: 'sent', to: 'received' }],
        ['message.status_changed', 3, { messageId: message.id, from: 'received', to: 'processed' }],
      ]);
    });

    it('sent → failed stamps processedAt (when handling ended) and leaves receivedAt empty', async () => {
      const message = await send(alice, bob);
      const before = Date.now();
      const failed = await patch(message.id, 'failed', 1).expect(200);
      expect(failed.body).toMatchObject({ status: 'failed', version: 2, receivedAt: null });
      expect(Date.parse(failed.body.processedAt)).toBeGreaterThanOrEqual(before);
      expect((await eventsOf(message.id))[1].payload).toEqual({ messageId: message.id, from: 'sent', to: 'failed' });
    });

    it('received → failed keeps receivedAt and stamps processedAt', async () => {
      const message = await send(alice, bob);
      const received = (await patch(message.id, 'received', 1).expect(200)).body as MessageBody;
      const failed = await patch(message.id, 'failed', 2).expect(200);
      expect(failed.body).toMatchObject({ status: 'failed', version: 3, receivedAt: received.receivedAt });
      expect(Date.parse(failed.body.processedAt)).toBeGreaterThanOrEqual(Date.parse(received.receivedAt!));
    });

    it('refuses an illegal transition with 422 and leaves the message and its history as they were', async () => {
      const sent = await send(alice, bob);
      const processed = await send(alice, bob);
      await patch(processed.id, 'received', 1).expect(200);
      await patch(processed.id, 'processed', 2).expect(200);
      const failed = await send(alice, bob);
      await patch(failed.id, 'failed', 1).expect(200);

      const illegal: [MessageBody, string, number][] = [
        [sent, 'processed', 1],
        [sent, 'sent', 1],
        [processed, 'received', 3],
        [processed, 'failed', 3],
        [processed, 'sent', 3],
        [failed, 'processed', 2],
        [failed, 'received', 2],
      ];
      for (const [message, to, version] of illegal) {
        const before = await read(message.id);
        const res = await changesNothing(() => patch(message.id, to, version));
        const body = expectProblem(res, 422, 'UNPROCESSABLE');
        expect(body).toMatchObject({ from: before.status, to });
        expect(await read(message.id)).toEqual(before);
      }
    });

    it('needs the version read: 428 without one, 409 with a stale one, and accepts version in the body', async () => {
      const message = await send(alice, bob);
      const blind = await changesNothing(() => t.http().patch(`/api/v1/messages/${message.id}`).set(tenant.auth).send({ status: 'received' }));
      expectProblem(blind, 428, 'PRECONDITION_REQUIRED');

      const viaBody = await t.http().patch(`/api/v1/messages/${message.id}`).set(tenant.auth).send({ status: 'received', version: 1 }).expect(200);
      expect(viaBody.body).toMatchObject({ status: 'received', version: 2 });

      // Stale, and the move itself would be legal from the state the caller saw: still 409, never a blind write.
      const stale = await changesNothing(() => patch(message.id, 'failed', 1));
      expect(expectProblem(stale, 409, 'VERSION_CONFLICT')).toMatchObject({ currentVersion: 2 });
      expect((await read(message.id)).status).toBe('received');
    });

    it('lets exactly one of two concurrent PATCHes win; the other gets 409 and nothing is lost', async () => {
      const message = await send(alice, bob);
      const [a, b] = await Promise.all([patch(message.id, 'received', 1), patch(message.id, 'failed', 1)]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      expect(loser.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });

      const final = await read(message.id);
      expect(final).toMatchObject({ version: 2, status: winner.body.status });
      const changes = (await eventsOf(message.id)).filter((e) => e.type === 'message.status_changed');
      expect(changes).toHaveLength(1);
      expect(changes[0].payload.to).toBe(winner.body.status);
    });
  });

  describe('GET /agents/:id/messages', () => {
    it('lists what an agent received, sent, or both, in creation order, paged by cursor', async () => {
      const m1 = await send(alice, bob);
      const m2 = await send(bob, alice);
      const m3 = await send(alice, carol);
      const m4 = await send(carol, bob);
      const m5 = await send(alice, alice);

      const list = async (agentId: string, query: string): Promise<string[]> =>
        (await t.http().get(`/api/v1/agents/${agentId}/messages${query}`).set(tenant.auth).expect(200)).body.items.map((message: MessageBody) => message.id);
      expect(await list(alice, '?direction=in')).toEqual([m2.id, m5.id]);
      expect(await list(alice, '?direction=out')).toEqual([m1.id, m3.id, m5.id]);
      expect(await list(alice, '?direction=both')).toEqual([m1.id, m2.id, m3.id, m5.id]);
      expect(await list(alice, '')).toEqual([m1.id, m2.id, m3.id, m5.id]);
      expect(await list(bob, '?direction=in')).toEqual([m1.id, m4.id]);
      expect(await list(bob, '?direction=out')).toEqual([m2.id]);
      expect(await list(carol, '?direction=both')).toEqual([m3.id, m4.id]);

      const first = await t.http().get(`/api/v1/agents/${alice}/messages?limit=3`).set(tenant.auth).expect(200);
      expect(first.body.items.map((m: MessageBody) => m.id)).toEqual([m1.id, m2.id, m3.id]);
      expect(first.body.items[0]).toEqual(m1);
      const second = await t.http().get(`/api/v1/agents/${alice}/messages?limit=3&cursor=${first.body.nextCursor}`).set(tenant.auth).expect(200);
      expect(second.body.items.map((m: MessageBody) => m.id)).toEqual([m5.id]);
      expect(second.body.nextCursor).toBeNull();

      const outPage = await t.http().get(`/api/v1/agents/${alice}/messages?direction=out&limit=2`).set(tenant.auth).expect(200);
      const outRest = await t
        .http()
        .get(`/api/v1/agents/${alice}/messages?direction=out&limit=2&cursor=${outPage.body.nextCursor}`)
        .set(tenant.auth)
        .expect(200);
      expect([...outPage.body.items, ...outRest.body.items].map((m: MessageBody) => m.id)).toEqual([m1.id, m3.id, m5.id]);
    });

    it('lists nothing for an agent without messages', async () => {
      const res = await t.http().get(`/api/v1/agents/${carol}/messages`).set(tenant.auth).expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('tenant isolation', () => {
    it('another tenant’s message is a 404 on GET and PATCH, exactly like a missing id, and stays unchanged', async () => {
      const mine = await send(alice, bob);
      const missingId = randomUUID();

      const foreignGet = await t.http().get(`/api/v1/messages/${mine.id}`).set(other.auth);
      const missingGet = await t.http().get(`/api/v1/messages/${missingId}`).set(other.auth);
      expectProblem(foreignGet, 404, 'NOT_FOUND');
      expectIndistinguishable(foreignGet, mine.id, missingGet, missingId);
      expect(foreignGet.headers.etag).toBeUndefined();

      const foreignPatch = await t.http().patch(`/api/v1/messages/${mine.id}`).set(other.auth).set('If-Match', '"1"').send({ status: 'received' });
      const missingPatch = await t.http().patch(`/api/v1/messages/${missingId}`).set(other.auth).set('If-Match', '"1"').send({ status: 'received' });
      expectProblem(foreignPatch, 404, 'NOT_FOUND');
      expectIndistinguishable(foreignPatch, mine.id, missingPatch, missingId);
      const viaBody = await t.http().patch(`/api/v1/messages/${mine.id}`).set(other.auth).send({ status: 'failed', version: 1 });
      expectProblem(viaBody, 404, 'NOT_FOUND');

      expect(await read(mine.id)).toEqual(mine);
      expect(await eventsOf(mine.id)).toHaveLength(1);
      expect(await eventsOf(mine.id, other)).toEqual([]);
    });

    it('another tenant’s agent is a 404 on GET /agents/:id/messages, exactly like a missing id', async () => {
      await send(alice, bob);
      const missingId = randomUUID();
      const foreign = await t.http().get(`/api/v1/agents/${alice}/messages`).set(other.auth);
      const missing = await t.http().get(`/api/v1/agents/${missingId}/messages`).set(other.auth);
      expectProblem(foreign, 404, 'NOT_FOUND');
      expectIndistinguishable(foreign, alice, missing, missingId);
      expect(JSON.stringify(foreign.body)).not.toContain('task.request');
    });
  });

  describe('bad input: 4xx problem+json, nothing written', () => {
    it('refuses a POST body with missing, mistyped or unknown fields, naming each', async () => {
      const cases: [unknown, string[]][] = [
        [{}, ['fromAgentId', 'toAgentId', 'type', 'content']],
        [{ ...makeMessage(alice, bob), fromAgentId: 'alice smith' }, ['fromAgentId']],
        [{ ...makeMessage(alice, bob), toAgentId: 42 }, ['toAgentId']],
        [{ ...makeMessage(alice, bob), taskId: 'task-1' }, ['taskId']],
        [{ ...makeMessage(alice, bob), type: '' }, ['type']],
        [{ ...makeMessage(alice, bob), type: 'x'.repeat(101) }, ['type']],
        [{ ...makeMessage(alice, bob), content: 'hello' }, ['content']],
        [{ ...makeMessage(alice, bob), content: ['hello'] }, ['content']],
        [{ ...makeMessage(alice, bob), status: 'processed' }, ['status']],
        [{ ...makeMessage(alice, bob), content: { text: 'a\u0000b' } }, ['content.text']],
      ];
      for (const [body, fields] of cases) {
        const res = await changesNothing(() =>
          t
            .http()
            .post('/api/v1/messages')
            .set(tenant.auth)
            .send(body as object),
        );
        expectFieldErrors(res, fields);
      }
      const notJson = await changesNothing(() =>
        t
          .http()
          .post('/api/v1/messages')
          .set(tenant.auth)
          .set('Content-Type', 'text/plain')
          .send(JSON.stringify(makeMessage(alice, bob))),
      );
      expectProblem(notJson, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const malformed = await changesNothing(() =>
        t.http().post('/api/v1/messages').set(tenant.auth).set('Content-Type', 'application/json').send('{"fromAgentId": '),
      );
      expectProblem(malformed, 400, 'BAD_REQUEST');
    });

    it('refuses a bad PATCH and leaves the message as it was', async () => {
      const message = await send(alice, bob);
      const cases: [() => Promise<Response>, number, string[] | string][] = [
        [() => patch(message.id, 'archived', 1), 400, ['status']],
        [() => t.http().patch(`/api/v1/messages/${message.id}`).set(tenant.auth).set('If-Match', '"1"').send({}), 400, ['status']],
        [
          () => t.http().patch(`/api/v1/messages/${message.id}`).set(tenant.auth).set('If-Match', '"1"').send({ status: 'received', content: {} }),
          400,
          ['content'],
        ],
        [() => patch(message.id, 'received', 'one'), 400, 'BAD_REQUEST'],
        [() => patch(message.id, 'received', '9999999999'), 400, 'BAD_REQUEST'],
        [() => patch('not-a-uuid', 'received', 1), 400, ['id']],
      ];
      for (const [request, status, expected] of cases) {
        const res = await changesNothing(request);
        if (Array.isArray(expected)) expectFieldErrors(res, expected);
        else expectProblem(res, status, expected);
      }
      expect(await read(message.id)).toEqual(message);
    });

    it('refuses bad ids, directions, limits and cursors on the reads', async () => {
      expectFieldErrors(await t.http().get('/api/v1/messages/123').set(tenant.auth), ['id']);
      expectFieldErrors(await t.http().get('/api/v1/agents/nope/messages').set(tenant.auth), ['id']);
      expectFieldErrors(await t.http().get(`/api/v1/agents/${alice}/messages?direction=sideways`).set(tenant.auth), ['direction']);
      expectFieldErrors(await t.http().get(`/api/v1/agents/${alice}/messages?limit=0`).set(tenant.auth), ['limit']);
      expectFieldErrors(await t.http().get(`/api/v1/agents/${alice}/messages?from=${bob}`).set(tenant.auth), ['from']);
      const forged = await t.http().get(`/api/v1/agents/${alice}/messages`).query({ cursor: 'abc' }).set(tenant.auth);
      expect(expectProblem(forged, 400, 'BAD_REQUEST').detail).toMatch(/cursor/);
    });

    it('answers 401 without a key on every route', async () => {
      const message = await send(alice, bob);
      await t.http().post('/api/v1/messages').send(makeMessage(alice, bob)).expect(401);
      await t.http().get(`/api/v1/messages/${message.id}`).expect(401);
      await t.http().patch(`/api/v1/messages/${message.id}`).set('If-Match', '"1"').send({ status: 'received' }).expect(401);
      await t.http().get(`/api/v1/agents/${alice}/messages`).expect(401);
      expect(await read(message.id)).toEqual(message);
    });
  });
});
