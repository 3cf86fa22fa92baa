import { CleanupReport } from './cleanup';
import { ImportReport } from './importer';
import { VerifyReport } from './verify';

/** Differences listed by `--verify` and `--cleanup`; the rest are counted. */
export const DIFFERENCES_LISTED = 20;

type Out = (line: string) => void;

/** Columns padded to their widest cell, numbers aligned right. */
export function renderTable(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  return cells.map((row) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

const typeName = (type: string) => (type === '' ? '(no type)' : type);

export function printImportReport(report: ImportReport, out: Out): void {
  for (const rejection of report.rejections) out(`rejected ${typeName(rejection.type)} ${JSON.stringify(rejection.legacyId)}: ${rejection.reason}`);
  if (report.rejections.length > 0) out('');
  const rows = [...report.counts].map(([type, c]) => [typeName(type), c.read, c.created, c.alreadyImported, c.rejected]);
  const total = rows.reduce((sum, row) => sum.map((value, i) => (i === 0 ? value : (value as number) + (row[i] as number))), ['total', 0, 0, 0, 0]);
  for (const line of renderTable(['type', 'read', report.dryRun ? 'would create' : 'created', 'already imported', 'rejected'], [...rows, total])) out(line);
  if (report.holdingWorkflow) {
    const { id, created, tasks } = report.holdingWorkflow;
    const what = report.dryRun ? 'would go' : 'went';
    out(`${tasks} task(s) that named no workflow ${what} to the holding workflow ${id}${created ? ' (created by this run)' : ''}.`);
  }
  const created = [...report.counts.values()].reduce((sum, c) => sum + c.created, 0);
  if (report.dryRun) out('Dry run: nothing was written.');
  else if (created === 0) out('Nothing new was imported.');
  else out(`Run ${report.runId}: each committed batch has a legacy.imported event (GET /api/v1/events?type=legacy.imported).`);
}

export function printVerifyReport(report: VerifyReport, out: Out): void {
  const rows = [...report.counts].map(([type, c]) => [typeName(type), c.source, c.imported, c.matching, c.differing, c.goneFromSource, c.notImported]);
  for (const line of renderTable(['type', 'source', 'imported', 'matching', 'differing', 'gone from source', 'not imported'], rows)) out(line);
  if (report.ok) {
    out('Verify passed: every imported row matches its source row and its target row.');
    return;
  }
  out(`Verify failed: ${report.differences.length} imported row(s) differ:`);
  for (const difference of report.differences.slice(0, DIFFERENCES_LISTED)) {
    out(`  ${difference.type} ${JSON.stringify(difference.legacyId)} → ${difference.targetId}: ${difference.reason}`);
  }
  if (report.differences.length > DIFFERENCES_LISTED) out(`  … and ${report.differences.length - DIFFERENCES_LISTED} more`);
}

export function printCleanupReport(report: CleanupReport, out: Out): void {
  printVerifyReport(report.verify, out);
  if (!report.verify.ok) {
    out('Cleanup refused: verify failed, nothing was deleted from the source.');
    return;
  }
  const deleted = [...report.deleted].map(([type, count]) => [typeName(type), count]);
  for (const line of renderTable(['type', 'deleted from source'], deleted)) out(line);
  out(`Cleanup done: ${[...report.deleted.values()].reduce((a, b) => a + b, 0)} legacy row(s) deleted.`);
}
