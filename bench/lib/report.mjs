import { mkdir, readFile, writeFile } from 'node:fs/promises';

/** A figure beside its baseline; `ratio` is always value / baseline. */
export function figure({ name, value, unit, baseline, target, better = 'higher', notes }) {
  const ratio = baseline > 0 ? value / baseline : null;
  const result = { name, value: round(value), unit, baseline: round(baseline), ratio: ratio === null ? null : round(ratio, 3) };
  if (target !== undefined) result.target = target;
  const direction = better === 'higher' ? 'higher is better' : 'lower is better';
  const verdict = target === undefined || ratio === null ? '' : ratio >= target ? `; target ratio >= ${target}: met` : `; target ratio >= ${target}: MISSED`;
  result.notes = `${direction}${verdict}; ${notes}`;
  return result;
}

function round(n, digits = 1) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function formatNumber(n, unit) {
  if (n === null || n === undefined) return '-';
  if (unit === 'ms') return n.toFixed(1);
  return Math.round(n).toLocaleString('en-US');
}

export function renderTable(figures) {
  const header = ['name', 'value', 'unit', 'baseline', 'ratio', 'target'];
  const rows = figures.map((f) => [
    f.name,
    formatNumber(f.value, f.unit),
    f.unit,
    formatNumber(f.baseline, f.unit),
    f.ratio === null ? '-' : `${f.ratio.toFixed(2)} (${Math.round(f.ratio * 100)}%)`,
    f.target === undefined ? '-' : `>= ${f.target} ${f.ratio !== null && f.ratio >= f.target ? 'met' : 'MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = [false, true, false, true, true, false];
  const line = (cells) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export async function writeResults(fileUrl, figures) {
  await mkdir(new URL('.', fileUrl), { recursive: true });
  await writeFile(fileUrl, JSON.stringify(figures, null, 2) + '\n');
}

export function summarize(durations) {
  const sorted = [...durations].sort((a, b) => a - b);
  const total = durations.reduce((a, b) => a + b, 0);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { total, median: at(0.5), max: sorted[sorted.length - 1], min: sorted[0] };
}

/**
 * Replaces the figures whose names start with `prefix` in the results file (keeping every other
 * figure, e.g. those of the other benchmark scripts) and returns how many were kept.
 */
export async function mergeResults(fileUrl, prefix, figures, log = () => undefined) {
  let existing;
  try {
    existing = JSON.parse(await readFile(fileUrl, 'utf8'));
    if (!Array.isArray(existing)) throw new Error('not an array');
  } catch (error) {
    if (error.code !== 'ENOENT') log(`WARNING: ${fileUrl.pathname} could not be read (${error.message}); writing it with these figures only`);
    existing = [];
  }
  const kept = existing.filter((f) => typeof f?.name !== 'string' || !f.name.startsWith(prefix));
  await writeResults(fileUrl, [...kept, ...figures]);
  return kept.length;
}
