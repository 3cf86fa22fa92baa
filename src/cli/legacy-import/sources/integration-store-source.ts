import { basename } from 'node:path';
import { Database, SqlValue } from 'sql.js';
import { RawLegacyRow } from '../legacy-row';
import { IDS_PER_STATEMENT, asText, openSqliteFile, queryAll, writeSqliteFileAtomically } from './sqlite-file';
import { LegacySource, LegacySourceError, quoted, ScannedRow } from './legacy-source';

/** The known type every row of an integration store is imported as. */
export const INTEGRATED_OBJECT = 'integrated_object';
export const INTEGRATION_STORE_TABLE = 'integrated_objects';

const REQUIRED_COLUMNS = ['original_id', 'platform', 'object_type', 'original_data', 'created_at'];
const OPTIONAL_COLUMNS = ['company_id', 'integrated_content', 'metadata', 'summary', 'updated_at'];

/** `acme_freshdesk_data.db` → `acme`: the company a per-company store is named for, or null. */
export function companyFromFileName(file: string): string | null {
  const match = /^(.+)_[A-Za-z0-9]+_data\.(db|sqlite3?)$/.exec(basename(file));
  return match ? match[1] : null;
}

interface StoreFile {
  path: string;
  db: Database;
  company: string | null;
  /** Each column of the table, or NULL for an optional one it lacks. */
  select: Record<string, string>;
  modified: boolean;
}

interface Located {
  file: StoreFile;
  rowid: number;
}

/**
 * The per-company integration stores: one SQLite file per company, each with a table
 * `integrated_objects` of snake_case columns. Every row is an `integrated_object` whose data is
 * the body of `POST /integrated-objects`; its company is its `company_id`, or else the one in the
 * file's name (`<company>_freshdesk_data.db`). A row's legacy id is its key,
 * `<company>/<platform>/<original_id>` (a row without a platform or an original id is named
 * `<file>#<rowid>`, and is rejected), so it stays the same however the files are listed.
 */
export class IntegrationStoreSource implements LegacySource {
  readonly description: string;
  private readonly located = new Map<string, Located>();

  private constructor(
    private readonly files: StoreFile[],
    private readonly table: string,
  ) {
    const names = files.map((file) => basename(file.path));
    this.description = `table ${table} of ${files.length} SQLite integration store(s) (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`;
  }

  static async open(paths: string[], table = INTEGRATION_STORE_TABLE): Promise<IntegrationStoreSource> {
    const files: StoreFile[] = [];
    try {
      for (const path of paths) files.push({ path, db: await openSqliteFile(path), company: companyFromFileName(path), select: {}, modified: false });
    } catch (error) {
      for (const file of files) file.db.close();
      throw error;
    }
    return new IntegrationStoreSource(files, table);
  }

  /** Refuses a file without the table or its required columns, and two rows with one key; then indexes every row's key. */
  async checkShape(): Promise<void> {
    const holders = new Map<string, string[]>();
    for (const file of this.files) {
      const where = `${basename(file.path)}`;
      const found = queryAll(file.db, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`, [this.table]);
      if (found.length === 0) throw new LegacySourceError(`${where} has no table ${this.table}`);
      const columns = new Set(queryAll(file.db, `PRAGMA table_info(${quoted(this.table)})`).map((column) => String(column.name)));
      const missing = REQUIRED_COLUMNS.filter((name) => !columns.has(name));
      if (missing.length > 0)
        throw new LegacySourceError(`${where}: table ${this.table} has no column ${missing.join(', ')} (it needs ${REQUIRED_COLUMNS.join(', ')})`);
      for (const name of [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]) file.select[name] = columns.has(name) ? quoted(name) : 'NULL';
      const rows = queryAll(
        file.db,
        `SELECT rowid AS rowid, CAST(original_id AS TEXT) AS original_id, CAST(platform AS TEXT) AS platform, CAST(${file.select.company_id} AS TEXT) AS company_id
         FROM ${quoted(this.table)}`,
      );
      for (const row of rows) {
        const rowid = Number(row.rowid);
        const id = this.legacyId(file, row, rowid);
        const earlier = holders.get(id);
        if (earlier) earlier.push(`${where}#${rowid}`);
        else holders.set(id, [`${where}#${rowid}`]);
        this.located.set(id, { file, rowid });
      }
    }
    const repeated = [...holders].filter(([, rows]) => rows.length > 1);
    if (repeated.length > 0) {
      const shown = repeated.slice(0, 5).map(([id, rows]) => `${JSON.stringify(id)} (${rows.join(', ')})`);
      throw new LegacySourceError(
        `${this.description}: ${repeated.length} key(s) are held by more than one row: ${shown.join('; ')}${repeated.length > 5 ? '; …' : ''}; every object needs a (company, platform, original_id) of its own`,
      );
    }
  }

  async *scan(pageSize: number): AsyncIterable<ScannedRow[]> {
    const ids = [...this.located.keys()].sort();
    for (let start = 0; start < ids.length; start += pageSize) {
      yield ids.slice(start, start + pageSize).map((id) => ({ id, type: INTEGRATED_OBJECT, data: null }));
    }
  }

  async fetch(ids: string[]): Promise<RawLegacyRow[]> {
    const rows: RawLegacyRow[] = [];
    for (const [file, wanted] of this.byFile(ids)) {
      const s = file.select;
      for (let start = 0; start < wanted.length; start += IDS_PER_STATEMENT) {
        const chunk = wanted.slice(start, start + IDS_PER_STATEMENT);
        const found = queryAll(
          file.db,
          `SELECT rowid AS rowid, CAST(original_id AS TEXT) AS original_id, CAST(platform AS TEXT) AS platform, CAST(${s.company_id} AS TEXT) AS company_id,
                  object_type, original_data, ${s.integrated_content} AS integrated_content, ${s.metadata} AS metadata, ${s.summary} AS summary,
                  created_at, ${s.updated_at} AS updated_at
           FROM ${quoted(this.table)} WHERE rowid IN (${chunk.map(() => '?').join(', ')})`,
          chunk.map((entry) => entry.rowid),
        );
        for (const row of found) rows.push(this.rawRow(file, row));
      }
    }
    return rows;
  }

  async countByType(): Promise<Map<string, number>> {
    return new Map([[INTEGRATED_OBJECT, this.located.size]]);
  }

  async delete(ids: string[]): Promise<number> {
    let deleted = 0;
    for (const [file, wanted] of this.byFile(ids)) {
      for (let start = 0; start < wanted.length; start += IDS_PER_STATEMENT) {
        const chunk = wanted.slice(start, start + IDS_PER_STATEMENT);
        file.db.run(
          `DELETE FROM ${quoted(this.table)} WHERE rowid IN (${chunk.map(() => '?').join(', ')})`,
          chunk.map((entry) => entry.rowid),
        );
        const gone = file.db.getRowsModified();
        if (gone > 0) file.modified = true;
        deleted += gone;
      }
      for (const entry of wanted) this.located.delete(entry.id);
    }
    return deleted;
  }

  /** Writes back each file a cleanup changed, atomically. */
  async save(): Promise<void> {
    for (const file of this.files) {
      if (!file.modified) continue;
      writeSqliteFileAtomically(file.db, file.path);
      file.modified = false;
    }
  }

  async close(): Promise<void> {
    for (const file of this.files) file.db.close();
  }

  private companyOf(file: StoreFile, row: Record<string, SqlValue>): string | null {
    const company = asText(row.company_id);
    return company !== null && company !== '' ? company : file.company;
  }

  private legacyId(file: StoreFile, row: Record<string, SqlValue>, rowid: number): string {
    const [platform, originalId] = [asText(row.platform), asText(row.original_id)];
    if (platform === null || platform === '' || originalId === null || originalId === '') return `${basename(file.path)}#${rowid}`;
    return `${this.companyOf(file, row) ?? ''}/${platform}/${originalId}`;
  }

  /** The ids of this source that are known, grouped by the file that holds them. */
  private byFile(ids: string[]): Map<StoreFile, { id: string; rowid: number }[]> {
    const groups = new Map<StoreFile, { id: string; rowid: number }[]>();
    for (const id of ids) {
      const located = this.located.get(id);
      if (!located) continue;
      const group = groups.get(located.file);
      if (group) group.push({ id, rowid: located.rowid });
      else groups.set(located.file, [{ id, rowid: located.rowid }]);
    }
    return groups;
  }

  /** A store row as the body of `POST /integrated-objects`; JSON columns that do not parse make the row's problem. */
  private rawRow(file: StoreFile, row: Record<string, SqlValue>): RawLegacyRow {
    const raw: RawLegacyRow = {
      id: this.legacyId(file, row, Number(row.rowid)),
      type: INTEGRATED_OBJECT,
      data: null,
      createdAt: asText(row.created_at),
      updatedAt: asText(row.updated_at),
    };
    const json = (column: string): unknown => {
      const text = asText(row[column]);
      if (text === null) return undefined;
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new Error(`${column} is not valid JSON (${(error as Error).message})`, { cause: error });
      }
    };
    try {
      const body: Record<string, unknown> = {
        platform: asText(row.platform),
        originalId: asText(row.original_id),
        objectType: asText(row.object_type),
        companyId: this.companyOf(file, row),
        originalData: json('original_data') ?? null,
        integratedContent: asText(row.integrated_content),
        metadata: json('metadata'),
        summary: asText(row.summary),
      };
      raw.data = JSON.stringify(body);
    } catch (error) {
      raw.problem = (error as Error).message;
    }
    return raw;
  }
}
