import os from 'node:os';
import pg from 'pg';
import IORedis from 'ioredis';
import { uuidv7 } from '../../dist/common/persistence/uuid-v7.js';

/** The columns both the app and the baselines write; the rest take their defaults. */
export const INSERT_COLUMNS = ['id', 'tenant_id', 'name', 'role', 'description', 'status', 'metadata', 'created_by', 'updated_by'];
export const RAW_TABLE = 'raw_agents';
export const RAW_EVENTS_TABLE = 'raw_domain_events';

export function databaseUrl(base, database) {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` with a connection of its own to `url`, closed afterwards. */
async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the bench database so every run starts from the same empty state. */
export async function recreateDatabase(adminUrl, database) {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`Refusing odd database name ${database}`);
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  });
}

/** The role the measured app connects as: it owns nothing and does not bypass row-level security, as in production. */
export const SERVICE_ROLE = 'agent_ledger_bench_service';

/** The same database as `url`, reached as SERVICE_ROLE (trust authentication, as on the bench machines). */
export function serviceUrl(url) {
  return Object.assign(new URL(url), { username: SERVICE_ROLE, password: '' }).toString();
}

/**
 * Applies the migrations as the owner (`url`), then lets SERVICE_ROLE read and write the tables and
 * call the functions of the work across tenants: the app is then started on serviceUrl(url), under
 * the row-level security policies.
 */
export async function migrateForServiceRole(url) {
  const { createAppDataSource } = await import('../../dist/data-source.js');
  const owner = createAppDataSource({ profile: 'server', url, poolSize: 1, migrationsRun: false, dataDir: '' }, { logging: false });
  await owner.initialize();
  try {
    await owner.runMigrations({ transaction: 'each' });
    await owner.query(
      `DO $$ BEGIN CREATE ROLE ${SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    );
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${SERVICE_ROLE}`);
    await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${SERVICE_ROLE}`);
    await owner.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${SERVICE_ROLE}`);
  } finally {
    await owner.destroy();
  }
  return serviceUrl(url);
}

/**
 * The baseline tables: copies of the migrated `agents` and `domain_events` tables with the same
 * columns, defaults, check constraint and indexes, so the baselines pay the same per-row index upkeep as the app.
 */
export async function createRawTable(url) {
  await withClient(url, async (client) => {
    await client.query(`CREATE TABLE ${RAW_TABLE} (LIKE agents INCLUDING ALL)`);
    await client.query(`CREATE TABLE ${RAW_EVENTS_TABLE} (LIKE domain_events INCLUDING ALL)`);
  });
}

export async function serverFacts(url) {
  const { rows } = await withClient(url, (client) =>
    client.query(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync, current_setting('shared_buffers') AS buffers`,
    ),
  );
  return rows[0];
}

/**
 * VACUUM ANALYZE of the whole database: what autovacuum does to a stack some time after a backlog.
 * Until then every claim of the drain walks the drained records' dead index entries.
 */
export async function vacuum(url) {
  await withClient(url, (client) => client.query('VACUUM ANALYZE'));
}

/** Flushes dirty pages so a checkpoint does not land inside one measurement and not another. */
export async function checkpoint(url) {
  await withClient(url, (client) => client.query('CHECKPOINT'));
}

export function rowValues(tenantId, actor, item) {
  return [uuidv7(), tenantId, item.name, item.role, item.description ?? null, item.status ?? 'idle', JSON.stringify(item.metadata ?? {}), actor, actor];
}

export function multiRowInsertSql(rowCount) {
  const width = INSERT_COLUMNS.length;
  const tuples = [];
  for (let row = 0; row < rowCount; row++) {
    const params = [];
    for (let col = 1; col <= width; col++) params.push(`$${row * width + col}`);
    tuples.push(`(${params.join(', ')})`);
  }
  return `INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`;
}

/**
 * Baseline for the bulk endpoint: the same items as one parameterised multi-row INSERT ... RETURNING *
 * of the same columns, sent directly with `pg` over one connection. `insert()` resolves with its
 * duration in milliseconds (building the parameters included).
 */
export async function openRawBulkInserter(url, items, { tenantId, actor }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sql = multiRowInsertSql(items.length);
  return {
    async insert() {
      const started = process.hrtime.bigint();
      const values = [];
      for (const item of items) values.push(...rowValues(tenantId, actor, item));
      const result = await client.query(sql, values);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.rowCount !== items.length) throw new Error(`raw bulk insert wrote ${result.rowCount} rows, expected ${items.length}`);
      return elapsed;
    },
    close: () => client.end(),
  };
}

/** Empties the bench's Redis database so queues start empty. */
export async function flushRedis(url) {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** One line of machine facts printed beside the figures. */
export async function describeMachine(url) {
  const facts = await serverFacts(url);
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    text:
      `machine: ${cpus.length} cpus (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${os.platform()} ${os.release()}, node ${process.version}, PostgreSQL ${facts.version} ` +
      `(synchronous_commit=${facts.sync}, shared_buffers=${facts.buffers}), load average at start ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join('/')}`,
  };
}
