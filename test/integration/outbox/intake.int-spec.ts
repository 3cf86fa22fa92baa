import { makeAgent } from '../../factories/agent.factory';
import { makeServiceCall } from '../../factories/service-call.factory';
import { expectFieldErrors, expectProblem, expectRefusedUnchanged } from '../../utils/problems';
import { waitForServiceCall } from '../../utils/service-calls';
import { useTwoTenants } from '../../utils/test-app';
import { TestHandlersModule } from './test-handlers';

const ENV = {
  LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
  QUEUE_PREFIX: `intake-${process.pid}`,
  SWEEP_INTERVAL_MS: '300',
};

interface Entry {
  outcome: string;
  handler: string | null;
  problems: { field: string; message: string }[];
  record: { id: string; callId: string; status: string; result: unknown };
}

describe('outbox intake: bulk, call-id conflicts and results checked against their handler', () => {
  const s = useTwoTenants(ENV, [TestHandlersModule]);

  const post = (body: object) => s.t.http().post('/api/v1/service-calls').set(s.tenant.auth).send(body);
  const bulk = (items: object[]) => s.t.http().post('/api/v1/service-calls/bulk').set(s.tenant.auth).send({ items });
  /** What a refused request must leave as it was: the tenant's records as sent, and their intake events (workers change neither). */
  const stored = async () => ({
    records: await s.db.query('SELECT id, call_id, namespace, result FROM service_call_records WHERE tenant_id = $1 ORDER BY id', [s.tenant.tenantId]),
    events: (await s.db.query(`SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND type = 'persistence.received'`, [s.tenant.tenantId]))[0].n,
  });
  const eventTypes = async (recordId: string): Promise<string[]> =>
    (await s.db.query('SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY id', [recordId])).map((row: { type: string }) => row.type);

  describe('POST /service-calls/bulk', () => {
    it('stores every item in one go, answers one entry per item in order, and the workers persist them all', async () => {
      const items = Array.from({ length: 5 }, (_, i) => makeServiceCall({ result: makeAgent({ name: `bulk-${i}` }) }));
      const res = await bulk(items).expect(202);
      const entries = res.body.items as Entry[];
      expect(entries.map((entry) => [entry.outcome, entry.record.callId, entry.handler])).toEqual(
        items.map((item) => ['accepted', item.callId, 'core/agent.registration@1']),
      );
      for (const entry of entries) {
        await waitForServiceCall(s.t, s.tenant, entry.record.id, 'persisted');
        expect(await eventTypes(entry.record.id)).toEqual(['persistence.received', 'persistence.persisted']);
      }
      const names = await s.db.query('SELECT name FROM agents WHERE tenant_id = $1 ORDER BY name', [s.tenant.tenantId]);
      expect(names.map((row: { name: string }) => row.name)).toEqual(['bulk-0', 'bulk-1', 'bulk-2', 'bulk-3', 'bulk-4']);
    });

    it('answers a repeat within the request and across requests as duplicate of the first record, storing it once', async () => {
      const earlier = makeServiceCall();
      const first = await post(earlier).expect(202);
      const fresh = makeServiceCall();
      const res = await bulk([fresh, earlier, { ...fresh }, { ...earlier, correlationId: 'again' }]).expect(202);
      const entries = res.body.items as Entry[];
      expect(entries.map((entry) => entry.outcome)).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
      expect(entries[1].record.id).toBe(first.body.id);
      expect(entries[2].record.id).toBe(entries[0].record.id);
      expect(entries[3].record.id).toBe(first.body.id);
      const [{ n }] = await s.db.query('SELECT count(*)::int AS n FROM service_call_records WHERE tenant_id = $1', [s.tenant.tenantId]);
      expect(n).toBe(2);
      // Received once, however often it was sent (a worker may already have persisted it since).
      expect((await eventTypes(entries[0].record.id)).filter((type) => type === 'persistence.received')).toEqual(['persistence.received']);
    });

    it('refuses the whole request when one item is invalid, naming items.N.field, and stores nothing', async () => {
      await expectRefusedUnchanged(
        () => bulk([makeServiceCall(), makeServiceCall(), makeServiceCall({ schema: 'no version' }), makeServiceCall({ callId: '' })]),
        400,
        stored,
        ['items.2.schema', 'items.3.callId'],
      );
    });

    it('refuses the whole request with 409 CALL_ID_CONFLICT when an item reuses a key for another result', async () => {
      const earlier = makeServiceCall();
      const first = await post(earlier).expect(202);
      const res = await expectRefusedUnchanged(() => bulk([makeServiceCall(), { ...earlier, result: makeAgent() }]), 409, stored);
      expect(expectProblem(res, 409, 'CALL_ID_CONFLICT')).toMatchObject({ recordId: first.body.id, item: 1, differs: 'result' });

      const twice = makeServiceCall();
      const within = await expectRefusedUnchanged(() => bulk([twice, makeServiceCall(), { ...twice, namespace: 'other' }]), 409, stored);
      expect(expectProblem(within, 409, 'CALL_ID_CONFLICT')).toMatchObject({ item: 2, firstItem: 0, differs: 'namespace' });
    });

    it('says per item whether its result fits its handler: a misfit is stored dead-lettered, one without handler is accepted with none', async () => {
      const res = await bulk([
        makeServiceCall(),
        makeServiceCall({ result: { name: 7 } }),
        makeServiceCall({ namespace: 'nobody', schema: 'unknown.thing@1', result: { any: 'shape' } }),
      ]).expect(202);
      const [fits, misfit, unhandled] = res.body.items as Entry[];
      expect(fits).toMatchObject({ outcome: 'accepted', handler: 'core/agent.registration@1', problems: [] });
      expect(misfit).toMatchObject({ outcome: 'dead_lettered', handler: 'core/agent.registration@1', record: { status: 'dead_lettered' } });
      expect(new Set(misfit.problems.map((problem) => problem.field))).toEqual(new Set(['result.name', 'result.role']));
      expect(unhandled).toMatchObject({ outcome: 'accepted', handler: null, problems: [], record: { status: 'pending' } });
      await waitForServiceCall(s.t, s.tenant, unhandled.record.id, 'skipped');
      expect(await eventTypes(misfit.record.id)).toEqual(['persistence.received', 'persistence.dead_lettered']);
    });
  });

  describe('CALL_ID_CONFLICT on POST /service-calls', () => {
    it('answers a true repeat 200 with the first record, whatever the key order of the result', async () => {
      const body = makeServiceCall({ result: { name: 'same', role: 'r', metadata: { a: 1, b: 2 } } });
      const first = await post(body).expect(202);
      const again = await post({ ...body, result: { metadata: { b: 2, a: 1 }, role: 'r', name: 'same' } }).expect(200);
      expect(again.body).toMatchObject({ id: first.body.id, outcome: 'duplicate' });
    });

    it('refuses another result or another namespace under the same key with 409 naming the first record, changing nothing', async () => {
      const body = makeServiceCall();
      const first = await post(body).expect(202);
      for (const [change, differs] of [
        [{ result: makeAgent({ name: 'someone else' }) }, 'result'],
        [{ namespace: 'elsewhere' }, 'namespace'],
      ] as const) {
        const res = await expectRefusedUnchanged(() => post({ ...body, ...change }), 409, stored);
        expect(expectProblem(res, 409, 'CALL_ID_CONFLICT')).toMatchObject({ recordId: first.body.id, callId: body.callId, differs });
      }
    });

    it('lets exactly one of two concurrent senders of different results win; the other gets 409', async () => {
      for (let round = 0; round < 10; round++) {
        const body = makeServiceCall();
        const [a, b] = await Promise.all([post({ ...body, result: makeAgent({ name: 'a' }) }), post({ ...body, result: makeAgent({ name: 'b' }) })]);
        expect([a.status, b.status].sort()).toEqual([202, 409]);
        const [winner, loser] = a.status === 202 ? [a, b] : [b, a];
        expect(loser.body).toMatchObject({ code: 'CALL_ID_CONFLICT', recordId: winner.body.id });
      }
    });

    it('does not see another tenant’s key: the same callId and schema in another tenant is a new result', async () => {
      const body = makeServiceCall();
      await post(body).expect(202);
      await s.t
        .http()
        .post('/api/v1/service-calls')
        .set(s.other.auth)
        .send({ ...body, result: makeAgent() })
        .expect(202);
    });
  });

  describe('results checked at intake', () => {
    it('stores a result that does not match its handler dead-lettered in the same transaction, and says why', async () => {
      const res = await post(makeServiceCall({ schema: 'task.result@1', result: { taskId: 'not-a-uuid', status: 'done' } })).expect(202);
      expect(res.body).toMatchObject({ outcome: 'dead_lettered', status: 'dead_lettered', handler: 'core/task.result@1', attempts: 0 });
      expect(new Set(res.body.problems.map((problem: { field: string }) => problem.field))).toEqual(new Set(['result.status', 'result.taskId']));
      const [row] = await s.db.query('SELECT status, last_error, result FROM service_call_records WHERE id = $1', [res.body.id]);
      expect(row).toMatchObject({ status: 'dead_lettered', result: { taskId: 'not-a-uuid', status: 'done' } });
      expect(row.last_error).toMatch(/task\.result@1.*taskId/);
      expect(await eventTypes(res.body.id)).toEqual(['persistence.received', 'persistence.dead_lettered']);
      const listed = await s.t.http().get('/api/v1/dead-letters').set(s.tenant.auth).expect(200);
      expect(listed.body.items.map((record: { id: string }) => record.id)).toEqual([res.body.id]);
    });

    it('gives the same reason when the drain dead-letters such a result again after a redrive', async () => {
      const res = await post(makeServiceCall({ schema: 'task.result@1', result: { taskId: 'not-a-uuid', status: 'done' } })).expect(202);
      const [atIntake] = await s.db.query('SELECT last_error FROM service_call_records WHERE id = $1', [res.body.id]);
      const redriven = await s.t.http().post(`/api/v1/dead-letters/${res.body.id}/redrive`).set(s.tenant.auth).expect(202);
      expect(redriven.body).toMatchObject({ status: 'pending', attempts: 0 });
      const again = await waitForServiceCall(s.t, s.tenant, res.body.id, 'dead_lettered');
      // Dead-lettered by the drain this time (an attempt counted), worded as the intake worded it.
      expect(again.attempts).toBe(1);
      expect(again.lastError).toBe(atIntake.last_error);
      expect(atIntake.last_error).toMatch(/^result does not match task\.result@1: /);
    });

    it('accepts a result no handler takes, saying so, and the worker skips it as before', async () => {
      const res = await post(makeServiceCall({ namespace: 'nobody', schema: 'unknown.thing@1', result: { free: 'form' } })).expect(202);
      expect(res.body).toMatchObject({ outcome: 'accepted', status: 'pending', handler: null, problems: [] });
      await waitForServiceCall(s.t, s.tenant, res.body.id, 'skipped');
    });

    it('names the handler that takes a namespace without its own (core) and a namespaced one', async () => {
      const core = await post(makeServiceCall({ namespace: 'some-team' })).expect(202);
      expect(core.body.handler).toBe('core/agent.registration@1');
      const own = await post(makeServiceCall({ namespace: 'test', schema: 'flaky@1', result: { name: 'x' } })).expect(202);
      expect(own.body.handler).toBe('test/flaky@1');
    });

    it('GET /handlers lists every registered handler with whether it validates and writes batches, and its result schema', async () => {
      const res = await s.t.http().get('/api/v1/handlers').set(s.tenant.auth).expect(200);
      const byKey = new Map(res.body.items.map((h: { namespace: string; schema: string }) => [`${h.namespace}/${h.schema}`, h]));
      expect(byKey.get('core/task.result@1')).toEqual({
        namespace: 'core',
        schema: 'task.result@1',
        persistMany: expect.any(Boolean),
        validatesResult: true,
        resultSchema: 'CoreTaskResultV1',
      });
      expect(byKey.get('test/doomed@1')).toEqual({ namespace: 'test', schema: 'doomed@1', persistMany: false, validatesResult: false, resultSchema: null });
      await s.t.http().get('/api/v1/handlers').expect(401);
    });
  });
  describe('POST /service-calls/bulk at its limit', () => {
    it('takes 1000 items in one request and refuses 1001, storing nothing', async () => {
      // Results their handler refuses: stored dead-lettered, so that a thousand records do not stay
      // pending for the sweepers of the other test files that share this database.
      const thousand = Array.from({ length: 1000 }, () => makeServiceCall({ result: { name: 1 } }));
      const res = await bulk(thousand).expect(202);
      expect(new Set((res.body.items as Entry[]).map((entry) => entry.outcome))).toEqual(new Set(['dead_lettered']));
      expect((res.body.items as Entry[]).map((entry) => entry.record.callId)).toEqual(thousand.map((item) => item.callId));
      const [{ n }] = await s.db.query('SELECT count(*)::int AS n FROM service_call_records WHERE tenant_id = $1', [s.tenant.tenantId]);
      expect(n).toBe(1000);

      const records = async () => (await s.db.query('SELECT count(*)::int AS n FROM service_call_records WHERE tenant_id = $1', [s.tenant.tenantId]))[0].n;
      const refused = await expectRefusedUnchanged(() => bulk([...thousand.map(() => makeServiceCall()), makeServiceCall()]), 400, records);
      expectFieldErrors(refused, ['items']);
    });
  });
});
