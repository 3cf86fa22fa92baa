import { Client } from 'pg';
import { LegacyColumns } from '../mapping/legacy-mapping';
import { PostgresDialectSource } from './postgres-dialect-source';

/** A legacy table in a PostgreSQL server, read over one `pg` connection. */
export async function openPostgresSource(url: string, table: string, columns: LegacyColumns): Promise<PostgresDialectSource> {
  const client = new Client({ connectionString: url, application_name: 'agent-ledger import-legacy' });
  await client.connect();
  const { host, pathname } = new URL(url);
  return new PostgresDialectSource(
    { query: async (sql, params) => (await client.query(sql, params)).rows },
    table,
    `PostgreSQL table ${table} (${host}${pathname})`,
    () => client.end(),
    columns,
  );
}
