import { Ledger } from './ledger';
import { Progress } from './progress';
import { LegacySource } from './sources/legacy-source';
import { TargetDatabase } from './target-database';
import { verifyLegacy, VerifyOptions, VerifyReport } from './verify';

export interface CleanupReport {
  verify: VerifyReport;
  /** Rows deleted from the source, by type; empty when verify failed. */
  deleted: Map<string, number>;
}

/**
 * Verifies, and only if every imported row checks out, deletes the imported rows from the
 * legacy table, a batch at a time (a SQLite file is written back once, atomically, at the end).
 * Rows that were not imported stay. Run it while nothing else writes to the legacy table.
 */
export async function cleanupLegacy(source: LegacySource, db: TargetDatabase, options: VerifyOptions, progress: Progress): Promise<CleanupReport> {
  const verify = await verifyLegacy(source, db, options, progress);
  const deleted = new Map<string, number>();
  if (!verify.ok) return { verify, deleted };
  const ledger = new Ledger(db, options.tenantId, options.table);
  const present = [...verify.counts.values()].reduce((sum, counts) => sum + counts.imported - counts.goneFromSource, 0);
  progress.start('cleanup', present);
  for (const [type, counts] of verify.counts) {
    if (counts.imported === 0) continue;
    let gone = 0;
    for await (const entries of ledger.pages(options.batchSize, type)) {
      const now = await source.delete(entries.map((entry) => entry.legacyId));
      gone += now;
      progress.advance(now);
    }
    deleted.set(type, gone);
  }
  await source.save();
  progress.finish();
  return { verify, deleted };
}
