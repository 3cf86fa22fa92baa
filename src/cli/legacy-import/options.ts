import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_TENANT } from '../../common/auth/request-context';
import { TENANT_ID_PATTERN } from '../../config/tenant-id';
import { LegacyImportUsageError } from './legacy-import.errors';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from './legacy-import.usage';
import { loadMapping } from './mapping/load-mapping';
import { LegacyMapping } from './mapping/legacy-mapping';
import { INTEGRATION_STORE_TABLE } from './sources/integration-store-source';
import { isSqliteFile } from './sources/sqlite-file';

export type ImportMode = 'import' | 'dry-run' | 'verify' | 'cleanup';

export type SourceLocation =
  | { kind: 'postgres'; url: string }
  | { kind: 'sqlite'; file: string }
  | { kind: 'embedded'; dataDir: string }
  /** `--integrated-objects`: per-company SQLite integration stores. */
  | { kind: 'integration-stores'; files: string[] };

export interface LegacyImportOptions {
  mode: ImportMode;
  from: SourceLocation;
  table: string;
  tenantId: string;
  batchSize: number;
  /** `--mapping`: how the legacy table's shape becomes the documented one (null: it has that shape). */
  mapping: LegacyMapping | null;
}

const SWITCHES = ['dry-run', 'verify', 'cleanup'] as const;
const VALUED = ['from', 'table', 'tenant', 'batch-size', 'mapping'];
/** Switches that choose what is read, not what is done. */
const SOURCE_SWITCHES = ['integrated-objects'];
/** `name` or `schema.name`, plain identifiers. */
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Reads the command line of `import-legacy`; anything wrong is a LegacyImportUsageError (exit code 2). */
export function parseImportOptions(positionals: string[], flags: Record<string, string | true>): LegacyImportOptions {
  if (positionals.length > 0) throw new LegacyImportUsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  for (const name of Object.keys(flags)) {
    if (!VALUED.includes(name) && ![...SWITCHES, ...SOURCE_SWITCHES].includes(name)) throw new LegacyImportUsageError(`unknown option --${name}`);
  }
  for (const name of VALUED) if (flags[name] === true) throw new LegacyImportUsageError(`--${name} needs a value`);
  for (const name of [...SWITCHES, ...SOURCE_SWITCHES]) if (typeof flags[name] === 'string') throw new LegacyImportUsageError(`--${name} takes no value`);
  const modes = SWITCHES.filter((name) => flags[name] === true);
  if (modes.length > 1) throw new LegacyImportUsageError(`--${modes[0]} and --${modes[1]} cannot be used together`);

  const from = flags.from as string | undefined;
  if (!from) throw new LegacyImportUsageError('--from is required');
  const stores = flags['integrated-objects'] === true;
  if (stores && flags.mapping !== undefined) throw new LegacyImportUsageError('--integrated-objects and --mapping cannot be used together');
  const location = stores ? parseStores(from) : parseSource(from);
  const mapping = typeof flags.mapping === 'string' ? loadMapping(flags.mapping) : null;
  const table = (flags.table as string | undefined) ?? mapping?.table ?? (stores ? INTEGRATION_STORE_TABLE : undefined);
  if (!table) throw new LegacyImportUsageError(mapping ? `--table is required (mapping ${mapping.origin} names no table)` : '--table is required');
  if (!TABLE.test(table) || (location.kind !== 'postgres' && location.kind !== 'embedded' && table.includes('.'))) {
    throw new LegacyImportUsageError(`--table ${JSON.stringify(table)} is not a table name (letters, digits and _; "schema.table" for PostgreSQL)`);
  }
  const tenantId = (flags.tenant as string | undefined) ?? DEFAULT_TENANT;
  if (!TENANT_ID_PATTERN.test(tenantId))
    throw new LegacyImportUsageError('--tenant must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit');
  const batchSize = flags['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(flags['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new LegacyImportUsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
  }
  return { mode: modes[0] ?? 'import', from: location, table, tenantId, batchSize, mapping };
}

/** `--integrated-objects --from`: comma-separated SQLite files and directories (every SQLite file directly in one). */
function parseStores(from: string): SourceLocation {
  const files: string[] = [];
  for (const item of from.split(',').filter(Boolean)) {
    const path = resolve(item);
    if (!existsSync(path)) throw new LegacyImportUsageError(`--from ${item}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      const found = readdirSync(path)
        .sort()
        .map((name) => join(path, name))
        .filter((file) => statSync(file).isFile() && isSqliteFile(file));
      if (found.length === 0) throw new LegacyImportUsageError(`--from ${item}: the directory holds no SQLite file`);
      files.push(...found);
    } else if (!isSqliteFile(path)) {
      throw new LegacyImportUsageError(`--from ${item} is not a SQLite file`);
    } else {
      files.push(path);
    }
  }
  if (files.length === 0) throw new LegacyImportUsageError('--from names no SQLite file');
  return { kind: 'integration-stores', files: [...new Set(files)] };
}

function parseSource(from: string): SourceLocation {
  if (/^postgres(ql)?:\/\//i.test(from)) {
    try {
      new URL(from);
    } catch {
      throw new LegacyImportUsageError('--from is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: from };
  }
  const path = resolve(from);
  if (!existsSync(path))
    throw new LegacyImportUsageError(`--from ${from}: no such file or directory (give a postgres:// URL, a SQLite file or a data directory)`);
  if (statSync(path).isDirectory()) return { kind: 'embedded', dataDir: path };
  if (!isSqliteFile(path)) throw new LegacyImportUsageError(`--from ${from} is neither a SQLite file nor a directory`);
  return { kind: 'sqlite', file: path };
}
