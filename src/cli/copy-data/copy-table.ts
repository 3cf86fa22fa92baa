import { batchWriter } from './batch-writer';
import { TablePlan } from './copy-plan';
import { KeysetScan, primaryKeyScan, scanBatches } from './keyset-scan';
import { parentFirstScan } from './parent-first-order';
import { copiedLine, formatRate, TableCopyResult } from './report';
import { ident, Query } from './sql';

/** How many differing keys a table reports by name; the count is always complete. */
const KEYS_SHOWN = 5;
const PROGRESS_EVERY_MS = 2000;

/** Copies one table batch by batch, printing progress; every batch is its own statement, so an interrupted copy resumes by running again. */
export async function copyTable(source: Query, target: Query, plan: TablePlan, batchSize: number, out: (line: string) => void): Promise<TableCopyResult> {
  const started = Date.now();
  const result: TableCopyResult = { table: plan.name, sourceRows: 0, inserted: 0, alreadyPresent: 0, differing: 0, differingKeys: [], blocked: 0, seconds: 0 };
  const select = plan.written.map((column) => `t.${ident(column.name)}`);
  const write = await batchWriter(target, plan);
  let scan: KeysetScan = primaryKeyScan(plan.name, plan.primaryKey, select, batchSize);
  let release = async () => {};
  if (plan.selfReferences.length > 0) ({ scan, release } = await parentFirstScan(source, plan, select, batchSize));

  let reported = started;
  try {
    for await (const rows of scanBatches(source, scan)) {
      const outcome = await write(rows);
      result.sourceRows += rows.length;
      result.inserted += outcome.inserted;
      result.alreadyPresent += outcome.alreadyPresent;
      result.blocked += outcome.blocked;
      result.differing += outcome.differing.length;
      result.differingKeys.push(...outcome.differing.slice(0, KEYS_SHOWN - result.differingKeys.length));
      if (Date.now() - reported >= PROGRESS_EVERY_MS) {
        reported = Date.now();
        out(`  ${plan.name}: ${result.sourceRows} rows read, ${result.inserted} copied (${formatRate(result.sourceRows, reported - started)})`);
      }
    }
  } finally {
    await release();
  }
  result.seconds = (Date.now() - started) / 1000;
  out(copiedLine(result));
  return result;
}
