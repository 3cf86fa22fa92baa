import { TablePlan } from './copy-plan';
import { ident, qualified, Query } from './sql';

export interface SequenceFix {
  sequence: string;
  column: string;
  /** The largest value of the column in the target. */
  max: string;
  /** The sequence had to move (it would have handed out a value already taken). */
  moved: boolean;
}

/**
 * Moves the sequence of every serial and identity column past the largest value in the target, so
 * the next insert does not collide with a copied row. It never moves a sequence backwards: the
 * target may have handed out larger values already.
 */
export async function fixSequences(target: Query, plans: TablePlan[]): Promise<SequenceFix[]> {
  const fixes: SequenceFix[] = [];
  for (const plan of plans) {
    for (const column of plan.sequenced) {
      const sequence = column.sequence!;
      const [row] = await target(`
        WITH top AS (SELECT max(${ident(column.name)})::bigint AS max FROM ${qualified(plan.name)}),
        state AS (SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END AS next FROM ${sequence})
        SELECT top.max::text AS max, top.max >= state.next AS behind,
               CASE WHEN top.max >= state.next THEN setval('${sequence.replace(/'/g, "''")}'::regclass, top.max) END AS moved_to
          FROM top, state WHERE top.max IS NOT NULL`);
      if (row) fixes.push({ sequence, column: `${plan.name}.${column.name}`, max: row.max as string, moved: row.behind === true });
    }
  }
  return fixes;
}
