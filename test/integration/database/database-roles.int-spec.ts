import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { createAppDataSource } from '../../../src/data-source';
import { makeAgent } from '../../factories/agent.factory';
import { createTenant, createTestApp, TestApp } from '../../utils/test-app';

/** The documented production set-up, end to end: roles from deploy/postgres/init-roles.sh, migrations as the owner, the service as ledger_service. */
describe('database roles (deploy/postgres/init-roles.sh)', () => {
  const admin = new URL(process.env.TEST_DATABASE_URL!);
  const database = `agent_ledger_roles_${process.pid}`;
  const as = (user: string) => Object.assign(new URL(admin), { username: user, password: '', pathname: `/${database}` }).toString();
  let superuser: Client;
  let t: TestApp | undefined;

  beforeAll(async () => {
    superuser = new Client({ connectionString: admin.toString() });
    await superuser.connect();
    await superuser.query(`DROP DATABASE IF EXISTS ${database}`);
    await superuser.query(`CREATE DATABASE ${database}`);
    execFileSync('sh', ['deploy/postgres/init-roles.sh'], {
      env: { ...process.env, PGHOST: admin.hostname, PGPORT: admin.port || '5432', POSTGRES_USER: admin.username, POSTGRES_DB: database },
      stdio: 'pipe',
    });
    const owner = createAppDataSource({ profile: 'server', url: as('ledger_owner'), poolSize: 1, migrationsRun: false, dataDir: '' }, { logging: false });
    await owner.initialize();
    await owner.runMigrations({ transaction: 'each' });
    await owner.destroy();
  });

  afterAll(async () => {
    await t?.close();
    await superuser.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await superuser.end();
  });

  it('lets the owner run the migrations, and the service role serve tenants apart without owning anything', async () => {
    const [{ owner }] = (await superuser.query(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`, [database])).rows;
    expect(owner).toBe('ledger_owner');

    t = await createTestApp({ LOG_LEVEL: 'silent', DATABASE_URL: as('ledger_service') });
    const a = await createTenant(t.app, 'a');
    const b = await createTenant(t.app, 'b');
    const agent = (await t.http().post('/api/v1/agents').set(a.auth).send(makeAgent()).expect(201)).body;
    await t.http().get(`/api/v1/agents/${agent.id}`).set(a.auth).expect(200);
    await t.http().get(`/api/v1/agents/${agent.id}`).set(b.auth).expect(404);

    const service = new Client({ connectionString: as('ledger_service') });
    await service.connect();
    try {
      // Without a tenant setting the service role sees nothing, and it can change no schema.
      expect((await service.query('SELECT count(*)::int AS n FROM agents')).rows[0].n).toBe(0);
      await expect(service.query('DROP TABLE agents')).rejects.toThrow(/must be owner/);
      await service.query(`SELECT set_config('app.tenant_id', $1, false)`, [b.tenantId]);
      expect((await service.query('SELECT count(*)::int AS n FROM agents')).rows[0].n).toBe(0);
      await service.query(`SELECT set_config('app.tenant_id', $1, false)`, [a.tenantId]);
      expect((await service.query('SELECT id FROM agents')).rows).toEqual([{ id: agent.id }]);
    } finally {
      await service.end();
    }
  });
});
