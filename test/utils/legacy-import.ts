import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CliRun, runCli, startCli } from './cli-process';

export const TARGET_TABLES = [
  'agents',
  'workflows',
  'tasks',
  'task_dependencies',
  'messages',
  'action_logs',
  'job_results',
  'insights',
  'patterns',
  'integrated_objects',
];

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

/**
 * A connection to the test database and a temporary directory for the files of one spec, opened
 * before its tests and closed (the directory removed) after them.
 */
export function useLegacyImportSetup(label: string): { db: () => Client; dir: () => string } {
  let db: Client;
  let dir: string;
  beforeAll(async () => {
    db = await connect();
    dir = mkdtempSync(join(tmpdir(), `legacy-${label}-`));
  });
  afterAll(async () => {
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db: () => db, dir: () => dir };
}

/** A row the import must reject, under the type it reports, with (part of) the reason. */
export interface ExpectedRejection {
  type: string;
  id: string;
  reason: string;
}

/** Every expected rejection is reported (`rejected <type> "<id>": …reason…`), and nothing else is. */
export function expectRejections(stdout: string, expected: ExpectedRejection[]): void {
  const reported = stdout.split('\n').filter((line) => line.startsWith('rejected '));
  expect(reported).toHaveLength(expected.length);
  for (const { type, id, reason } of expected) {
    const line = reported.find((candidate) => candidate.startsWith(`rejected ${type} ${JSON.stringify(id)}: `));
    expect(line, `no rejection reported for ${id}`).toBeDefined();
    expect(line).toContain(reason);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `import-legacy args` and SIGKILLs it as soon as its first batch has committed (a ledger row
 * of the tenant is there); returns how many legacy rows were imported when it died.
 */
export async function killImportAfterFirstCommit(db: Client, tenant: string, args: string[]): Promise<number> {
  const imported = async () => (await db.query('SELECT count(*)::int AS n FROM legacy_imports WHERE tenant_id = $1', [tenant])).rows[0].n as number;
  const run = startCli(['import-legacy', ...args], { DATABASE_URL: process.env.DATABASE_URL! });
  while ((await imported()) === 0 && run.child.exitCode === null) await sleep(20);
  run.child.kill('SIGKILL');
  expect((await run.done).signal).toBe('SIGKILL');
  return imported();
}
