import { DataSource } from 'typeorm';
import { EmbeddedDatabaseInUseError } from '../../database/embedded-lock';
import { readCatalog } from './catalog';
import { COPY_DATA_USAGE, CopyDataOptions, describeTarget, parseCopyDataOptions } from './copy-data-options';
import { CopyDataError } from './copy-data.errors';
import { planCopy } from './copy-plan';
import { copyTable } from './copy-table';
import { migrateToCurrent, openSource, openTarget } from './databases';
import { conflicts, copySummary, TableCopyResult, verifySummary } from './report';
import { fixSequences } from './sequences';
import { queryOf } from './sql';
import { verified, verifyTable } from './verify';

export { COPY_DATA_USAGE };

/** Exit codes, as documented in docs/migrating-data.md. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Out = (line: string) => void;

async function copyAll(source: DataSource, target: DataSource, options: CopyDataOptions, out: Out): Promise<number> {
  out(await migrateToCurrent(source, 'source'));
  out(await migrateToCurrent(target, 'target'));
  const [from, to] = [queryOf(source), queryOf(target)];
  const plans = planCopy(await readCatalog(from), await readCatalog(to));
  out(`copying ${plans.length} tables, parents first: ${plans.map((plan) => plan.name).join(', ')}`);

  const results: TableCopyResult[] = [];
  for (const plan of plans) {
    try {
      results.push(await copyTable(from, to, plan, options.batchSize, out));
    } catch (error) {
      // Batches already written stay: they are whole rows, and a new run skips them.
      throw new CopyDataError(`copying ${plan.name} failed: ${(error as Error).message} (the rows copied so far stay; run again once it is fixed)`);
    }
  }
  for (const fix of await fixSequences(to, plans)) {
    out(`${fix.sequence} (${fix.column}): ${fix.moved ? `moved past ${fix.max}` : `already past ${fix.max}`}`);
  }
  out('');
  for (const line of copySummary(results)) out(line);
  const conflicting = results.filter((result) => conflicts(result) > 0);
  if (conflicting.length > 0) {
    out(`conflicts in ${conflicting.map((result) => result.table).join(', ')}: those target rows were left as they are`);
  }
  if (!options.verify) return conflicting.length > 0 ? EXIT.failed : EXIT.ok;

  out('');
  out('verifying every source row against the target…');
  const verifications = [];
  for (const plan of plans) verifications.push(await verifyTable(from, to, plan, options.batchSize));
  for (const line of verifySummary(verifications)) out(line);
  const failed = verifications.filter((verification) => !verified(verification));
  if (failed.length > 0) out(`verify FAILED for ${failed.map((verification) => verification.table).join(', ')}`);
  else out('verify ok: every source row is in the target with the same content');
  return failed.length > 0 || conflicting.length > 0 ? EXIT.failed : EXIT.ok;
}

/** `copy-data`: the embedded database of a data directory into a PostgreSQL database. */
export async function copyDataCommand(positionals: string[], flags: Record<string, string | true>, out: Out, err: Out): Promise<number> {
  const options = positionals.length > 0 ? `unexpected argument ${positionals[0]}` : parseCopyDataOptions(flags);
  if (typeof options === 'string') {
    err(`copy-data: ${options}`);
    err(`usage: npm run cli -- ${COPY_DATA_USAGE.split('\n')[0]}`);
    return EXIT.usage;
  }
  out(`copy-data: ${options.dataDir} → ${describeTarget(options.targetUrl)} (batches of ${options.batchSize})`);
  let source: DataSource | undefined;
  let target: DataSource | undefined;
  try {
    source = await openSource(options.dataDir);
    target = await openTarget(options.targetUrl);
    return await copyAll(source, target, options, out);
  } catch (error) {
    if (error instanceof EmbeddedDatabaseInUseError) {
      err(`copy-data: the embedded database in ${error.dataDir} is in use by process ${error.holder}: stop that server, then copy`);
      return EXIT.failed;
    }
    if (error instanceof CopyDataError) {
      err(`copy-data: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    await target?.destroy();
    await source?.destroy();
  }
}
