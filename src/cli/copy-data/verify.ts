import { createHash } from 'node:crypto';
import { columnArrays, sameContent, typedBatch } from './batch-sql';
import { MatchBy, matchByOf, TablePlan } from './copy-plan';
import { primaryKeyScan, scanBatches } from './keyset-scan';
import { ident, qualified, Query, rowText, tuple } from './sql';

export interface TableVerification {
  table: string;
  matchBy: MatchBy;
  sourceRows: number;
  /** Source rows that have a counterpart in the target. */
  found: number;
  /** Source rows whose counterpart holds the same values. */
  equal: number;
  /** The checksum over the source rows equals the one over their counterparts. */
  checksumOk: boolean;
}

/**
 * Checks the source rows against their counterparts in the target, never whole tables: the
 * target may hold other data. By primary key: per row an md5 of its text form on each side,
 * folded in key order into one sha256 per side. By content: a counterpart is an equal row.
 */
export async function verifyTable(source: Query, target: Query, plan: TablePlan, batchSize: number): Promise<TableVerification> {
  const result: TableVerification = { table: plan.name, matchBy: matchByOf(plan), sourceRows: 0, found: 0, equal: 0, checksumOk: false };
  const names = plan.written.map((column) => column.name);
  const pk = plan.primaryKey;

  if (result.matchBy === 'content') {
    // A semi-join the planner can hash or drive by an index; EXISTS in the select list would be a subplan per row.
    const statement = `
      SELECT count(*)::int AS found FROM (${typedBatch(plan.written)}) s
       WHERE EXISTS (SELECT 1 FROM ${qualified(plan.name)} t WHERE ${sameContent('t', 's', plan.written)})`;
    const scan = primaryKeyScan(
      plan.name,
      pk,
      names.map((name) => `t.${ident(name)}`),
      batchSize,
    );
    for await (const rows of scanBatches(source, scan)) {
      const [{ found }] = (await target(statement, columnArrays(rows, names.length))) as { found: number }[];
      result.sourceRows += rows.length;
      result.found += found;
      result.equal += found;
    }
    result.checksumOk = result.equal === result.sourceRows;
    return result;
  }

  const lookup = `
    SELECT md5(${rowText('t', names)}) AS hash
      FROM (${typedBatch(pk)}) k LEFT JOIN ${qualified(plan.name)} t ON ${tuple(
        't',
        pk.map((column) => column.name),
      )} = ${tuple(
        'k',
        pk.map((column) => column.name),
      )}
     ORDER BY k.ord`;
  const scan = primaryKeyScan(plan.name, pk, [...pk.map((column) => `t.${ident(column.name)}`), `md5(${rowText('t', names)})`], batchSize);
  const sourceChecksum = createHash('sha256');
  const targetChecksum = createHash('sha256');
  for await (const rows of scanBatches(source, scan)) {
    const counterparts = await target(lookup, columnArrays(rows, pk.length));
    rows.forEach((row, i) => {
      const sourceHash = row[pk.length] as string;
      const targetHash = counterparts[i].hash as string | null;
      sourceChecksum.update(sourceHash);
      targetChecksum.update(targetHash ?? '-'.repeat(32));
      if (targetHash !== null) result.found++;
      if (targetHash === sourceHash) result.equal++;
    });
    result.sourceRows += rows.length;
  }
  result.checksumOk = sourceChecksum.digest('hex') === targetChecksum.digest('hex');
  return result;
}

export function verified(result: TableVerification): boolean {
  return result.checksumOk && result.found === result.sourceRows;
}
