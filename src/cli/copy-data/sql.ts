import { DataSource } from 'typeorm';

export type Row = Record<string, unknown>;

/** Runs one statement on a database; each side of the copy is one of these. */
export type Query = (text: string, params?: unknown[]) => Promise<Row[]>;

export function queryOf(dataSource: DataSource): Query {
  return (text, params) => dataSource.query(text, params);
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: string): string {
  return `public.${ident(table)}`;
}

/**
 * One text for a whole row: each column in its text form (exact for every type, as pg_dump
 * relies on), composed as a record so NULL and '' stay distinct. Both sides compute it with the
 * same session settings (see SESSION_SETTINGS), so equal values give equal texts.
 */
export function rowText(alias: string, columns: string[]): string {
  return `ROW(${columns.map((column) => `${alias}.${ident(column)}::text`).join(', ')})::text`;
}

/** `(a.x, a.y)`: a row of columns for comparisons over a multi-column key. */
export function tuple(alias: string, columns: string[]): string {
  return `(${columns.map((column) => `${alias}.${ident(column)}`).join(', ')})`;
}

/**
 * Output formats pinned on both sessions, so a value's text means the same on both sides:
 * dates in ISO with an explicit zone, floats with every digit, bytea in hex.
 */
export const SESSION_SETTINGS: Record<string, string> = {
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  extra_float_digits: '3',
  bytea_output: 'hex',
};
