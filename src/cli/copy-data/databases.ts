import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createAppDataSource } from '../../data-source';
import { CopyDataError } from './copy-data.errors';
import { SESSION_SETTINGS } from './sql';

/**
 * The embedded database in `dataDir`, opened as the app opens it (PGlite with its extensions,
 * behind the pid lock: a running server on the directory makes this throw). Never creates one.
 */
export async function openSource(dataDir: string): Promise<DataSource> {
  if (!existsSync(join(dataDir, 'pg', 'PG_VERSION'))) throw new CopyDataError(`${dataDir} holds no embedded database (no ${join('pg', 'PG_VERSION')})`);
  const source = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { migrationsRun: false, logging: false });
  await source.initialize();
  try {
    // PGlite is one session: settings made now hold for every later query.
    for (const [name, value] of Object.entries(SESSION_SETTINGS)) await source.query(`SET ${name} = '${value}'`);
    return source;
  } catch (error) {
    await source.destroy();
    throw error;
  }
}

/** The PostgreSQL at `url`; its connections start with the same session settings as the source. */
export async function openTarget(url: string): Promise<DataSource> {
  const options = Object.entries(SESSION_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const target = createAppDataSource({ profile: 'server', url, poolSize: 2, migrationsRun: false, dataDir: '' }, { logging: false, extra: { options } });
  await target.initialize();
  return target;
}

/**
 * Applies pending migrations, as the app does at start-up, after refusing a database that holds a
 * migration this code does not know (it was made by a newer version: copying into or out of it
 * could lose what that version added).
 */
export async function migrateToCurrent(dataSource: DataSource, label: string): Promise<string> {
  const known = new Set(dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name));
  const [{ exists }] = await dataSource.query(`SELECT to_regclass('public.migrations') IS NOT NULL AS exists`);
  const applied: string[] = exists ? (await dataSource.query('SELECT name FROM migrations ORDER BY id')).map((row: { name: string }) => row.name) : [];
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CopyDataError(
      `the ${label} database holds migrations this version does not know (${unknown.join(', ')}): run copy-data from a version that has them`,
    );
  }
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  return ran.length === 0
    ? `${label}: schema up to date (${known.size} migrations)`
    : `${label}: applied ${ran.length} pending migration${ran.length === 1 ? '' : 's'} (${ran.map((migration) => migration.name).join(', ')})`;
}
