import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { OutboxGauges } from '../../src/modules/outbox/outbox.gauges';
import { insertServiceCallRow } from '../factories/service-call-row.factory';
import { expectProblem } from '../utils/problems';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTenant, createTestApp, TestApp, useTwoTenants } from '../utils/test-app';

/** The value of one sample of `/metrics` text (`name{labels} value`), undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const escaped = `${name}${labels}`.replace(/[{}[\]()*+?.\\^$|]/g, '\\$&');
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

function failures(text: string, collector: string): number {
  let total = 0;
  for (const reason of ['error', 'timeout']) {
    total += sample(text, 'agent_ledger_metrics_collector_failures_total', `{collector="${collector}",reason="${reason}"}`) ?? 0;
  }
  return total;
}

describe('outbox gauges on /metrics', () => {
  const suite = useTwoTenants();

  afterEach(async () => {
    await suite.db.query(`DELETE FROM service_call_records WHERE tenant_id = ANY($1)`, [[suite.tenant.tenantId, suite.other.tenantId]]);
  });

  async function recount(db: DataSource): Promise<{ dead: number; pending: number; oldest: number }> {
    const [row] = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'dead_lettered')::int AS dead, count(*) FILTER (WHERE status = 'pending')::int AS pending,
              coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float8 AS oldest
         FROM service_call_records`,
    );
    return row;
  }

  it('report dead letters, pending results, the oldest one’s age and the backlog of the largest tenants, across tenants', async () => {
    const { t, db, tenant, other } = suite;
    for (let i = 0; i < 12; i++) await insertServiceCallRow(db, tenant.tenantId, { ageSeconds: 60 });
    await insertServiceCallRow(db, other.tenantId, { ageSeconds: 3 * 3600 });
    await insertServiceCallRow(db, other.tenantId, { status: 'dead_lettered' });
    await insertServiceCallRow(db, other.tenantId, { status: 'persisted' });

    // Other test files write to the outbox at the same time: compare with a recount that held still.
    let scraped: { text: string; counts: Awaited<ReturnType<typeof recount>> } | undefined;
    for (let attempt = 0; attempt < 50 && !scraped; attempt++) {
      const before = await recount(db);
      await t.app.get(OutboxGauges).refresh();
      const { text } = await t.http().get('/metrics').expect(200);
      const after = await recount(db);
      if (before.dead === after.dead && before.pending === after.pending) scraped = { text, counts: before };
    }
    const { text, counts } = scraped!;
    expect(sample(text, 'agent_ledger_outbox_dead_letters')).toBe(counts.dead);
    expect(sample(text, 'agent_ledger_outbox_pending')).toBe(counts.pending);
    expect(counts.dead).toBeGreaterThanOrEqual(1);
    const oldest = sample(text, 'agent_ledger_outbox_oldest_pending_age_seconds')!;
    expect(oldest).toBeGreaterThanOrEqual(3 * 3600);
    expect(oldest).toBeLessThanOrEqual(counts.oldest + 60);
    expect(sample(text, 'agent_ledger_outbox_backlog', `{tenant="${tenant.tenantId}"}`)).toBe(12);
    // Bounded labels: the ten largest backlogs only.
    expect(text.match(/^agent_ledger_outbox_backlog\{/gm)!.length).toBeLessThanOrEqual(10);
  });
});

describe('/metrics behind METRICS_AUTH', () => {
  const TOKEN = 'scraper-token-0123456789abcdef';
  let t: TestApp;
  let adminAuth: { Authorization: string };
  let tenantAuth: { Authorization: string };

  beforeAll(async () => {
    const adminTenant = `admin${process.pid}x${Date.now().toString(36)}`;
    t = await createTestApp({ METRICS_AUTH: 'true', METRICS_TOKEN: TOKEN, ADMIN_TENANTS: adminTenant });
    const admin = await t.app.get(ApiKeysService).create(adminTenant, 'ops');
    adminAuth = { Authorization: `Bearer ${admin.key}` };
    tenantAuth = (await createTenant(t.app)).auth;
  });
  afterAll(() => t.close());

  it('answers the token and an admin tenant’s key, 401 to no or a wrong credential, 403 to another tenant’s key', async () => {
    const withToken = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(withToken.text).toMatch(/^# TYPE agent_ledger_outbox_dead_letters gauge$/m);
    await t.http().get('/metrics').set(adminAuth).expect(200);

    expectProblem(await t.http().get('/metrics'), 401, 'UNAUTHENTICATED');
    expectProblem(await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`), 401, 'UNAUTHENTICATED');
    const foreign = await t.http().get('/metrics').set(tenantAuth);
    expectProblem(foreign, 403, 'FORBIDDEN');
    expect(foreign.text).not.toContain('agent_ledger_outbox');
  });
});

describe('/metrics during an outage', () => {
  function through(proxy: TcpProxy, url: string): string {
    const via = new URL(url);
    via.host = `127.0.0.1:${proxy.port}`;
    return via.toString();
  }

  async function proxyTo(url: string, defaultPort: number): Promise<TcpProxy> {
    const target = new URL(url);
    return new TcpProxy(target.hostname, Number(target.port || defaultPort)).start();
  }

  for (const [store, variable, defaultPort] of [
    ['PostgreSQL', 'DATABASE_URL', 5432],
    ['Redis', 'REDIS_URL', 6379],
  ] as const) {
    it(`answers within 1 s with ${store} unreachable, with the last values read and the failures counted`, async () => {
      const proxy = await proxyTo(process.env[variable]!, defaultPort);
      const t = await createTestApp({ [variable]: through(proxy, process.env[variable]!), LOG_LEVEL: 'fatal' });
      try {
        const scrape = async () => (await t.http().get('/metrics').timeout(1000).expect(200)).text;
        const before = await scrape();
        const dead = sample(before, 'agent_ledger_outbox_dead_letters');
        const queued = sample(before, 'queue_jobs', '{queue="persistence",state="failed"}');
        expect(dead).toBeDefined();
        expect(queued).toBeDefined();
        const collector = store === 'Redis' ? 'queue_jobs' : 'outbox_backlog';
        const failedBefore = failures(before, collector);

        proxy.cut();
        // Cached values are served for 5 s; scrape until the collectors have tried and failed.
        let during = await scrape();
        await expect
          .poll(
            async () => {
              during = await scrape();
              return failures(during, collector);
            },
            { timeout: 15_000, interval: 250 },
          )
          .toBeGreaterThan(failedBefore);
        // The store that is away: its gauges report the last values read; the other's stay live.
        if (store === 'PostgreSQL') expect(sample(during, 'agent_ledger_outbox_dead_letters')).toBe(dead);
        else expect(sample(during, 'queue_jobs', '{queue="persistence",state="failed"}')).toBe(queued);
        expect(sample(during, 'agent_ledger_outbox_dead_letters')).toBeDefined();
        expect(sample(during, 'queue_jobs', '{queue="persistence",state="failed"}')).toBeDefined();
        expect(sample(during, 'process_cpu_user_seconds_total')).toBeDefined();
      } finally {
        proxy.restore();
        await t.close();
        await proxy.stop();
      }
    });
  }
});
