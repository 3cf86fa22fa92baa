import { Database, SqlValue } from 'sql.js';
import { RawLegacyRow } from '../legacy-row';
import { DEFAULT_COLUMNS, LegacyColumns } from '../mapping/legacy-mapping';
import { asText, IDS_PER_STATEMENT, openSqliteFile, queryAll, writeSqliteFileAtomically } from './sqlite-file';
import { columnList, idProblems, LegacySource, LegacySourceError, quoted, requiredColumns, ScannedRow } from './legacy-source';

export { isSqliteFile } from './sqlite-file';

/**
 * A legacy table in a SQLite file, read with sql.js (SQLite compiled to WebAssembly: no native
 * build). The whole file is loaded into memory, which is how sql.js works; rows are then read a
 * page at a time. Deletions are written back by replacing the file atomically (temporary file,
 * fsync, rename).
 */
export class SqliteSource implements LegacySource {
  readonly description: string;
  private readonly quoted: string;
  private readonly id: string;
  private readonly type: string;
  private readonly data: string;
  private modified = false;

  private constructor(
    private readonly db: Database,
    private readonly file: string,
    private readonly table: string,
    private readonly columns: LegacyColumns,
  ) {
    this.description = `SQLite table ${table} in ${file}`;
    this.quoted = quoted(table);
    [this.id, this.type, this.data] = [quoted(columns.id), quoted(columns.type), quoted(columns.data)];
  }

  static async open(file: string, table: string, columns: LegacyColumns = DEFAULT_COLUMNS): Promise<SqliteSource> {
    return new SqliteSource(await openSqliteFile(file), file, table, columns);
  }

  async checkShape(): Promise<void> {
    const found = this.all(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`, [this.table]);
    if (found.length === 0) throw new LegacySourceError(`${this.description} does not exist`);
    const columns = new Set(this.all(`PRAGMA table_info(${this.quoted})`).map((column) => String(column.name)));
    for (const [, name] of requiredColumns(this.columns)) {
      if (!columns.has(name)) throw new LegacySourceError(`${this.description} has no column ${name} (it needs ${columnList(this.columns)})`);
    }
    const id = this.id;
    const [counts] = this.all(`SELECT count(*) AS rows, count(${id}) AS withId, count(DISTINCT ${id}) AS "distinct" FROM ${this.quoted}`);
    const duplicated = this.all(`SELECT CAST(${id} AS TEXT) AS id FROM ${this.quoted} WHERE ${id} IS NOT NULL GROUP BY ${id} HAVING count(*) > 1 LIMIT 5`);
    const problem = idProblems(
      counts as { rows: number; withId: number; distinct: number },
      duplicated.map((row) => String(row.id)),
    );
    if (problem) throw new LegacySourceError(`${this.description}: ${problem}`);
  }

  async *scan(pageSize: number, withData: ReadonlySet<string>): AsyncIterable<ScannedRow[]> {
    const types = [...withData];
    const { id, type, data } = this;
    const dataColumn = types.length === 0 ? 'NULL' : `CASE WHEN ${type} IN (${types.map(() => '?').join(', ')}) THEN ${data} END`;
    const columns = `${id} AS key, CAST(${id} AS TEXT) AS id, CAST(${type} AS TEXT) AS type, ${dataColumn} AS data`;
    let page = this.all(`SELECT ${columns} FROM ${this.quoted} ORDER BY ${id} LIMIT ?`, [...types, pageSize]);
    while (page.length > 0) {
      yield page.map((row) => ({ id: String(row.id), type: asText(row.type), data: asText(row.data) }));
      if (page.length < pageSize) return;
      const last = page[page.length - 1].key;
      page = this.all(`SELECT ${columns} FROM ${this.quoted} WHERE ${id} > ? ORDER BY ${id} LIMIT ?`, [...types, last, pageSize]);
    }
  }

  async fetch(ids: string[]): Promise<RawLegacyRow[]> {
    const rows: RawLegacyRow[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + IDS_PER_STATEMENT);
      const updatedAt = this.columns.updatedAt === null ? 'NULL' : quoted(this.columns.updatedAt);
      const found = this.all(
        `SELECT CAST(${this.id} AS TEXT) AS id, CAST(${this.type} AS TEXT) AS type, ${this.data} AS data,
                ${quoted(this.columns.createdAt)} AS created_at, ${updatedAt} AS updated_at
         FROM ${this.quoted} WHERE ${this.id} IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const row of found) {
        rows.push({ id: String(row.id), type: asText(row.type), data: asText(row.data), createdAt: asText(row.created_at), updatedAt: asText(row.updated_at) });
      }
    }
    return rows;
  }

  async countByType(): Promise<Map<string, number>> {
    const rows = this.all(`SELECT CAST(${this.type} AS TEXT) AS type, count(*) AS n FROM ${this.quoted} GROUP BY 1`);
    return new Map(rows.map((row) => [String(row.type ?? ''), Number(row.n)]));
  }

  async delete(ids: string[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + IDS_PER_STATEMENT);
      this.db.run(`DELETE FROM ${this.quoted} WHERE ${this.id} IN (${chunk.map(() => '?').join(', ')})`, chunk);
      deleted += this.db.getRowsModified();
    }
    if (deleted > 0) this.modified = true;
    return deleted;
  }

  /** Replaces the file with the current database: a crash leaves either the old file or the new one. */
  async save(): Promise<void> {
    if (!this.modified) return;
    writeSqliteFileAtomically(this.db, this.file);
    this.modified = false;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private all(sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
    return queryAll(this.db, sql, params);
  }
}
