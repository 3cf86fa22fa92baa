import { Client } from 'pg';
import { CliRun, runCli } from './cli-process';

export const TARGET_TABLES = ['agents', 'workflows', 'tasks', 'task_dependencies', 'messages', 'action_logs', 'job_results', 'insights', 'patterns', 'integrated_objects'];

let counter = 0;

/** A tenant and legacy table names of their own for one test. */
export function uniqueNames(label: string): { tenant: string; table: string } {
  const suffix = `${process.pid}_${Date.now().toString(36)}_${++counter}`;
  return { tenant: `li-${label}-${suffix}`.replace(/_/g, '-'), table: `${label}_${suffix}` };
}

export async function connect(url = process.env.TEST_DATABASE_URL!): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Rows per target table (and ledger and events) of one tenant. */
export async function tenantCounts(db: Client, tenant: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...TARGET_TABLES, 'legacy_imports', 'domain_events']) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant]);
    counts[table] = rows[0].n;
  }
  return counts;
}

/** `npm run cli -- import-legacy …` into the test database, connected as the app is (the service role, under row-level security). */
export function importLegacy(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['import-legacy', ...args], { DATABASE_URL: process.env.DATABASE_URL!, ...env });
}
