import { TablePlan } from './copy-plan';
import { KeysetScan } from './keyset-scan';
import { ident, qualified, Query, tuple } from './sql';

const ORDER_TABLE = 'copy_data_parent_first';
/** Depth of rows no root reaches (only a cycle of references can do that): copied last. */
const UNREACHED = 2147483647;

/**
 * A table that references itself (tasks.parent_task_id) must be written parents first, or the
 * foreign key refuses the child. Ids give no such guarantee (ids made by one process increase,
 * but a clock set back between two runs breaks that), so each row's depth in the reference tree
 * is computed once, in a temporary table on the source session, and the scan reads by
 * (depth, primary key).
 */
export async function parentFirstScan(
  query: Query,
  plan: TablePlan,
  select: string[],
  batchSize: number,
): Promise<{ scan: KeysetScan; release: () => Promise<void> }> {
  const table = qualified(plan.name);
  const pk = plan.primaryKey.map((column) => column.name);
  const referenced = plan.selfReferences.map((fk, f) => fk.referencedColumns.map((column, i) => ({ column, alias: `r${f}_${i}` })));
  const carried = [...pk.map((column, i) => `${ident(column)} AS p${i}`), ...referenced.flat().map(({ column, alias }) => `${ident(column)} AS ${alias}`)];
  const carry = (alias: string) => carried.map((item) => `${alias}.${item}`).join(', ');

  // A root: every self-reference is unset (a NULL column disables the foreign key) or points at the row itself.
  const isRoot = plan.selfReferences
    .map(
      (fk) => `(${fk.columns.map((column) => `t.${ident(column)} IS NULL`).join(' OR ')} OR ${tuple('t', fk.columns)} = ${tuple('t', fk.referencedColumns)})`,
    )
    .join(' AND ');
  const isChild = plan.selfReferences.map((fk, f) => `${tuple('c', fk.columns)} = (${referenced[f].map(({ alias }) => `w.${alias}`).join(', ')})`).join(' OR ');
  const walked = `(${pk.map((_, i) => `w.p${i}`).join(', ')})`;

  await query(`DROP TABLE IF EXISTS pg_temp.${ORDER_TABLE}`);
  await query(`
    CREATE TEMP TABLE ${ORDER_TABLE} AS
    WITH RECURSIVE walk AS (
      SELECT ${carry('t')}, 0 AS depth FROM ${table} t WHERE ${isRoot}
      UNION ALL
      SELECT ${carry('c')}, w.depth + 1 FROM ${table} c JOIN walk w ON (${isChild})
       WHERE ${tuple('c', pk)} <> ${walked} AND w.depth < (SELECT count(*) FROM ${table})
    )
    SELECT ${pk.map((column) => `t.${ident(column)}`).join(', ')}, coalesce(max(w.depth), ${UNREACHED}) AS copy_depth
      FROM ${table} t LEFT JOIN walk w ON ${tuple('t', pk)} = ${walked}
     GROUP BY ${pk.map((column) => `t.${ident(column)}`).join(', ')}`);
  await query(`CREATE INDEX ON pg_temp.${ORDER_TABLE} (copy_depth, ${pk.map(ident).join(', ')})`);
  return {
    scan: {
      from: `pg_temp.${ORDER_TABLE} o JOIN ${table} t ON ${tuple('o', pk)} = ${tuple('t', pk)}`,
      key: [
        { expression: 'o.copy_depth', type: 'integer' },
        ...plan.primaryKey.map((column) => ({ expression: `o.${ident(column.name)}`, type: column.type })),
      ],
      select,
      batchSize,
    },
    release: async () => void (await query(`DROP TABLE IF EXISTS pg_temp.${ORDER_TABLE}`)),
  };
}
