/** The one call a PostgreSQL-speaking connection needs to offer here (pg, PGlite, the target's own). */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}
