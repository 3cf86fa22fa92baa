import { ColumnInfo } from './catalog';
import { TextRow } from './keyset-scan';
import { ident } from './sql';

/**
 * `SELECT u.ord, u.c0::uuid AS "id", ... FROM unnest($1::text[], ...) WITH ORDINALITY`: a batch
 * sent as one text array per column (one parameter each, whatever the batch size), turned back
 * into typed values by the target's own input functions.
 */
export function typedBatch(columns: Pick<ColumnInfo, 'name' | 'type'>[], firstParameter = 1): string {
  const aliases = columns.map((_, i) => `c${i}`);
  const values = columns.map((column, i) => `u.${aliases[i]}::${column.type} AS ${ident(column.name)}`).join(', ');
  const arrays = columns.map((_, i) => `$${firstParameter + i}::text[]`).join(', ');
  return `SELECT u.ord, ${values} FROM unnest(${arrays}) WITH ORDINALITY AS u(${aliases.join(', ')}, ord)`;
}

/** The parameters of `typedBatch`: row-major text rows turned into one array per column. */
export function columnArrays(rows: TextRow[], width: number): (string | null)[][] {
  return Array.from({ length: width }, (_, i) => rows.map((row) => row[i]));
}

/**
 * `a` and `b` hold equal values in every column. `=` where it can use an index (a NOT NULL
 * column of a type with a btree equality), NULL-safe otherwise, on the text form for types
 * without an equality operator (json, point).
 */
export function sameContent(a: string, b: string, columns: ColumnInfo[]): string {
  return columns
    .map(({ name, notNull, comparable }) => {
      const column = ident(name);
      if (!comparable) return `${a}.${column}::text IS NOT DISTINCT FROM ${b}.${column}::text`;
      return notNull ? `${a}.${column} = ${b}.${column}` : `${a}.${column} IS NOT DISTINCT FROM ${b}.${column}`;
    })
    .join(' AND ');
}
