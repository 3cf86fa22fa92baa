import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { createAppDataSource } from '../../src/data-source';
import { migrations } from '../../src/migrations';
import { TEST_WORKERS, workerDatabaseName, workerDatabasePrefix } from './worker-database';

/**
 * The role the app under test connects as (DATABASE_URL in vitest.config.mts): like the service's
 * role in production it does not own the tables and does not bypass row-level security, so every
 * test through the app runs under the policies. Assertions read through TEST_DATABASE_URL (owner).
 */
export const SERVICE_ROLE = 'agent_ledger_service';

/** What the service role may do in a migrated database: rows of the tables, and the functions of its work across tenants. */
export const SERVICE_ROLE_GRANTS = [
  `GRANT USAGE ON SCHEMA public TO ${SERVICE_ROLE}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${SERVICE_ROLE}`,
  `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${SERVICE_ROLE}`,
  `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${SERVICE_ROLE}`,
];

async function grantServiceRole(client: Client): Promise<void> {
  await client.query(
    `DO $$ BEGIN CREATE ROLE ${SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
  );
  for (const grant of SERVICE_ROLE_GRANTS) await client.query(grant);
}

/** Any fixed number: serialises the set-up of test runs that start at the same time. */
const SETUP_LOCK = 7_312_001;

/**
 * Once per run: bring the test database to the current migrations, give each test worker a
 * database of its own (see worker-database.ts), compile `dist/` for the tests that start the
 * server as a real process, and build the client and its example. The schema of the test
 * database is rebuilt only when it holds a migration the code no longer has; otherwise pending
 * migrations are applied, so runs that overlap never pull the schema from under each other.
 * Returns the teardown, which drops the workers' databases.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    const known = new Set(migrations.map((migration) => (migration as { name: string }).name));
    const table = await client.query(`SELECT to_regclass('public.migrations') AS exists`);
    const applied: string[] = table.rows[0].exists ? (await client.query('SELECT name FROM migrations')).rows.map((row) => row.name) : [];
    if (applied.some((name) => !known.has(name))) {
      await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    }
    await migrate(url);
    await grantServiceRole(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]).catch(() => undefined);
    await client.end();
  }
  const dropWorkerDatabases = await createWorkerDatabases(url);

  if (!builtByPretest()) {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    // The client is generated from the document this code produces, then compiled with the example
    // that uses it: a change to the API that breaks either fails the run here.
    execFileSync(process.execPath, ['packages/client/scripts/generate-types.mjs'], { stdio: 'inherit' });
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/client/tsconfig.json'], { stdio: 'inherit' });
  }
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { stdio: 'inherit' });
  return dropWorkerDatabases;
}

async function migrate(url: string): Promise<void> {
  const dataSource = createAppDataSource({ profile: 'server', url, poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/**
 * A migrated database per test worker, named after this run (its process id) and the worker: the
 * outbox workers of every test app drain every due record of their database, so two files running
 * side by side on one database would process each other's results with their own settings and
 * handlers. Files that run one after the other in a worker share its database (tests isolate their
 * data by tenant). Databases left by runs that no longer exist are dropped first.
 */
async function createWorkerDatabases(url: string): Promise<() => Promise<void>> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const base = workerDatabasePrefix(url);
  const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${base}%`]);
  for (const { datname } of stale.rows) {
    const pid = Number(/_r(\d+)_w\d+$/.exec(datname)?.[1]);
    if (Number.isInteger(pid) && !isRunning(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  const names = Array.from({ length: TEST_WORKERS }, (_, i) => workerDatabaseName(url, process.pid, i + 1));
  await Promise.all(
    names.map(async (name) => {
      await admin.query(`CREATE DATABASE "${name}"`);
      const workerUrl = Object.assign(new URL(url), { pathname: `/${name}` }).toString();
      await migrate(workerUrl);
      const owner = new Client({ connectionString: workerUrl });
      await owner.connect();
      try {
        await grantServiceRole(owner);
      } finally {
        await owner.end();
      }
    }),
  );
  process.env.TEST_RUN_PID = String(process.pid);
  return async () => {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `npm test` built `dist/` and the client just before, in its pretest step (which then
 * type-checks the server, the tests and the example once): the server is not compiled again here.
 * A run started otherwise (`npx vitest run <files>`, `npm test --ignore-scripts`) builds them here.
 */
function builtByPretest(): boolean {
  return process.env.npm_lifecycle_event === 'test' && process.env.npm_config_ignore_scripts !== 'true';
}
