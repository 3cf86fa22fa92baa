import { LegacyImportError } from '../legacy-import.errors';
import { RawLegacyRow } from '../legacy-row';
import { LegacyColumns } from '../mapping/legacy-mapping';

/** Where the legacy rows are read from (and, for `--cleanup`, deleted from). */
export interface LegacySource {
  /** Names the source in messages, e.g. `PostgreSQL table legacy.objects`. */
  readonly description: string;
  /** Refuses (LegacySourceError) a missing table, a missing column, or ids that are null or repeated. */
  checkShape(): Promise<void>;
  /**
   * Every row as `{ id, type }` in id order, a page at a time; `data` too for the types in
   * `withData` (tasks: their references decide the order they are imported in).
   */
  scan(pageSize: number, withData: ReadonlySet<string>): AsyncIterable<ScannedRow[]>;
  /** The rows with these ids (any order; ids not found are missing from the answer). */
  fetch(ids: string[]): Promise<RawLegacyRow[]>;
  /** Rows per type, for `--verify`. */
  countByType(): Promise<Map<string, number>>;
  /** Deletes the rows with these ids; returns how many went. */
  delete(ids: string[]): Promise<number>;
  /** Makes deletions durable (a SQLite file is written back); a no-op for database sources. */
  save(): Promise<void>;
  close(): Promise<void>;
}

export interface ScannedRow {
  id: string;
  type: string | null;
  data: string | null;
}

/** The source cannot be used as it is: the message says why, in one line. */
export class LegacySourceError extends LegacyImportError {}

/** The column roles a legacy table must have, with the columns that play them (`updatedAt` may be none). */
export function requiredColumns(columns: LegacyColumns): [keyof LegacyColumns, string][] {
  return (Object.entries(columns) as [keyof LegacyColumns, string | null][]).filter((entry): entry is [keyof LegacyColumns, string] => entry[1] !== null);
}

/** `it needs id, type, …`: the columns, for messages. */
export function columnList(columns: LegacyColumns): string {
  return requiredColumns(columns)
    .map(([, name]) => name)
    .join(', ');
}

/** A column name as a quoted identifier (PostgreSQL and SQLite alike). */
export function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Explains ids that are null or repeated, or returns null when every id is present and unique. */
export function idProblems(counts: { rows: number; withId: number; distinct: number }, duplicated: string[]): string | null {
  const problems: string[] = [];
  if (counts.withId < counts.rows) problems.push(`${counts.rows - counts.withId} rows have no id`);
  if (counts.distinct < counts.withId) {
    problems.push(`${counts.withId - counts.distinct} ids are repeated (${duplicated.map((id) => JSON.stringify(id)).join(', ')}…)`);
  }
  return problems.length === 0 ? null : `${problems.join(' and ')}: every legacy row needs an id of its own`;
}
