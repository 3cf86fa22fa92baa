import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { makeServiceCall } from '../factories/service-call.factory';
import { BrokenHandler, TestHandlersModule } from '../integration/outbox/test-handlers';
import { runCli } from '../utils/cli-process';
import { expectProblem, expectRefusedUnchanged } from '../utils/problems';
import { waitForServiceCall } from '../utils/service-calls';
import { TestTenant, useTwoTenants } from '../utils/test-app';

const ADMIN_TENANT = `adm-${process.pid}`;
const PREFIX = `admin-dl-${process.pid}`;
const ENV = {
  LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
  QUEUE_PREFIX: PREFIX,
  ADMIN_TENANTS: `${ADMIN_TENANT},other-admins`,
  // A small cap, so that a few records show the cursor at work (the default is 10,000).
  ADMIN_REDRIVE_LIMIT: '3',
  PERSIST_MAX_ATTEMPTS: '1',
  SWEEP_INTERVAL_MS: '300',
};

interface DeadLetter {
  id: string;
  tenant: string;
  callId: string;
  schema: string;
  handler: string | null;
  attempts: number;
  reason: string | null;
}

describe('admin API and CLI for dead letters across tenants', () => {
  const s = useTwoTenants(ENV, [TestHandlersModule]);
  let admin: { Authorization: string };

  beforeAll(async () => {
    const created = await s.t.app.get(ApiKeysService).create(ADMIN_TENANT, 'ops-alice');
    admin = { Authorization: `Bearer ${created.key}` };
  });

  /** A result that the worker fails once and so dead-letters (PERSIST_MAX_ATTEMPTS=1) until the handler is healed. */
  const deadLetter = async (tenant: TestTenant): Promise<string> => {
    const res = await s.t
      .http()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send(makeServiceCall({ namespace: 'test', schema: 'broken@1', result: {} }))
      .expect(202);
    await waitForServiceCall(s.t, tenant, res.body.id, 'dead_lettered');
    return res.body.id;
  };
  /** A result refused at intake by its handler's schema: dead-lettered at once. */
  const invalid = async (tenant: TestTenant): Promise<string> =>
    (
      await s.t
        .http()
        .post('/api/v1/service-calls')
        .set(tenant.auth)
        .send(makeServiceCall({ result: { name: 1 } }))
        .expect(202)
    ).body.id;
  const list = (query: Record<string, string>) => s.t.http().get('/api/v1/admin/dead-letters').query(query).set(admin);
  const redrive = (body: object) => s.t.http().post('/api/v1/admin/dead-letters/redrive').set(admin).send(body);
  const statuses = (ids: string[]) =>
    s.db.query<{ id: string; status: string }[]>('SELECT id, status, attempts FROM service_call_records WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);

  it('is open to the keys of admin tenants only: 401 without a key, 403 for a tenant key, nothing changed', async () => {
    const id = await invalid(s.tenant);
    await s.t.http().get('/api/v1/admin/dead-letters').expect(401);
    expectProblem(await s.t.http().get('/api/v1/admin/dead-letters').set(s.tenant.auth), 403, 'FORBIDDEN');
    const refused = await expectRefusedUnchanged(
      () =>
        s.t
          .http()
          .post('/api/v1/admin/dead-letters/redrive')
          .set(s.tenant.auth)
          .send({ ids: [id] }),
      403,
      () => statuses([id]),
    );
    expectProblem(refused, 403, 'FORBIDDEN');
  });

  it("lists every tenant's dead letters with reason, attempts, handler and record id, filtered and paged", async () => {
    const mine = await invalid(s.tenant);
    const theirs = await deadLetter(s.other);

    const byTenant = await list({ tenant: s.other.tenantId }).expect(200);
    expect(byTenant.body.items).toEqual([
      expect.objectContaining({
        id: theirs,
        tenant: s.other.tenantId,
        schema: 'broken@1',
        handler: 'test/broken@1',
        attempts: 1,
        reason: expect.stringContaining('downstream is broken'),
      }),
    ]);
    const both = await s.t.http().get('/api/v1/admin/dead-letters').query({ limit: 1, tenant: s.tenant.tenantId }).set(admin).expect(200);
    expect(both.body.items).toEqual([
      expect.objectContaining({ id: mine, attempts: 0, handler: 'core/agent.registration@1', reason: expect.stringMatching(/agent\.registration@1/) }),
    ]);
    expect(both.body.nextCursor).toBeNull();

    // Across tenants: both show up when paging through everything since the test began.
    const seen: DeadLetter[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ limit: '200', ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(
      seen
        .filter((item) => [mine, theirs].includes(item.id))
        .map((item) => item.tenant)
        .sort(),
    ).toEqual([s.tenant.tenantId, s.other.tenantId].sort());

    const byHandler = await list({ tenant: s.other.tenantId, handler: 'test/broken@1' }).expect(200);
    expect(byHandler.body.items.map((item: DeadLetter) => item.id)).toEqual([theirs]);
    const coreOnly = await list({ tenant: s.other.tenantId, handler: 'core/agent.registration@1' }).expect(200);
    expect(coreOnly.body.items).toEqual([]);
    const future = await list({ tenant: s.other.tenantId, since: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    expect(future.body.items).toEqual([]);
    expectProblem(await list({ handler: 'core/nothing@1' }), 400, 'BAD_REQUEST');
    expectProblem(await list({ since: 'yesterday' }), 400, 'VALIDATION_FAILED');
  });

  it('redrives by filter after a dry run: audited with the admin key as actor, picked up and persisted, idempotent', async () => {
    const ids = [await deadLetter(s.other), await deadLetter(s.other)];
    const filter = { tenant: s.other.tenantId, handler: 'test/broken@1' };

    expect((await redrive({ ...filter, dryRun: true }).expect(200)).body).toEqual({ dryRun: true, count: 2, nextCursor: null });
    expect((await statuses(ids)).map((row) => row.status)).toEqual(['dead_lettered', 'dead_lettered']);

    await s.t.app.get(BrokenHandler).heal(s.tenant.tenantId, s.other.tenantId);
    expect((await redrive(filter).expect(200)).body).toEqual({ dryRun: false, count: 2, nextCursor: null });
    for (const id of ids) await waitForServiceCall(s.t, s.other, id, 'persisted');

    const audit = await s.db.query(
      `SELECT tenant_id, actor_id, aggregate_id FROM domain_events WHERE type = 'persistence.redriven' AND aggregate_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(audit).toHaveLength(2);
    expect(new Set(audit.map((row: { tenant_id: string; actor_id: string }) => `${row.tenant_id}:${row.actor_id}`))).toEqual(
      new Set([`${s.other.tenantId}:ops-alice`]),
    );
    // Again: nothing is dead-lettered any more, nothing changes.
    expect((await redrive(filter).expect(200)).body).toMatchObject({ count: 0 });
  });

  it('redrives by ids across tenants, leaving records that are not dead-lettered alone', async () => {
    const ids = [await deadLetter(s.tenant), await deadLetter(s.other)];
    await s.t.app.get(BrokenHandler).heal(s.tenant.tenantId, s.other.tenantId);
    expect((await redrive({ ids }).expect(200)).body).toMatchObject({ count: 2 });
    await waitForServiceCall(s.t, s.tenant, ids[0], 'persisted');
    await waitForServiceCall(s.t, s.other, ids[1], 'persisted');
    expect((await redrive({ ids }).expect(200)).body).toMatchObject({ count: 0 });
    expectProblem(await redrive({ ids, tenant: s.tenant.tenantId }), 400, 'BAD_REQUEST');
    expectProblem(await redrive({ ids: ['a', 'b', 'c', 'd'].map(() => crypto.randomUUID()) }), 400, 'BAD_REQUEST');
  });

  it('redrives at most ADMIN_REDRIVE_LIMIT per call and continues from the cursor', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => invalid(s.other)));
    const filter = { tenant: s.other.tenantId };
    expect((await redrive({ ...filter, dryRun: true }).expect(200)).body.count).toBe(5);
    const first = (await redrive(filter).expect(200)).body;
    expect(first).toMatchObject({ count: 3, nextCursor: expect.any(String) });
    const second = (await redrive({ ...filter, cursor: first.nextCursor }).expect(200)).body;
    expect(second).toEqual({ dryRun: false, count: 2, nextCursor: null });
    const redriven = await s.db.query(
      `SELECT count(DISTINCT aggregate_id)::int AS n FROM domain_events WHERE type = 'persistence.redriven' AND aggregate_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(redriven[0].n).toBe(5);
  });

  describe('npm run cli -- dead-letters', () => {
    const env = () => ({ DATABASE_URL: process.env.DATABASE_URL!, REDIS_URL: process.env.REDIS_URL!, QUEUE_PREFIX: PREFIX, LOG_LEVEL: 'silent' });

    it('lists and redrives across tenants from the command line; the workers persist what it redrove', async () => {
      const ids = [await deadLetter(s.tenant), await deadLetter(s.tenant)];
      const listed = await runCli(['dead-letters', 'list', '--tenant', s.tenant.tenantId], env());
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      for (const id of ids) expect(listed.stdout).toContain(`${id}\t${s.tenant.tenantId}\ttest\tbroken@1`);

      const dry = await runCli(['dead-letters', 'redrive', '--tenant', s.tenant.tenantId, '--dry-run'], env());
      expect(dry).toMatchObject({ code: 0 });
      expect(dry.stdout).toContain('2 dead letter(s) match; nothing was changed');

      await s.t.app.get(BrokenHandler).heal(s.tenant.tenantId, s.other.tenantId);
      const done = await runCli(['dead-letters', 'redrive', '--ids', ids.join(','), '--actor', 'ops-bob'], env());
      expect(done).toMatchObject({ code: 0 });
      expect(done.stdout).toContain('Redrove 2 dead letter(s) as ops-bob.');
      for (const id of ids) await waitForServiceCall(s.t, s.tenant, id, 'persisted');
      const actors = await s.db.query(`SELECT DISTINCT actor_id FROM domain_events WHERE type = 'persistence.redriven' AND aggregate_id = ANY($1::uuid[])`, [
        ids,
      ]);
      expect(actors).toEqual([{ actor_id: 'ops-bob' }]);
    }, 120_000);

    it('answers a usage error with one line and exit code 2, changing nothing', async () => {
      const id = await invalid(s.tenant);
      for (const args of [['redrive', '--since', 'yesterday'], ['redrive', '--ids', 'not-an-id'], ['purge'], ['list', '--colour', 'red']]) {
        const before = await statuses([id]);
        const run = await runCli(['dead-letters', ...args], env());
        expect(run.code).toBe(2);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(/^dead-letters: /);
        expect(await statuses([id])).toEqual(before);
      }
    }, 120_000);
  });
});
