import { Decisions } from './decisions';
import { SqlClient } from './sources/sql-client';

export interface LedgerEntry {
  legacyId: string;
  legacyType: string;
  targetId: string;
  checksum: string;
}

/** The ledger rows of one tenant and legacy table (`legacy_imports`). */
export class Ledger {
  constructor(
    private readonly db: SqlClient,
    readonly tenantId: string,
    readonly sourceTable: string,
  ) {}

  /** Every entry (of one type, when given) in legacy id order, a page at a time. */
  async *pages(pageSize: number, legacyType?: string): AsyncIterable<LedgerEntry[]> {
    let after: string | null = null;
    for (;;) {
      const rows: Record<string, unknown>[] = await this.db.query(
        `SELECT legacy_id AS "legacyId", legacy_type AS "legacyType", target_id AS "targetId", checksum
         FROM legacy_imports
         WHERE tenant_id = $1 AND source_table = $2 AND ($3::text IS NULL OR legacy_type = $3) AND ($4::text IS NULL OR legacy_id > $4)
         ORDER BY legacy_id LIMIT $5`,
        [this.tenantId, this.sourceTable, legacyType ?? null, after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows as unknown as LedgerEntry[];
      if (rows.length < pageSize) return;
      after = String(rows[rows.length - 1].legacyId);
    }
  }

  /** Records every imported row in `decisions` (tasks with their workflow, which their subtasks and dependents need). */
  async loadInto(decisions: Decisions, pageSize = 10_000): Promise<number> {
    const workflowOf = new Map<string, string>();
    const tasks = await this.db.query(
      `SELECT l.legacy_id, t.workflow_id FROM legacy_imports l JOIN tasks t ON t.id = l.target_id
       WHERE l.tenant_id = $1 AND l.source_table = $2 AND l.legacy_type = 'task'`,
      [this.tenantId, this.sourceTable],
    );
    for (const task of tasks) workflowOf.set(String(task.legacy_id), String(task.workflow_id));
    let count = 0;
    for await (const page of this.pages(pageSize)) {
      for (const entry of page) decisions.imported(entry.legacyId, entry.legacyType, entry.targetId, workflowOf.get(entry.legacyId));
      count += page.length;
    }
    return count;
  }

  /**
   * The ledger insert of a batch's statement (a data-modifying CTE). `targetIds` is the
   * placeholder of the batch's target id array, already in `params`.
   */
  insertStatement(entries: { legacyId: string; checksum: string }[], legacyType: string, targetTable: string, targetIds: string, params: unknown[]): string {
    params.push(
      this.tenantId,
      this.sourceTable,
      legacyType,
      targetTable,
      entries.map((entry) => entry.legacyId),
      entries.map((entry) => entry.checksum),
    );
    const p = params.length - 5;
    return `INSERT INTO legacy_imports (tenant_id, source_table, legacy_id, legacy_type, target_table, target_id, checksum)
      SELECT $${p}, $${p + 1}, l.legacy_id, $${p + 2}, $${p + 3}, l.target_id, l.checksum
      FROM unnest($${p + 4}::text[], ${targetIds}::uuid[], $${p + 5}::text[]) AS l (legacy_id, target_id, checksum)`;
  }
}
