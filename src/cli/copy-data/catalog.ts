import { Query } from './sql';

/**
 * Tables each database keeps its own: the migration machinery, the secret that seals event
 * cursors (a position in one database's event log means nothing in another), and the identity
 * its queue jobs carry (two databases must never share one: their workers would take each other's jobs).
 */
export const PER_DATABASE_TABLES = ['migrations', 'typeorm_metadata', 'event_cursor_keys', 'database_identity'];

/** Filled in by the database on insert from its own state, so never copied: the transaction id of an event. */
const ASSIGNED_BY_DATABASE = `pg_get_expr(d.adbin, d.adrelid) = 'current_xid()'`;

export interface ColumnInfo {
  name: string;
  /** As `format_type` writes it, usable in a cast: `uuid`, `timestamp with time zone`, `text[]`. */
  type: string;
  notNull: boolean;
  /** `GENERATED ALWAYS AS (...) STORED`, or an event's transaction id: computed by the database, never inserted. */
  generated: boolean;
  /** The sequence behind a serial or identity column, if any. */
  sequence: string | null;
  /** The type has a default btree equality, so `=` can use an index. */
  comparable: boolean;
}

export interface ForeignKey {
  table: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

export interface Catalog {
  tables: TableInfo[];
  foreignKeys: ForeignKey[];
}

const TABLES = `
  SELECT c.relname AS name,
         (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]'::json)
            FROM pg_constraint pk
            CROSS JOIN LATERAL unnest(pk.conkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = pk.conrelid AND a.attnum = k.attnum
           WHERE pk.conrelid = c.oid AND pk.contype = 'p') AS primary_key,
         (SELECT json_agg(json_build_object(
                   'name', a.attname,
                   'type', format_type(a.atttypid, a.atttypmod),
                   'notNull', a.attnotnull,
                   'generated', a.attgenerated <> '' OR coalesce(${ASSIGNED_BY_DATABASE}, false),
                   'sequence', pg_get_serial_sequence(format('public.%I', c.relname), a.attname),
                   'comparable', EXISTS (SELECT 1 FROM pg_opclass o JOIN pg_am m ON m.oid = o.opcmethod
                                          WHERE m.amname = 'btree' AND o.opcdefault AND o.opcintype = a.atttypid))
                 ORDER BY a.attnum)
            FROM pg_attribute a
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition AND c.relname NOT IN (${PER_DATABASE_TABLES.map((name) => `'${name}'`).join(', ')})
   ORDER BY c.relname`;

const FOREIGN_KEYS = `
  SELECT src.relname AS table, ref.relname AS references,
         (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(fk.conkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = k.attnum) AS columns,
         (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(fk.confkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = fk.confrelid AND a.attnum = k.attnum) AS referenced_columns
    FROM pg_constraint fk
    JOIN pg_class src ON src.oid = fk.conrelid
    JOIN pg_class ref ON ref.oid = fk.confrelid
    JOIN pg_namespace n ON n.oid = src.relnamespace
   WHERE fk.contype = 'f' AND n.nspname = 'public'
   ORDER BY src.relname, fk.conname`;

/** JSON columns arrive parsed from `pg` and as text from some bridges: accept both. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Every ordinary table of the public schema (but the migration bookkeeping) and its foreign keys, from the catalog. */
export async function readCatalog(query: Query): Promise<Catalog> {
  const tables = (await query(TABLES)).map((row) => ({
    name: row.name as string,
    primaryKey: json<string[]>(row.primary_key),
    columns: json<ColumnInfo[]>(row.columns),
  }));
  const foreignKeys = (await query(FOREIGN_KEYS)).map((row) => ({
    table: row.table as string,
    references: row.references as string,
    columns: json<string[]>(row.columns),
    referencedColumns: json<string[]>(row.referenced_columns),
  }));
  return { tables, foreignKeys };
}
