import { DataSource } from 'typeorm';
import { preparedStatementName, queryPrepared } from '../../../src/common/persistence/insert-statement';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { makeAgent } from '../../factories/agent.factory';
import { TestTenant, useTwoTenants } from '../../utils/test-app';

/**
 * Named statements (`{ name, text, values }`, the form every single create and task change is
 * sent in) through the application's connections, which pass them to pg as a Query of their own.
 */
describe('named statements through the application connection', () => {
  // One pooled connection: every statement below runs on the same PostgreSQL session.
  const suite = useTwoTenants({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '1' });
  let db: DataSource;
  let a: TestTenant;
  let b: TestTenant;

  beforeEach(async () => {
    db = suite.t.app.get(DataSource);
    ({ tenant: a, other: b } = suite);
    for (const tenant of [a, b, b]) await suite.t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
  });

  it("run in the caller's tenant scope, with their values, prepared once on the connection", async () => {
    const sql = 'SELECT tenant_id, count(*)::int AS agents, $1::text AS echoed FROM agents GROUP BY tenant_id';
    const seen = [];
    for (const tenant of [a, b, a, b]) {
      seen.push(await TenantScope.run(tenant.tenantId, () => queryPrepared(db, sql, [`for ${tenant.tenantId}`])));
    }

    expect(seen).toEqual([
      [{ tenant_id: a.tenantId, agents: 1, echoed: `for ${a.tenantId}` }],
      [{ tenant_id: b.tenantId, agents: 2, echoed: `for ${b.tenantId}` }],
      [{ tenant_id: a.tenantId, agents: 1, echoed: `for ${a.tenantId}` }],
      [{ tenant_id: b.tenantId, agents: 2, echoed: `for ${b.tenantId}` }],
    ]);
    const prepared = await queryPrepared(db, 'SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1', [preparedStatementName(sql)]);
    expect(prepared).toEqual([{ n: 1 }]);
  });

  it("fail with the database's error, and the connection serves the next statement", async () => {
    const failing = TenantScope.run(a.tenantId, () => queryPrepared(db, 'SELECT 1 / $1::int AS quotient', [0]));
    await expect(failing).rejects.toMatchObject({ code: '22012', message: 'division by zero' });

    const next = await TenantScope.run(a.tenantId, () => queryPrepared(db, 'SELECT 84 / $1::int AS quotient', [2]));
    expect(next).toEqual([{ quotient: 42 }]);
  });
});
