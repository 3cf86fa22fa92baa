import type { TableVerification } from './verify';

/** What copying one table did. */
export interface TableCopyResult {
  table: string;
  sourceRows: number;
  inserted: number;
  alreadyPresent: number;
  differing: number;
  differingKeys: string[][];
  blocked: number;
  seconds: number;
}

export function rowsPerSecond(rows: number, ms: number): number {
  return Math.round(rows / Math.max(ms / 1000, 0.001));
}

export function formatRate(rows: number, ms: number): string {
  return `${rowsPerSecond(rows, ms)} rows/s`;
}

/** A plain-text table: left-aligned names, right-aligned figures. */
export function formatTable(headers: string[], rows: (string | number)[][]): string[] {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)];
}

export function conflicts(result: TableCopyResult): number {
  return result.differing + result.blocked;
}

export function copiedLine(result: TableCopyResult): string {
  const parts = [`${result.sourceRows} rows read`, `${result.inserted} copied`, `${result.alreadyPresent} already present`];
  if (result.differing > 0)
    parts.push(
      `${result.differing} differ in the target (kept as they are; keys: ${result.differingKeys.map((key) => key.join('/')).join(', ')}${result.differing > result.differingKeys.length ? ', …' : ''})`,
    );
  if (result.blocked > 0) parts.push(`${result.blocked} not copied: a unique value is taken by another row of the target`);
  return `${result.table}: ${parts.join(', ')} in ${result.seconds.toFixed(1)} s (${formatRate(result.sourceRows, result.seconds * 1000)})`;
}

export function copySummary(results: TableCopyResult[]): string[] {
  const total = (pick: (result: TableCopyResult) => number) => results.reduce((sum, result) => sum + pick(result), 0);
  const seconds = total((result) => result.seconds);
  return formatTable(
    ['table', 'source rows', 'copied', 'already present', 'conflicts', 'rows/s'],
    [
      ...results.map((r) => [r.table, r.sourceRows, r.inserted, r.alreadyPresent, conflicts(r), rowsPerSecond(r.sourceRows, r.seconds * 1000)]),
      [
        'total',
        total((r) => r.sourceRows),
        total((r) => r.inserted),
        total((r) => r.alreadyPresent),
        total(conflicts),
        rowsPerSecond(
          total((r) => r.sourceRows),
          seconds * 1000,
        ),
      ],
    ],
  );
}

export function verifySummary(results: TableVerification[]): string[] {
  return formatTable(
    ['table', 'matched by', 'source rows', 'found in target', 'checksum'],
    results.map((r) => [r.table, r.matchBy, r.sourceRows, r.found, r.checksumOk ? 'ok' : `DIFFERS (${r.sourceRows - r.equal} rows)`]),
  );
}
