import { resolve } from 'node:path';

export const COPY_DATA_USAGE = `copy-data --from-embedded <data dir> --to <postgres url> [--verify] [--batch-size N]
                                                  copy an embedded database into PostgreSQL`;

export const DEFAULT_BATCH_SIZE = 1000;
const MAX_BATCH_SIZE = 100_000;

export interface CopyDataOptions {
  dataDir: string;
  targetUrl: string;
  verify: boolean;
  batchSize: number;
}

/** The options, or the one line that says what is wrong with them. */
export function parseCopyDataOptions(flags: Record<string, string | true>): CopyDataOptions | string {
  const known = new Set(['from-embedded', 'to', 'verify', 'batch-size']);
  const unknown = Object.keys(flags).filter((flag) => !known.has(flag));
  if (unknown.length > 0) return `unknown option ${unknown.map((flag) => `--${flag}`).join(', ')}`;
  const dataDir = flags['from-embedded'];
  const targetUrl = flags.to;
  if (typeof dataDir !== 'string') return '--from-embedded <data dir> is required';
  if (typeof targetUrl !== 'string') return '--to <postgres url> is required';
  if (!/^postgres(ql)?:\/\/./.test(targetUrl)) return '--to must be a postgres:// or postgresql:// URL';
  if (flags.verify !== undefined && flags.verify !== true) return '--verify takes no value';
  let batchSize = DEFAULT_BATCH_SIZE;
  if (flags['batch-size'] !== undefined) {
    batchSize = Number(flags['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) return `--batch-size must be an integer from 1 to ${MAX_BATCH_SIZE}`;
  }
  return { dataDir: resolve(dataDir), targetUrl, verify: flags.verify === true, batchSize };
}

/** The URL without its password, for output. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'the target database';
  }
}
