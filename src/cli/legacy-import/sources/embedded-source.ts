import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '../../../database/data-source-options';
import { LegacyColumns } from '../mapping/legacy-mapping';
import { LegacySourceError } from './legacy-source';
import { PostgresDialectSource } from './postgres-dialect-source';

/**
 * A legacy table in another agent-ledger data directory (embedded PostgreSQL), opened the way
 * the app opens one: under its lock file, so a server running on it is never opened twice.
 */
export async function openEmbeddedSource(dataDir: string, table: string, columns: LegacyColumns): Promise<PostgresDialectSource> {
  if (!existsSync(join(dataDir, 'pg', 'PG_VERSION'))) {
    throw new LegacySourceError(`${dataDir} is not an agent-ledger data directory (it has no embedded database in ${join(dataDir, 'pg')})`);
  }
  let embedded;
  try {
    embedded = openEmbeddedDatabase(dataDir);
  } catch (error) {
    throw new LegacySourceError(`cannot read ${dataDir}: ${(error as Error).message.replace(/, or point DATABASE_URL at PostgreSQL$/, '')}`);
  }
  const { pglite } = embedded;
  try {
    await pglite.waitReady;
  } catch (error) {
    await embedded.close();
    throw error;
  }
  return new PostgresDialectSource(
    { query: async (sql, params) => (await pglite.query<Record<string, unknown>>(sql, params)).rows },
    table,
    `table ${table} of the embedded database in ${dataDir}`,
    () => embedded.close(),
    columns,
  );
}
