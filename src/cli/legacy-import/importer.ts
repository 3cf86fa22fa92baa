import { uuidv7 } from '../../common/persistence/uuid-v7';
import { Decision } from './decisions';
import { Ledger } from './ledger';
import { parseLegacyRow, RawLegacyRow } from './legacy-row';
import { createMappers, LegacyMapper } from './mappers';
import { MapContext, MappedRow } from './mappers/legacy-mapper';
import { planImport, Rejection } from './planner';
import { Progress } from './progress';
import { LegacySource } from './sources/legacy-source';
import { holdingWorkflowId } from './target-id';
import { TargetDatabase } from './target-database';
import { BatchWriter } from './writer';

export interface ImportOptions {
  tenantId: string;
  table: string;
  batchSize: number;
  dryRun: boolean;
}

export interface TypeCounts {
  read: number;
  created: number;
  alreadyImported: number;
  rejected: number;
}

export interface ImportReport {
  dryRun: boolean;
  runId: string;
  /** By type, known types first in import order, then the others as found. */
  counts: Map<string, TypeCounts>;
  rejections: Rejection[];
  /** Tasks that named no workflow went to this workflow (created by this run, or found). */
  holdingWorkflow: { id: string; created: boolean; tasks: number } | null;
}

/** The advisory lock key that keeps two imports (or an import and a cleanup) of one tenant and table apart. */
export function importLockKey(tenantId: string, table: string): string {
  return `agent-ledger legacy import ${JSON.stringify([tenantId, table])}`;
}

/**
 * Imports (or, dry, plans) a legacy table: types in dependency order, each in batches of
 * `batchSize` rows; a batch is read, mapped and checked, then written as one statement with its
 * ledger rows, so a crash loses at most the batch in flight and a re-run picks up where the
 * ledger says.
 */
export async function importLegacy(source: LegacySource, db: TargetDatabase, options: ImportOptions, progress: Progress): Promise<ImportReport> {
  const ledger = new Ledger(db, options.tenantId, options.table);
  const mappers = createMappers();
  const plan = await planImport(
    source,
    ledger,
    mappers.map((mapper) => mapper.type),
  );
  const report: ImportReport = { dryRun: options.dryRun, runId: uuidv7(), counts: new Map(), rejections: [...plan.rejections], holdingWorkflow: null };
  const counts = (type: string): TypeCounts => {
    let entry = report.counts.get(type);
    if (!entry) report.counts.set(type, (entry = { read: 0, created: 0, alreadyImported: 0, rejected: 0 }));
    return entry;
  };
  for (const mapper of mappers) counts(mapper.type);
  for (const [type, read] of plan.read) counts(type).read = read;
  for (const [type, done] of plan.alreadyImported) counts(type).alreadyImported = done;
  for (const rejection of plan.rejections) counts(rejection.type).rejected++;

  const writer = new BatchWriter(db, ledger, report.runId);
  const ctx: MapContext = { tenantId: options.tenantId, sourceTable: options.table, decisions: plan.decisions };
  const holdingId = holdingWorkflowId(options.tenantId, options.table);
  progress.start(options.dryRun ? 'import-legacy (dry run)' : 'import-legacy', plan.total);
  // Rows imported before and rows rejected while planning are done already.
  progress.advance(plan.total - [...plan.pending.values()].reduce((sum, ids) => sum + ids.length, 0));

  /** Writes one mapped batch (or, dry, counts it). */
  const commit = async (mapper: LegacyMapper, size: number, { accepted, rejected }: MappedBatch): Promise<void> => {
    // A row mapped while an earlier batch was being written may name a row that write refused.
    const rows = accepted.filter((row) => {
      const missing = row.references.find((id) => isRejected(plan.decisions.get(id)));
      if (missing === undefined) return true;
      const rejection = { legacyId: row.legacyId, type: mapper.type, reason: `it names legacy row ${JSON.stringify(missing)}, which was rejected` };
      plan.decisions.rejected(row.legacyId, mapper.type, rejection.reason);
      rejected.push(rejection);
      return false;
    });
    const holdingTasks = rows.filter((row) => row.workflowId === holdingId).length;
    if (holdingTasks > 0) {
      report.holdingWorkflow ??= { id: holdingId, created: options.dryRun ? false : await writer.ensureHoldingWorkflow(), tasks: 0 };
      report.holdingWorkflow.tasks += holdingTasks;
    }
    let created = rows.length;
    if (!options.dryRun) {
      const outcome = await writer.write(mapper, rows);
      created = outcome.created;
      for (const rejection of outcome.rejected) plan.decisions.rejected(rejection.legacyId, rejection.type, rejection.reason);
      rejected.push(...outcome.rejected);
    }
    report.rejections.push(...rejected);
    counts(mapper.type).created += created;
    counts(mapper.type).rejected += rejected.length;
    progress.advance(size);
  };

  // Batch n+1 is read and mapped (CPU here) while batch n is written (work for the database).
  let writing: Promise<void> = Promise.resolve();
  for (const mapper of mappers) {
    const batches = chunk(plan.pending.get(mapper.type) ?? [], options.batchSize);
    let next = batches.length > 0 ? source.fetch(batches[0]) : null;
    for (let b = 0; b < batches.length; b++) {
      const raws = await next!;
      next = b + 1 < batches.length ? source.fetch(batches[b + 1]) : null;
      next?.catch(() => undefined); // its failure is reported when it is awaited
      const mapped = await mapBatch(mapper, batches[b], raws, ctx, db);
      await writing;
      writing = commit(mapper, batches[b].length, mapped);
      writing.catch(() => undefined); // its failure is reported when it is awaited
    }
  }
  await writing;
  progress.finish();
  return report;
}

interface MappedBatch {
  accepted: MappedRow[];
  rejected: Rejection[];
}

function isRejected(decision: Decision | undefined): boolean {
  return decision !== undefined && 'rejected' in decision;
}

/**
 * Reads, checks and maps one batch, in order: a row may name one decided earlier in the batch.
 * Rows the database would refuse (the mapper's conflicts) are rejected here too.
 */
async function mapBatch(mapper: LegacyMapper, ids: string[], raws: RawLegacyRow[], ctx: MapContext, db: TargetDatabase): Promise<MappedBatch> {
  const byId = new Map(raws.map((raw) => [raw.id, raw]));
  const accepted: MappedRow[] = [];
  const rejected: Rejection[] = [];
  const reject = (legacyId: string, reason: string) => {
    ctx.decisions.rejected(legacyId, mapper.type, reason);
    rejected.push({ legacyId, type: mapper.type, reason });
  };
  for (const id of ids) {
    const raw = byId.get(id);
    if (!raw) {
      reject(id, 'the row left the source during the import');
      continue;
    }
    if (raw.type !== mapper.type) {
      reject(id, `its type changed to ${JSON.stringify(raw.type)} during the import`);
      continue;
    }
    const parsed = parseLegacyRow(raw);
    const mapped = parsed.ok ? await mapper.map(parsed.value, ctx) : parsed;
    if (!mapped.ok) {
      reject(id, mapped.reason);
      continue;
    }
    ctx.decisions.imported(id, mapper.type, mapped.value.targetId, mapped.value.workflowId);
    accepted.push(mapped.value);
  }
  const conflicts = accepted.length > 0 ? await mapper.conflicts(accepted, db, ctx.tenantId) : new Map<string, string>();
  for (const [legacyId, reason] of conflicts) reject(legacyId, reason);
  return { accepted: conflicts.size === 0 ? accepted : accepted.filter((row) => !conflicts.has(row.legacyId)), rejected };
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
