import { DataSource } from 'typeorm';

interface TenantTable {
  name: string;
  primaryKey: string[];
  hasUuidId: boolean;
}

/** `table` → digest of one tenant's rows in it (absent when the tenant has none). */
export type TenantSnapshot = Record<string, string>;

/** Ids of rows per table (tables with a uuid `id` column), for path and body parameters. */
export type IdsByTable = Record<string, string[]>;

/**
 * Every tenant-owned table, found in the catalog (a `tenant_id` column), so tables added later
 * are covered: digests of a tenant's rows for "this request changed nothing", and the ids of
 * its rows for requests that should hit them.
 */
/** Bookkeeping written after a request, off its path (an API key's last use): not a change the request made. */
const UNTRACKED = '{last_used_at}';

export class TenantTables {
  private constructor(
    private readonly db: DataSource,
    readonly tables: TenantTable[],
    private readonly snapshotSql: string,
  ) {}

  static async discover(db: DataSource): Promise<TenantTables> {
    const rows: { name: string; primary_key: string[]; has_uuid_id: boolean }[] = await db.query(`
      SELECT c.relname AS name,
             (SELECT array_agg(a.attname::text ORDER BY k.ord)
                FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord), pg_attribute a
               WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid AND a.attnum = k.attnum) AS primary_key,
             EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' AND a.atttypid = 'uuid'::regtype) AS has_uuid_id
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       ORDER BY c.relname`);
    const tables = rows.map((row) => ({ name: row.name, primaryKey: row.primary_key ?? [], hasUuidId: row.has_uuid_id }));
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const snapshotSql = tables
      .map((table) => {
        // Without a primary key the whole row orders it: still one digest for one set of rows.
        const order = table.primaryKey.length > 0 ? table.primaryKey.map(quote).join(', ') : 'r::text';
        return `SELECT '${table.name}' AS name, tenant_id, md5(string_agg((to_jsonb(r) - '${UNTRACKED}'::text[])::text, E'\\n' ORDER BY ${order})) AS digest
                  FROM ${quote(table.name)} r WHERE tenant_id = ANY($1) GROUP BY tenant_id`;
      })
      .join('\nUNION ALL\n');
    return new TenantTables(db, tables, snapshotSql);
  }

  /** For each tenant: an md5 over its rows of each table, ordered by primary key, in one statement. */
  async snapshot(tenantIds: string[]): Promise<Record<string, TenantSnapshot>> {
    const rows: { name: string; tenant_id: string; digest: string }[] = await this.db.query(this.snapshotSql, [tenantIds]);
    const snapshots: Record<string, TenantSnapshot> = Object.fromEntries(tenantIds.map((tenantId) => [tenantId, {}]));
    for (const row of rows) snapshots[row.tenant_id][row.name] = row.digest;
    return snapshots;
  }

  async ids(tenantId: string): Promise<IdsByTable> {
    const withIds = this.tables.filter((table) => table.hasUuidId);
    if (withIds.length === 0) return {};
    const sql = withIds.map((table) => `SELECT '${table.name}' AS name, id::text AS id FROM "${table.name}" WHERE tenant_id = $1`).join('\nUNION ALL\n');
    const rows: { name: string; id: string }[] = await this.db.query(sql, [tenantId]);
    const ids: IdsByTable = Object.fromEntries(withIds.map((table) => [table.name, [] as string[]]));
    for (const row of rows) ids[row.name].push(row.id);
    return ids;
  }
}
