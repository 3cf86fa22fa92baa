import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import initSqlJs, { Database, SqlValue } from 'sql.js';
import { RawLegacyRow } from '../legacy-row';
import { idProblems, LegacySource, LegacySourceError, REQUIRED_COLUMNS, ScannedRow } from './legacy-source';

const SQLITE_HEADER = 'SQLite format 3\0';
/** Ids per `IN (…)` list, well under SQLite's limit on bound parameters. */
const IDS_PER_STATEMENT = 5000;

export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, header.length, 0) === header.length && header.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/** Text as stored; a number in a timestamp column is not ISO text, and is refused as such by the parser. */
function asText(value: SqlValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

/**
 * A legacy table in a SQLite file, read with sql.js (SQLite compiled to WebAssembly: no native
 * build). The whole file is loaded into memory, which is how sql.js works; rows are then read a
 * page at a time. Deletions are written back by replacing the file atomically (temporary file,
 * fsync, rename).
 */
export class SqliteSource implements LegacySource {
  readonly description: string;
  private readonly quoted: string;
  private modified = false;

  private constructor(
    private readonly db: Database,
    private readonly file: string,
    private readonly table: string,
  ) {
    this.description = `SQLite table ${table} in ${file}`;
    this.quoted = `"${table.replace(/"/g, '""')}"`;
  }

  static async open(file: string, table: string): Promise<SqliteSource> {
    const SQL = await initSqlJs();
    return new SqliteSource(new SQL.Database(readFileSync(file)), file, table);
  }

  async checkShape(): Promise<void> {
    const found = this.all(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`, [this.table]);
    if (found.length === 0) throw new LegacySourceError(`${this.description} does not exist`);
    const columns = new Set(this.all(`PRAGMA table_info(${this.quoted})`).map((column) => String(column.name)));
    for (const name of REQUIRED_COLUMNS) {
      if (!columns.has(name)) throw new LegacySourceError(`${this.description} has no column ${name} (it needs ${REQUIRED_COLUMNS.join(', ')})`);
    }
    const [counts] = this.all(`SELECT count(*) AS rows, count(id) AS withId, count(DISTINCT id) AS "distinct" FROM ${this.quoted}`);
    const duplicated = this.all(`SELECT CAST(id AS TEXT) AS id FROM ${this.quoted} WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1 LIMIT 5`);
    const problem = idProblems(counts as { rows: number; withId: number; distinct: number }, duplicated.map((row) => String(row.id)));
    if (problem) throw new LegacySourceError(`${this.description}: ${problem}`);
  }

  async *scan(pageSize: number, withData: ReadonlySet<string>): AsyncIterable<ScannedRow[]> {
    const types = [...withData];
    const dataColumn = types.length === 0 ? 'NULL' : `CASE WHEN type IN (${types.map(() => '?').join(', ')}) THEN data END`;
    const columns = `id AS key, CAST(id AS TEXT) AS id, CAST(type AS TEXT) AS type, ${dataColumn} AS data`;
    let page = this.all(`SELECT ${columns} FROM ${this.quoted} ORDER BY id LIMIT ?`, [...types, pageSize]);
    while (page.length > 0) {
      yield page.map((row) => ({ id: String(row.id), type: asText(row.type), data: asText(row.data) }));
      if (page.length < pageSize) return;
      const last = page[page.length - 1].key;
      page = this.all(`SELECT ${columns} FROM ${this.quoted} WHERE id > ? ORDER BY id LIMIT ?`, [...types, last, pageSize]);
    }
  }

  async fetch(ids: string[]): Promise<RawLegacyRow[]> {
    const rows: RawLegacyRow[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + IDS_PER_STATEMENT);
      const found = this.all(
        `SELECT CAST(id AS TEXT) AS id, CAST(type AS TEXT) AS type, data, created_at, updated_at FROM ${this.quoted}
         WHERE id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const row of found) {
        rows.push({ id: String(row.id), type: asText(row.type), data: asText(row.data), createdAt: asText(row.created_at), updatedAt: asText(row.updated_at) });
      }
    }
    return rows;
  }

  async countByType(): Promise<Map<string, number>> {
    const rows = this.all(`SELECT CAST(type AS TEXT) AS type, count(*) AS n FROM ${this.quoted} GROUP BY type`);
    return new Map(rows.map((row) => [String(row.type ?? ''), Number(row.n)]));
  }

  async delete(ids: string[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + IDS_PER_STATEMENT);
      this.db.run(`DELETE FROM ${this.quoted} WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      deleted += this.db.getRowsModified();
    }
    if (deleted > 0) this.modified = true;
    return deleted;
  }

  /** Replaces the file with the current database: a crash leaves either the old file or the new one. */
  async save(): Promise<void> {
    if (!this.modified) return;
    const temporary = `${this.file}.import-legacy-${process.pid}.tmp`;
    try {
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, this.db.export());
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    const directory = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
    this.modified = false;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private all(sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      const rows: Record<string, SqlValue>[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  }
}
