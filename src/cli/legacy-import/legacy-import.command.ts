import { resolve } from 'node:path';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { Config } from '../../config';
import { createAppDataSource } from '../../data-source';
import { cleanupLegacy } from './cleanup';
import { importLegacy, importLockKey } from './importer';
import { LegacyImportError, LegacyImportUsageError } from './legacy-import.errors';
import { DEFAULT_COLUMNS, LegacyMappingError } from './mapping/legacy-mapping';
import { MappedSource } from './mapping/mapped-source';
import { IMPORT_LEGACY_USAGE } from './legacy-import.usage';
import { LegacyImportOptions, parseImportOptions } from './options';
import { Progress, ProgressStream } from './progress';
import { printCleanupReport, printImportReport, printVerifyReport } from './report';
import { openEmbeddedSource } from './sources/embedded-source';
import { IntegrationStoreSource } from './sources/integration-store-source';
import { LegacySource } from './sources/legacy-source';
import { openPostgresSource } from './sources/postgres-source';
import { PostgresDialectSource } from './sources/postgres-dialect-source';
import { SqliteSource } from './sources/sqlite-source';
import { TargetDatabase } from './target-database';
import { verifyLegacy } from './verify';

export interface CommandIo {
  out: (line: string) => void;
  err: ProgressStream;
}

/** `npm run cli -- import-legacy …`: returns the exit code. */
export async function importLegacyCommand(positionals: string[], flags: Record<string, string | true>, config: Config, io: CommandIo): Promise<number> {
  let options: LegacyImportOptions;
  try {
    options = parseImportOptions(positionals, flags);
  } catch (error) {
    if (!(error instanceof LegacyImportUsageError)) throw error;
    // A mapping's problem is one line that names it; the usage would only bury it.
    io.out(error instanceof LegacyMappingError ? `import-legacy: ${error.message}` : `import-legacy: ${error.message}\n\nusage: ${IMPORT_LEGACY_USAGE}`);
    return 2;
  }
  const dataSource = createAppDataSource(config.database, { logging: ['error'] });
  let db: TargetDatabase | null = null;
  let source: LegacySource | null = null;
  try {
    await dataSource.initialize();
    db = await TargetDatabase.open(dataSource);
    source = await openSource(options, config, db);
    await source.checkShape();
    const [opened, target] = [source, db];
    // Every statement on the target runs in the tenant's scope: under row-level security the
    // import sees and writes that tenant's rows only (ledger included).
    return await TenantScope.run(options.tenantId, () => run(options, opened, target, io));
  } catch (error) {
    if (!(error instanceof LegacyImportError)) throw error;
    io.out(`import-legacy: ${error.message}`);
    return 1;
  } finally {
    await source?.close();
    await db?.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    else await dataSource.destroy().catch(() => undefined);
  }
}

async function run(options: LegacyImportOptions, source: LegacySource, db: TargetDatabase, io: CommandIo): Promise<number> {
  const progress = new Progress(io.err);
  const { tenantId, table, batchSize } = options;
  if (options.mode === 'verify') {
    const report = await verifyLegacy(source, db, { tenantId, table, batchSize }, progress);
    printVerifyReport(report, io.out);
    return report.ok ? 0 : 1;
  }
  if (options.mode !== 'dry-run' && !(await db.tryLock(importLockKey(tenantId, table)))) {
    throw new LegacyImportError(`another import-legacy of table ${table} for tenant ${tenantId} is running`);
  }
  if (options.mode === 'cleanup') {
    const report = await cleanupLegacy(source, db, { tenantId, table, batchSize }, progress);
    printCleanupReport(report, io.out);
    return report.verify.ok ? 0 : 1;
  }
  io.out(`Importing ${source.description} for tenant ${tenantId}${options.mode === 'dry-run' ? ' (dry run)' : ''}.`);
  const report = await importLegacy(source, db, { tenantId, table, batchSize, dryRun: options.mode === 'dry-run' }, progress);
  printImportReport(report, io.out);
  return report.rejections.length === 0 ? 0 : 1;
}

/** The source named by --from, read through the mapping when there is one. */
async function openSource(options: LegacyImportOptions, config: Config, db: TargetDatabase): Promise<LegacySource> {
  const source = await openLocation(options, config, db);
  return options.mapping ? new MappedSource(source, options.mapping) : source;
}

/** A data directory that is the target's own is read through the target's connection. */
async function openLocation({ from, table, mapping }: LegacyImportOptions, config: Config, db: TargetDatabase): Promise<LegacySource> {
  const columns = mapping?.columns ?? DEFAULT_COLUMNS;
  switch (from.kind) {
    case 'postgres':
      return openPostgresSource(from.url, table, columns);
    case 'sqlite':
      return SqliteSource.open(from.file, table, columns);
    case 'embedded':
      if (config.database.profile === 'embedded' && resolve(config.database.dataDir) === from.dataDir) {
        return new PostgresDialectSource(db, table, `table ${table} of this embedded database`, async () => undefined, columns);
      }
      return openEmbeddedSource(from.dataDir, table, columns);
    case 'integration-stores':
      return IntegrationStoreSource.open(from.files, table);
  }
}
