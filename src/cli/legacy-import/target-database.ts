import { DataSource, QueryRunner } from 'typeorm';
import { preparedStatementName } from '../../common/persistence/insert-statement';
import { LegacyImportError } from './legacy-import.errors';
import { SqlClient } from './sources/sql-client';

interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The import's one connection to the app's database (PostgreSQL, or the embedded PGlite, which
 * is one session anyway), held for the whole run: its statements are prepared once, and the
 * advisory lock that keeps two imports of one table apart lives as long as it does.
 */
export class TargetDatabase implements SqlClient {
  private lockKey: string | null = null;

  private constructor(
    readonly dataSource: DataSource,
    private readonly runner: QueryRunner,
    private readonly client: PgClient,
  ) {}

  static async open(dataSource: DataSource): Promise<TargetDatabase> {
    const runner = dataSource.createQueryRunner();
    const db = new TargetDatabase(dataSource, runner, (await runner.connect()) as PgClient);
    const [ledger] = await db.query(`SELECT to_regclass('legacy_imports') IS NOT NULL AS present`);
    if (!ledger.present) {
      await runner.release();
      throw new LegacyImportError('the database has no legacy_imports table yet: run `npm run migration:run` first');
    }
    return db;
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.client.query({ text: sql, values: params })).rows;
  }

  /** Runs a statement of a fixed shape prepared (parsed and planned once for the connection). */
  async queryPrepared(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.client.query({ name: preparedStatementName(sql), text: sql, values: params })).rows;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await work();
      await this.query('COMMIT');
      return result;
    } catch (error) {
      await this.query('ROLLBACK');
      throw error;
    }
  }

  /** Takes the session's advisory lock on `key`; false when another session holds it. */
  async tryLock(key: string): Promise<boolean> {
    const [row] = await this.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (row.locked) this.lockKey = key;
    return row.locked === true;
  }

  async close(): Promise<void> {
    try {
      if (this.lockKey !== null) await this.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.lockKey]);
    } finally {
      await this.runner.release();
    }
  }
}
