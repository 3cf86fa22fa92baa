import { SqlClient } from '../sources/sql-client';
import { MappedRow } from './legacy-mapper';

/**
 * A key the tenant may hold once (a pattern's trigger, an integrated object's platform and
 * original id). The import never overwrites: a row whose key an earlier row of this run took,
 * or a row of the tenant already has, is refused with the holder named.
 */
export class TenantUniqueKey {
  /** Key → the legacy id that took it in this run. */
  private readonly taken = new Map<string, string>();

  constructor(
    private readonly spec: {
      /** What the key is, for messages: `trigger "x"`. */
      describe: (values: Record<string, unknown>) => string;
      keyOf: (values: Record<string, unknown>) => string;
      /** The tenant's rows holding any of these keys: key → target id. */
      stored: (db: SqlClient, tenantId: string, rows: MappedRow[]) => Promise<Map<string, string>>;
      targetName: string;
    },
  ) {}

  async conflicts(rows: MappedRow[], db: SqlClient, tenantId: string): Promise<Map<string, string>> {
    const reasons = new Map<string, string>();
    const stored = await this.spec.stored(db, tenantId, rows);
    for (const row of rows) {
      const key = this.spec.keyOf(row.values);
      const earlier = this.taken.get(key);
      const existing = stored.get(key);
      const what = this.spec.describe(row.values);
      if (earlier !== undefined) reasons.set(row.legacyId, `${what} is already taken by legacy row ${JSON.stringify(earlier)}`);
      else if (existing !== undefined) reasons.set(row.legacyId, `${what} is already taken by ${this.spec.targetName} ${existing}`);
      else this.taken.set(key, row.legacyId);
    }
    return reasons;
  }
}
