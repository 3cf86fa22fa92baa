import { RawLegacyRow } from '../legacy-row';
import { DEFAULT_COLUMNS, LegacyColumns } from '../mapping/legacy-mapping';
import { columnList, idProblems, LegacySource, LegacySourceError, quoted, requiredColumns, ScannedRow } from './legacy-source';
import { SqlClient } from './sql-client';

const COLUMN_TYPES: Record<keyof LegacyColumns, RegExp> = {
  id: /^(text|uuid|character varying.*|character.*|integer|bigint)$/,
  type: /^(text|character varying.*|character.*)$/,
  data: /^(json|jsonb|text|character varying.*)$/,
  createdAt: /^(timestamp.*|date)$/,
  updatedAt: /^(timestamp.*|date)$/,
};

/** Epoch milliseconds; a timestamp without time zone counts as UTC. */
const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;

/**
 * A legacy table in a PostgreSQL database, reached through any PostgreSQL connection (a server
 * through `pg`, an embedded data directory through PGlite). Pages are keyset ranges of the id.
 */
export class PostgresDialectSource implements LegacySource {
  private table = '';
  private readonly id: string;
  private readonly type: string;
  private readonly data: string;

  constructor(
    private readonly client: SqlClient,
    private readonly tableName: string,
    readonly description: string,
    private readonly onClose: () => Promise<void>,
    private readonly columns: LegacyColumns = DEFAULT_COLUMNS,
  ) {
    [this.id, this.type, this.data] = [quoted(columns.id), quoted(columns.type), quoted(columns.data)];
  }

  async checkShape(): Promise<void> {
    const [found] = await this.client.query('SELECT to_regclass($1)::text AS name', [this.tableName]);
    if (!found?.name) throw new LegacySourceError(`${this.description} does not exist`);
    this.table = found.name as string;
    const columns = await this.client.query(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [this.table],
    );
    const typeOf = new Map(columns.map((column) => [String(column.name), String(column.type)]));
    for (const [role, name] of requiredColumns(this.columns)) {
      const type = typeOf.get(name);
      if (type === undefined) throw new LegacySourceError(`${this.description} has no column ${name} (it needs ${columnList(this.columns)})`);
      if (!COLUMN_TYPES[role].test(type)) throw new LegacySourceError(`${this.description}: column ${name} is ${type}, which the import does not read`);
    }
    const id = this.id;
    const [counts] = await this.client.query(
      `SELECT count(*)::int AS rows, count(${id})::int AS "withId", count(DISTINCT ${id})::int AS distinct FROM ${this.table}`,
    );
    const duplicated = await this.client.query(
      `SELECT ${id}::text AS id FROM ${this.table} WHERE ${id} IS NOT NULL GROUP BY ${id} HAVING count(*) > 1 LIMIT 5`,
    );
    const problem = idProblems(
      counts as { rows: number; withId: number; distinct: number },
      duplicated.map((row) => String(row.id)),
    );
    if (problem) throw new LegacySourceError(`${this.description}: ${problem}`);
  }

  async *scan(pageSize: number, withData: ReadonlySet<string>): AsyncIterable<ScannedRow[]> {
    const { id, type, data } = this;
    // The key is kept as stored (not as text) so that the next page starts where this one ended in the column's own order.
    const columns = `${id} AS key, ${id}::text AS id, ${type}::text AS type, CASE WHEN ${type} = ANY($2::text[]) THEN ${data}::text END AS data`;
    const types = [...withData];
    let page = await this.client.query(`SELECT ${columns} FROM ${this.table} ORDER BY ${id} LIMIT $1`, [pageSize, types]);
    while (page.length > 0) {
      yield page.map((row) => ({ id: String(row.id), type: row.type as string | null, data: row.data as string | null }));
      if (page.length < pageSize) return;
      const last = page[page.length - 1].key;
      page = await this.client.query(`SELECT ${columns} FROM ${this.table} WHERE ${id} > $3 ORDER BY ${id} LIMIT $1`, [pageSize, types, last]);
    }
  }

  async fetch(ids: string[]): Promise<RawLegacyRow[]> {
    const { id, type, data } = this;
    const updatedAt = this.columns.updatedAt === null ? 'NULL::float8' : epochMs(quoted(this.columns.updatedAt));
    const rows = await this.client.query(
      `SELECT ${id}::text AS id, ${type}::text AS type, ${data}::text AS data,
              ${epochMs(quoted(this.columns.createdAt))} AS "createdAt", ${updatedAt} AS "updatedAt"
       FROM ${this.table} WHERE ${id} = ANY($1)`,
      [ids],
    );
    return rows as unknown as RawLegacyRow[];
  }

  async countByType(): Promise<Map<string, number>> {
    const rows = await this.client.query(`SELECT ${this.type}::text AS type, count(*)::int AS n FROM ${this.table} GROUP BY 1`);
    return new Map(rows.map((row) => [(row.type as string | null) ?? '', Number(row.n)]));
  }

  async delete(ids: string[]): Promise<number> {
    const [deleted] = await this.client.query(
      `WITH gone AS (DELETE FROM ${this.table} WHERE ${this.id} = ANY($1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [ids],
    );
    return Number(deleted.n);
  }

  async save(): Promise<void> {}

  close(): Promise<void> {
    return this.onClose();
  }
}
