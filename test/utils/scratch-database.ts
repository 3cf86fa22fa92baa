import { Client } from 'pg';
import { createAppDataSource } from '../../src/data-source';
import { SERVICE_ROLE, SERVICE_ROLE_GRANTS } from '../setup/global-setup';
import { createTenant, createTestApp, TestApp, TestTenant } from './test-app';

export interface ScratchDatabase {
  /** As the owner of the tables (for assertions). */
  ownerUrl: string;
  /** As the service role, under row-level security (for an app). */
  serviceUrl: string;
  drop: () => Promise<void>;
}

/** A second, migrated database beside the test database, for tests of two deployments side by side. */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const base = new URL(process.env.TEST_DATABASE_URL!);
  const name = `agent_ledger_${label}_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const ownerUrl = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
  const owner = createAppDataSource({ profile: 'server', url: ownerUrl, poolSize: 1, migrationsRun: false, dataDir: '' }, { logging: false });
  await owner.initialize();
  try {
    await owner.runMigrations({ transaction: 'each' });
    for (const grant of SERVICE_ROLE_GRANTS) await owner.query(grant);
  } finally {
    await owner.destroy();
  }
  return {
    ownerUrl,
    serviceUrl: Object.assign(new URL(ownerUrl), { username: SERVICE_ROLE, password: '' }).toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A migrated scratch database, an app on it (the API role, as the service role) and one tenant: see useScratchApp. */
export interface ScratchApp {
  scratch: ScratchDatabase;
  t: TestApp;
  tenant: TestTenant;
}

/**
 * Gives the test file a database of its own (for tests that need a table as a new deployment has
 * it: nearly empty, its statistics its own), an app on it and a tenant; all dropped after the file.
 * Read the members inside hooks and tests.
 */
export function useScratchApp(label: string): ScratchApp {
  const suite = {} as ScratchApp;
  beforeAll(async () => {
    suite.scratch = await createScratchDatabase(label);
    suite.t = await createTestApp({ DATABASE_URL: suite.scratch.serviceUrl, APP_ROLE: 'api' });
    suite.tenant = await createTenant(suite.t.app);
  });
  afterAll(async () => {
    await suite.t?.close();
    await suite.scratch?.drop();
  });
  return suite;
}
