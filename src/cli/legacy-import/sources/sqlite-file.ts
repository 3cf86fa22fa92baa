import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import initSqlJs, { Database, SqlValue } from 'sql.js';

const SQLITE_HEADER = 'SQLite format 3\0';
/** Ids per `IN (…)` list, well under SQLite's limit on bound parameters. */
export const IDS_PER_STATEMENT = 5000;

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
export function asText(value: SqlValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

/**
 * A SQLite file, read with sql.js (SQLite compiled to WebAssembly: no native build). The whole file
 * is loaded into memory, which is how sql.js works.
 */
export async function openSqliteFile(file: string): Promise<Database> {
  const SQL = await initSqlJs();
  return new SQL.Database(readFileSync(file));
}

export function queryAll(db: Database, sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    const rows: Record<string, SqlValue>[] = [];
    while (statement.step()) rows.push(statement.getAsObject());
    return rows;
  } finally {
    statement.free();
  }
}

/** Replaces `file` with the database: a crash leaves either the old file or the new one (temporary file, fsync, rename). */
export function writeSqliteFileAtomically(db: Database, file: string): void {
  const temporary = `${file}.import-legacy-${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, db.export());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  const directory = openSync(dirname(file), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
