import { ident, qualified, Query, Row } from './sql';

export interface KeyPart {
  /** An expression over the FROM clause, e.g. `t."id"`. */
  expression: string;
  /** Its type, to cast the text of the last key back: `uuid`, `integer`. */
  type: string;
}

export interface KeysetScan {
  /** FROM clause; may join, as long as `key` is unique over it. */
  from: string;
  /** The order of the scan: a unique key, read by keyset (never OFFSET), so each batch is an index range. */
  key: KeyPart[];
  /** Expressions returned for each row, as text. */
  select: string[];
  batchSize: number;
}

export type TextRow = (string | null)[];

/** The rows of a scan in key order, a batch at a time; each row is its `select` values as text. */
export async function* scanBatches(query: Query, scan: KeysetScan): AsyncGenerator<TextRow[]> {
  const keyColumns = scan.key.map((_, i) => `k${i}`);
  const select = [
    ...scan.key.map((part, i) => `(${part.expression})::text AS ${keyColumns[i]}`),
    ...scan.select.map((expression, i) => `(${expression})::text AS v${i}`),
  ].join(', ');
  const keyTuple = `(${scan.key.map((part) => part.expression).join(', ')})`;
  const orderBy = scan.key.map((part) => part.expression).join(', ');
  const after = `(${scan.key.map((part, i) => `$${i + 1}::${part.type}`).join(', ')})`;
  const first = `SELECT ${select} FROM ${scan.from} ORDER BY ${orderBy} LIMIT ${scan.batchSize}`;
  const next = `SELECT ${select} FROM ${scan.from} WHERE ${keyTuple} > ${after} ORDER BY ${orderBy} LIMIT ${scan.batchSize}`;

  let last: string[] | null = null;
  for (;;) {
    const rows: Row[] = last === null ? await query(first) : await query(next, last);
    if (rows.length === 0) return;
    yield rows.map((row) => scan.select.map((_, i) => row[`v${i}`] as string | null));
    if (rows.length < scan.batchSize) return;
    const tail = rows[rows.length - 1];
    last = keyColumns.map((column) => tail[column] as string);
  }
}

/** The plain scan of a table in primary-key order. */
export function primaryKeyScan(table: string, primaryKey: { name: string; type: string }[], select: string[], batchSize: number): KeysetScan {
  return {
    from: `${qualified(table)} t`,
    key: primaryKey.map((column) => ({ expression: `t.${ident(column.name)}`, type: column.type })),
    select,
    batchSize,
  };
}
