import { EventEmitter2 } from '@nestjs/event-emitter';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { RequestContext } from '../../common/auth/request-context';
import { DomainEvents } from '../../common/events/domain-events.service';
import { WorkflowEvents } from '../../modules/workflows/workflows.events';
import { Ledger } from './ledger';
import { LegacyImportEvents } from './legacy-import.events';
import { LegacyMapper, MappedRow } from './mappers/legacy-mapper';
import { Rejection } from './planner';
import { holdingWorkflowId } from './target-id';
import { TargetDatabase } from './target-database';

/** Who created and last changed every imported row. */
export const LEGACY_IMPORT_ACTOR = 'legacy-import';

export interface WriteOutcome {
  created: number;
  rejected: Rejection[];
}

/** The properties the writer sets itself (when the entity has them). */
const CONSTANTS: Record<string, string> = { tenantId: '$1', createdBy: '$2', updatedBy: '$2', version: '1' };

/** SQLSTATE classes of a row the database refuses (bad data, a constraint): the row is rejected, the run goes on. */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

function describe(error: unknown): string {
  const { message, detail } = error as { message: string; detail?: string };
  return `the database refused it: ${message}${detail ? ` (${detail})` : ''}`;
}

/**
 * Writes a batch of mapped rows as ONE statement: the typed rows (from arrays, through `unnest`,
 * so the statement has one shape whatever the batch size and is prepared once), their ledger
 * rows, any extra rows (task dependencies) and one `legacy.imported` event. It commits or fails
 * as a whole. When the database refuses a row of the batch, the batch is written again row by
 * row and only the refused rows are rejected.
 */
export class BatchWriter {
  private readonly events = new DomainEvents(new EventEmitter2());
  private readonly context: RequestContext;

  constructor(
    private readonly db: TargetDatabase,
    private readonly ledger: Ledger,
    runId: string,
  ) {
    this.context = { tenantId: ledger.tenantId, actorId: LEGACY_IMPORT_ACTOR, keyId: null, correlationId: runId };
  }

  async write(mapper: LegacyMapper, rows: MappedRow[]): Promise<WriteOutcome> {
    if (rows.length === 0) return { created: 0, rejected: [] };
    try {
      await this.insert(mapper, rows);
      return { created: rows.length, rejected: [] };
    } catch (error) {
      if (!isRowError(error)) throw error;
      if (rows.length === 1) return { created: 0, rejected: [{ legacyId: rows[0].legacyId, type: mapper.type, reason: describe(error) }] };
    }
    const outcome: WriteOutcome = { created: 0, rejected: [] };
    const rejected = new Set<string>();
    for (const row of rows) {
      const missing = row.references.find((id) => rejected.has(id));
      let reason: string | null = missing === undefined ? null : `it names legacy row ${JSON.stringify(missing)}, which was rejected`;
      if (reason === null) {
        try {
          await this.insert(mapper, [row]);
          outcome.created++;
          continue;
        } catch (error) {
          if (!isRowError(error)) throw error;
          reason = describe(error);
        }
      }
      rejected.add(row.legacyId);
      outcome.rejected.push({ legacyId: row.legacyId, type: mapper.type, reason });
    }
    return outcome;
  }

  /**
   * Creates the holding workflow of this tenant and table unless it exists; true when it was
   * created (with its `workflow.created` event).
   */
  async ensureHoldingWorkflow(): Promise<boolean> {
    const id = holdingWorkflowId(this.ledger.tenantId, this.ledger.sourceTable);
    return this.db.transaction(async () => {
      const created = await this.db.query(
        `INSERT INTO workflows (id, tenant_id, description, status, input, version, created_by, updated_by)
         VALUES ($1, $2, $3, 'pending', '{}', 1, $4, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, this.ledger.tenantId, `Tasks imported from legacy table ${this.ledger.sourceTable} without a workflow`, LEGACY_IMPORT_ACTOR],
      );
      if (created.length === 0) return false;
      const params: unknown[] = [];
      const sql = this.events.insertStatement(
        this.context,
        [{ type: WorkflowEvents.created, aggregateType: 'workflow', aggregateId: id, aggregateVersion: 1, payload: { workflowId: id, status: 'pending' } }],
        params,
      );
      await this.db.query(sql, params);
      return true;
    });
  }

  private async insert(mapper: LegacyMapper, rows: MappedRow[]): Promise<void> {
    const metadata = this.db.dataSource.getMetadata(mapper.entity);
    const params: unknown[] = [this.ledger.tenantId, LEGACY_IMPORT_ACTOR];
    const constants = Object.keys(CONSTANTS).flatMap((property) => {
      const column = metadata.findColumnWithPropertyName(property);
      return column ? [{ name: column.databaseName, value: CONSTANTS[property] }] : [];
    });
    const columns = ['id', ...mapper.fields].flatMap((property) => metadata.findColumnWithPropertyName(property) ?? []);
    const arrays = columns.map((column) => {
      params.push(rows.map((row) => this.parameter(column, row.values[column.propertyName])));
      return `$${params.length}::${this.db.dataSource.driver.normalizeType(column)}[]`;
    });
    const names = [...constants.map((c) => c.name), ...columns.map((c) => c.databaseName)].map((name) => `"${name}"`).join(', ');
    const ctes = [
      `target AS (INSERT INTO "${metadata.tableName}" (${names})
        SELECT ${constants.map((c) => c.value).join(', ')}, r.* FROM unnest(${arrays.join(', ')}) AS r RETURNING id)`,
      // The id array is the first of the arrays: the ledger reuses it for target_id.
      `ledger AS (${this.ledger.insertStatement(rows, mapper.type, metadata.tableName, '$3', params)})`,
      ...mapper.extraInserts(rows, params, '$1').map((sql, i) => `extra_${i} AS (${sql})`),
      `event AS (${this.events.insertStatement(
        this.context,
        [
          {
            type: LegacyImportEvents.imported,
            aggregateType: 'legacy_import',
            aggregateId: this.context.correlationId!,
            aggregateVersion: null,
            payload: {
              runId: this.context.correlationId!,
              sourceTable: this.ledger.sourceTable,
              legacyType: mapper.type,
              targetTable: metadata.tableName,
              count: rows.length,
              firstLegacyId: rows[0].legacyId,
              lastLegacyId: rows[rows.length - 1].legacyId,
            },
          },
        ],
        params,
      )})`,
    ];
    await this.db.queryPrepared(`WITH ${ctes.join(',\n')}\nSELECT count(*)::int AS created FROM target`, params);
  }

  private parameter(column: ColumnMetadata, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return column.type === 'jsonb' || column.type === 'json' ? JSON.stringify(value) : value;
  }
}
