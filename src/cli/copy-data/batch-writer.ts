import { columnArrays, sameContent, typedBatch } from './batch-sql';
import { TablePlan } from './copy-plan';
import { ColumnInfo } from './catalog';
import { TextRow } from './keyset-scan';
import { ident, qualified, Query, rowText, tuple } from './sql';

export interface BatchOutcome {
  /** Rows written by this batch. */
  inserted: number;
  /** Rows the target already held with the same content (a re-run, or a copy interrupted earlier). */
  alreadyPresent: number;
  /** Keys (as text) of rows the target holds under the same key with different content: left as they are. */
  differing: string[][];
  /** Rows neither written nor found: another row of the target holds one of their unique values. */
  blocked: number;
}

export type BatchWriter = (rows: TextRow[]) => Promise<BatchOutcome>;

/**
 * Writes a batch in ONE statement that never changes a row already in the target: it inserts
 * the rows whose key is free (ON CONFLICT DO NOTHING, any unique constraint) and, from the same
 * snapshot, compares the ones whose key is taken. Rows are given in `plan.written` order.
 */
function writeByPrimaryKey(target: Query, plan: TablePlan): BatchWriter {
  const columns = plan.written.map((column) => ident(column.name)).join(', ');
  const names = plan.written.map((column) => column.name);
  const pk = plan.primaryKey.map((column) => column.name);
  // OVERRIDING SYSTEM VALUE keeps the source's values of GENERATED ALWAYS identity columns.
  const statement = `
    WITH src AS (${typedBatch(plan.written)}),
    existing AS (
      SELECT ${rowText('t', names)} = ${rowText('s', names)} AS same,
             json_build_array(${pk.map((column) => `s.${ident(column)}::text`).join(', ')}) AS key
        FROM src s JOIN ${qualified(plan.name)} t ON ${tuple('t', pk)} = ${tuple('s', pk)}
    ),
    inserted AS (
      INSERT INTO ${qualified(plan.name)} (${columns}) OVERRIDING SYSTEM VALUE
      SELECT ${columns} FROM src ORDER BY ord
      ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)::int AS inserted,
           (SELECT count(*) FROM existing WHERE same)::int AS already_present,
           (SELECT coalesce(json_agg(key), '[]'::json) FROM existing WHERE NOT same) AS differing`;
  return async (rows) => {
    const [result] = await target(statement, columnArrays(rows, plan.written.length));
    const differing = (typeof result.differing === 'string' ? JSON.parse(result.differing) : result.differing) as string[][];
    const inserted = result.inserted as number;
    const alreadyPresent = result.already_present as number;
    return { inserted, alreadyPresent, differing, blocked: rows.length - inserted - alreadyPresent - differing.length };
  };
}

/**
 * For a table matched by content (see MatchBy): a row is present when the target held a row with
 * the same content before this table's copy began (rows written by this copy are not looked at,
 * so two identical source rows both arrive); new rows take the target's next key, in source order.
 */
function writeByContent(target: Query, plan: TablePlan & { number: ColumnInfo }, heldUpTo: string | null): BatchWriter {
  const columns = plan.written.map((column) => ident(column.name)).join(', ');
  const key = ident(plan.number.name);
  const parameter = plan.written.length + 1;
  const statement = `
    WITH src AS (${typedBatch(plan.written)}),
    fresh AS (
      SELECT * FROM src s
       WHERE NOT EXISTS (SELECT 1 FROM ${qualified(plan.name)} t
                          WHERE t.${key} <= $${parameter}::${plan.number.type} AND ${sameContent('t', 's', plan.written)})
    ),
    inserted AS (
      INSERT INTO ${qualified(plan.name)} (${columns}) SELECT ${columns} FROM fresh ORDER BY ord
      ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)::int AS inserted,
           ((SELECT count(*) FROM src) - (SELECT count(*) FROM fresh))::int AS already_present`;
  return async (rows) => {
    const [result] = await target(statement, [...columnArrays(rows, plan.written.length), heldUpTo]);
    const inserted = result.inserted as number;
    const alreadyPresent = result.already_present as number;
    return { inserted, alreadyPresent, differing: [], blocked: rows.length - inserted - alreadyPresent };
  };
}

export async function batchWriter(target: Query, plan: TablePlan): Promise<BatchWriter> {
  const { number } = plan;
  if (number === null) return writeByPrimaryKey(target, plan);
  const [{ held }] = await target(`SELECT max(${ident(number.name)})::text AS held FROM ${qualified(plan.name)}`);
  return writeByContent(target, { ...plan, number }, held as string | null);
}
