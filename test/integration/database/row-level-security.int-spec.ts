import { Controller, Get, Module } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { insertServiceCallRow } from '../../factories/service-call-row.factory';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp, TestTenant } from '../../utils/test-app';

/** A route that forgets tenant scoping on purpose: the kind of bug row-level security is there for. */
@Controller('unscoped')
class UnscopedController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('agents')
  async agents(): Promise<{ tenants: string[]; count: number }> {
    const rows: { tenant_id: string }[] = await this.dataSource.query('SELECT tenant_id FROM agents');
    return { tenants: [...new Set(rows.map((row) => row.tenant_id))], count: rows.length };
  }
}

@Module({ controllers: [UnscopedController] })
class UnscopedModule {}

describe('row-level security (the service role, through the application connection)', () => {
  let t: TestApp;
  let db: DataSource;
  let owner: Client;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    // One pooled connection: every request of either tenant reuses the same PostgreSQL session.
    t = await createTestApp({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '1' }, [UnscopedModule]);
    db = t.app.get(DataSource);
    owner = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await t.close();
  });

  beforeEach(async () => {
    a = await createTenant(t.app, 'key-a');
    b = await createTenant(t.app, 'key-b');
    for (const tenant of [a, b]) {
      for (let i = 0; i < 2; i++) await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
    }
  });

  it('connects as a role that neither owns the tables nor bypasses row-level security', async () => {
    const [role] = await db.query(
      `SELECT r.rolsuper, r.rolbypassrls, pg_get_userbyid(c.relowner) = current_user AS owns
       FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.relname = 'agents'`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: false });
  });

  it('an unscoped query inside a request sees only the caller’s tenant', async () => {
    for (const tenant of [a, b, a, b]) {
      const seen = (await t.http().get('/api/v1/unscoped/agents').set(tenant.auth).expect(200)).body;
      expect(seen.tenants).toEqual([tenant.tenantId]);
      const [{ count }] = (await owner.query('SELECT count(*)::int AS count FROM agents WHERE tenant_id = $1', [tenant.tenantId])).rows;
      expect(seen.count).toBe(count);
    }
  });

  it('concurrent requests of two tenants on one pooled connection never see each other’s rows', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b)).map(async (tenant) => ({
        tenant,
        body: (await t.http().get('/api/v1/unscoped/agents').set(tenant.auth).expect(200)).body,
      })),
    );
    for (const { tenant, body } of answers) expect(body.tenants).toEqual([tenant.tenantId]);
  });

  it('concurrent creates of two tenants waiting for the one pooled connection each land in their own tenant', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b)).map(async (tenant) => ({
        tenant,
        id: (await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201)).body.id as string,
      })),
    );
    const owners = new Map(
      (await owner.query('SELECT id, tenant_id FROM agents WHERE id = ANY($1)', [created.map((row) => row.id)])).rows.map((row) => [row.id, row.tenant_id]),
    );
    for (const { tenant, id } of created) expect(owners.get(id)).toBe(tenant.tenantId);
  });

  it('an unscoped UPDATE or DELETE in one tenant’s scope leaves the other tenant’s rows alone', async () => {
    const before = (await owner.query('SELECT id, name, version FROM agents WHERE tenant_id = $1 ORDER BY id', [b.tenantId])).rows;
    const changed = await TenantScope.run(a.tenantId, async () => {
      const [, updated] = await db.query(`UPDATE agents SET name = 'overwritten'`);
      await db.query(`DELETE FROM agents WHERE name = 'overwritten' AND tenant_id <> $1`, [a.tenantId]);
      return updated;
    });
    expect(changed).toBeGreaterThanOrEqual(2);
    const after = (await owner.query('SELECT id, name, version FROM agents WHERE tenant_id = $1 ORDER BY id', [b.tenantId])).rows;
    expect(after).toEqual(before);
    const ofA = (await owner.query('SELECT DISTINCT name FROM agents WHERE tenant_id = $1', [a.tenantId])).rows;
    expect(ofA).toEqual([{ name: 'overwritten' }]);
  });

  it('refuses to write a row for another tenant, and changes nothing', async () => {
    const insertForB = TenantScope.run(a.tenantId, () =>
      db.query(
        `INSERT INTO agents (id, tenant_id, name, role, status, metadata, version, created_by, updated_by)
                VALUES (gen_random_uuid(), $1, 'planted', 'x', 'idle', '{}', 1, 'x', 'x')`,
        [b.tenantId],
      ),
    );
    await expect(insertForB).rejects.toThrow(/row-level security/);
    const moveToB = TenantScope.run(a.tenantId, () => db.query(`UPDATE agents SET tenant_id = $1`, [b.tenantId]));
    await expect(moveToB).rejects.toThrow(/row-level security/);
    const counts = (
      await owner.query(`SELECT tenant_id, count(*)::int AS n FROM agents WHERE tenant_id = ANY($1) GROUP BY 1 ORDER BY 1`, [[a.tenantId, b.tenantId]])
    ).rows;
    expect(counts).toEqual([a.tenantId, b.tenantId].sort().map((tenantId) => ({ tenant_id: tenantId, n: 2 })));
  });

  it('outside any tenant scope a query sees no row at all', async () => {
    const unscoped = await db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = ANY($1)', [[a.tenantId, b.tenantId]]);
    expect(unscoped[0].n).toBe(0);
  });

  describe('SQL run as the service role (injected SQL, say) cannot widen its scope', () => {
    let service: Client;
    let tenantTables: string[];
    beforeEach(async () => {
      // b has rows in the tables an attacker would want: an API key (from createTenant), agents, a
      // pending and a dead-lettered service call, events.
      await TenantScope.run(b.tenantId, () => insertServiceCallRow(db, b.tenantId));
      await TenantScope.run(b.tenantId, () => insertServiceCallRow(db, b.tenantId, { status: 'dead_lettered' }));
      service = new Client({ connectionString: process.env.DATABASE_URL });
      await service.connect();
      await service.query(`SELECT set_config('app.tenant_id', $1, false)`, [a.tenantId]);
      tenantTables = (
        await owner.query(
          `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r'
             AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
           ORDER BY 1`,
        )
      ).rows.map((row) => row.table);
    });
    afterEach(() => service.end());

    /** Every tenant this session can see a row of, in any tenant table. */
    async function visibleTenants(): Promise<string[]> {
      const union = tenantTables.map((table) => `SELECT DISTINCT tenant_id FROM "${table}"`).join(' UNION ');
      return (await service.query(`SELECT tenant_id FROM (${union}) t ORDER BY 1`)).rows.map((row) => row.tenant_id);
    }

    it('sees only its own tenant, and nobody’s rows after setting app.tenant_id to a wildcard or any other trick', async () => {
      expect(await visibleTenants()).toEqual([a.tenantId]);
      const tricks = [
        '*',
        '',
        ' ',
        '%',
        '.*',
        'all',
        `${a.tenantId},${b.tenantId}`,
        `${b.tenantId} `,
        b.tenantId.toUpperCase(),
        `' OR '1'='1`,
        `${a.tenantId}' OR tenant_id <> '`,
      ];
      for (const value of tricks) {
        await service.query(`SELECT set_config('app.tenant_id', $1, false)`, [value]);
        expect({ value, seen: await visibleTenants() }).toEqual({ value, seen: [] });
      }
      await service.query(`SET app.tenant_id = '*'`);
      expect(await visibleTenants()).toEqual([]);
      await service.query('BEGIN');
      await service.query(`SET LOCAL app.tenant_id = '*'`);
      expect(await visibleTenants()).toEqual([]);
      await service.query('ROLLBACK');
      await service.query('RESET app.tenant_id');
      expect(await visibleTenants()).toEqual([]);
      // Switching row-level security off is refused to a role that does not bypass it.
      await service.query('SET row_security = off');
      await expect(service.query('SELECT count(*) FROM agents')).rejects.toThrow(/row-level security/);
    });

    it('changes no other tenant’s rows under the wildcard, and cannot write one', async () => {
      const before = (await owner.query('SELECT id, name, version FROM agents WHERE tenant_id = $1 ORDER BY id', [b.tenantId])).rows;
      await service.query(`SET app.tenant_id = '*'`);
      expect((await service.query(`UPDATE agents SET name = 'overwritten'`)).rowCount).toBe(0);
      expect((await service.query(`DELETE FROM api_keys`)).rowCount).toBe(0);
      await expect(
        service.query(
          `INSERT INTO agents (id, tenant_id, name, role, status, metadata, version, created_by, updated_by)
           VALUES (gen_random_uuid(), $1, 'planted', 'x', 'idle', '{}', 1, 'x', 'x')`,
          [b.tenantId],
        ),
      ).rejects.toThrow(/row-level security/);
      expect((await owner.query('SELECT id, name, version FROM agents WHERE tenant_id = $1 ORDER BY id', [b.tenantId])).rows).toEqual(before);
      expect((await owner.query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [b.tenantId])).rows).toEqual([{ n: 1 }]);
    });

    it('may call only the functions of the work across tenants, none of which returns another tenant’s content', async () => {
      const callable = (
        await service.query(
          `SELECT p.proname AS name, pg_get_function_result(p.oid) AS returns FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef AND has_function_privilege(p.oid, 'EXECUTE')
           ORDER BY 1`,
        )
      ).rows;
      expect(callable.map((f) => f.name)).toEqual([
        'api_key_by_hash',
        'api_key_tenant',
        'api_keys_mark_used',
        'api_keys_overview',
        'idempotency_keys_purge',
        'insight_matches',
        'outbox_claim',
        'outbox_dead_letter_count',
        'outbox_dead_letters',
        'outbox_due',
        'outbox_pending_by_tenant',
        'outbox_postpone',
        'outbox_record_tenant',
        'outbox_totals',
        'status_counts',
      ]);
      // The drain's claim finds b's pending result (a claim is of one tenant: b's result, with a
      // priority, is the first due), but says only its id and tenant, and whether other results
      // are due: its content is read in b's scope.
      await owner.query(`UPDATE service_call_records SET priority = 1 WHERE tenant_id = $1 AND status = 'pending'`, [b.tenantId]);
      await service.query('BEGIN');
      const claimed = (await service.query(`SELECT * FROM outbox_claim(1000, '{}', '{nothing.handles.this@1}')`)).rows;
      const ofB = claimed.find((row) => row.tenant_id === b.tenantId);
      expect(ofB).toEqual({ id: expect.any(String), tenant_id: b.tenantId, more: expect.any(Boolean) });
      expect((await service.query('SELECT count(*)::int AS n FROM service_call_records WHERE id = $1', [ofB.id])).rows).toEqual([{ n: 0 }]);
      await service.query('ROLLBACK');
      // Full-text search is restricted to the session's tenant inside its function.
      await service.query(`SET app.tenant_id = '*'`);
      expect((await service.query(`SELECT * FROM insight_matches(to_tsquery('simple', 'a'), NULL, 10)`)).rows).toEqual([]);
    });
  });

  it('a rolled-back transaction does not leave its session in the wrong tenant', async () => {
    await TenantScope.run(a.tenantId, () =>
      db.transaction(async (manager) => {
        await manager.query('SELECT 1');
        throw new Error('roll back');
      }),
    ).catch(() => undefined);
    const rows: { tenant_id: string }[] = await TenantScope.run(b.tenantId, () => db.query('SELECT DISTINCT tenant_id FROM agents'));
    expect(rows).toEqual([{ tenant_id: b.tenantId }]);
  });

  it('every table with a tenant_id column has row-level security and the tenant policy', async () => {
    const tables = (
      await owner.query(
        `SELECT c.relname AS table, c.relrowsecurity AS enabled,
                EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') AS policy
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         ORDER BY 1`,
      )
    ).rows;
    expect(tables.length).toBeGreaterThanOrEqual(16);
    expect(tables.filter((row) => !row.enabled || !row.policy)).toEqual([]);
  });
});
