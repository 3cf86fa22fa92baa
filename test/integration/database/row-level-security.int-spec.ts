import { Controller, Get, Module } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
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

  it('outside any tenant scope a query sees no row at all, and system scope sees every tenant', async () => {
    const unscoped = await db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = ANY($1)', [[a.tenantId, b.tenantId]]);
    expect(unscoped[0].n).toBe(0);
    const system = await TenantScope.system(() => db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = ANY($1)', [[a.tenantId, b.tenantId]]));
    expect(system[0].n).toBe(4);
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
