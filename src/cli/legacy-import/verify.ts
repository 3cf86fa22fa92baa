import { Decisions } from './decisions';
import { Ledger, LedgerEntry } from './ledger';
import { parseLegacyRow, RawLegacyRow } from './legacy-row';
import { createMappers, LegacyMapper } from './mappers';
import { MapContext } from './mappers/legacy-mapper';
import { Progress } from './progress';
import { LegacySource } from './sources/legacy-source';
import { TargetDatabase } from './target-database';

export interface VerifyCounts {
  /** Rows of the type in the source now. */
  source: number;
  /** Ledger rows of the type. */
  imported: number;
  matching: number;
  differing: number;
  /** Imported rows no longer in the source (deleted by a cleanup): their target rows are still checked. */
  goneFromSource: number;
  /** Source rows with no ledger row (rejected, or not imported yet). */
  notImported: number;
}

export interface Difference {
  legacyId: string;
  type: string;
  targetId: string;
  reason: string;
}

export interface VerifyReport {
  counts: Map<string, VerifyCounts>;
  differences: Difference[];
  ok: boolean;
}

export interface VerifyOptions {
  tenantId: string;
  table: string;
  batchSize: number;
}

/**
 * Compares, for every ledger row, the checksum of the mapped fields three ways: as imported (the
 * ledger), as the source row maps now, and as the target row holds them now. Any mismatch, or a
 * target row gone, is a difference; a source row gone is counted, not a difference (the target
 * still holds what was imported).
 */
export async function verifyLegacy(source: LegacySource, db: TargetDatabase, options: VerifyOptions, progress: Progress): Promise<VerifyReport> {
  const ledger = new Ledger(db, options.tenantId, options.table);
  const decisions = new Decisions();
  const imported = await ledger.loadInto(decisions);
  const ctx: MapContext = { tenantId: options.tenantId, sourceTable: options.table, decisions };
  const inSource = await source.countByType();
  const report: VerifyReport = { counts: new Map(), differences: [], ok: true };
  progress.start('verify', imported);

  const mappers = createMappers();
  for (const mapper of mappers) {
    const counts: VerifyCounts = { source: inSource.get(mapper.type) ?? 0, imported: 0, matching: 0, differing: 0, goneFromSource: 0, notImported: 0 };
    report.counts.set(mapper.type, counts);
    const metadata = db.dataSource.getMetadata(mapper.entity);
    const columns = new Map(
      mapper.fields.flatMap((field) => {
        const column = metadata.findColumnWithPropertyName(field);
        return column ? [[field, column.databaseName] as const] : [];
      }),
    );
    for await (const entries of ledger.pages(options.batchSize, mapper.type)) {
      const [raws, targets] = await Promise.all([
        source.fetch(entries.map((entry) => entry.legacyId)),
        mapper.loadTargets(
          db,
          columns,
          metadata.tableName,
          options.tenantId,
          entries.map((entry) => entry.targetId),
        ),
      ]);
      const byId = new Map(raws.map((raw) => [raw.id, raw]));
      for (const entry of entries) {
        counts.imported++;
        const raw = byId.get(entry.legacyId);
        if (!raw) counts.goneFromSource++;
        const reason = await compare(mapper, entry, raw, targets.get(entry.targetId), ctx);
        if (reason === null) counts.matching++;
        else {
          counts.differing++;
          report.differences.push({ legacyId: entry.legacyId, type: mapper.type, targetId: entry.targetId, reason });
        }
      }
      progress.advance(entries.length);
    }
    counts.notImported = counts.source - (counts.imported - counts.goneFromSource);
  }
  for (const [type, count] of inSource) {
    if (!report.counts.has(type)) report.counts.set(type, { source: count, imported: 0, matching: 0, differing: 0, goneFromSource: 0, notImported: count });
  }
  progress.finish();
  report.ok = report.differences.length === 0;
  return report;
}

/** Why a ledger row no longer holds, or null when the target (and the source, if still there) match it. */
async function compare(
  mapper: LegacyMapper,
  entry: LedgerEntry,
  raw: RawLegacyRow | undefined,
  target: Record<string, unknown> | undefined,
  ctx: MapContext,
): Promise<string | null> {
  if (!target) return 'the target row is missing';
  if (mapper.checksumOf(target) !== entry.checksum) return 'the target row differs from what was imported';
  if (!raw) return null;
  if (raw.type !== mapper.type) return `the source row's type is now ${JSON.stringify(raw.type)}`;
  const parsed = parseLegacyRow(raw);
  const mapped = parsed.ok ? await mapper.map(parsed.value, ctx) : parsed;
  if (!mapped.ok) return `the source row no longer maps: ${mapped.reason}`;
  if (mapped.value.checksum !== entry.checksum) return 'the source row changed since it was imported';
  return null;
}
