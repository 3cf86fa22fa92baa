import { Client } from 'pg';
import { createAppDataSource } from '../../src/data-source';
import { SERVICE_ROLE, SERVICE_ROLE_GRANTS } from '../setup/global-setup';

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
