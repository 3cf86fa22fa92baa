import { EntityTarget, ObjectLiteral } from 'typeorm';
import { ClassConstructor } from 'class-transformer';
import { validateBody } from '../../../common/http/validation';
import { checksumOf } from '../checksum';
import { Decision, Decisions } from '../decisions';
import { LegacyRow, Parsed } from '../legacy-row';
import { legacyTargetId } from '../target-id';
import { SqlClient } from '../sources/sql-client';

/** Stands in for a reference that did not resolve, so the DTO still reports the other fields. */
const UNRESOLVED = '00000000-0000-0000-0000-000000000000';

/** A data field holding a legacy id (or, with `many`, an array of them) of the given type. */
export interface ReferenceField {
  field: string;
  type: string;
  many?: boolean;
}

export interface MapContext {
  tenantId: string;
  sourceTable: string;
  decisions: Decisions;
}

/** A legacy row turned into a target row, ready to be written. */
export interface MappedRow {
  legacyId: string;
  targetId: string;
  /** Entity property → value: `id` and the mapped fields (tenant and authorship are added by the writer). */
  values: Record<string, unknown>;
  checksum: string;
  /** The legacy ids the row references (it cannot be written if one of them is rejected). */
  references: string[];
  /** Tasks: the workflow the task went into (its subtasks and dependents must be in it too). */
  workflowId?: string;
}

/** The data with each reference replaced by its target id, and what the references resolved to. */
export interface ResolvedData {
  data: Record<string, unknown>;
  /** By field path (`agentId`, `dependsOn.2`): the rows the references that resolved name. */
  decisions: Map<string, Decision>;
  problems: string[];
  references: string[];
}

/**
 * Maps one legacy type to its typed table: references (legacy ids) are resolved, the data is
 * checked by the DTO of the type's POST route exactly as the API checks a body, then turned into
 * the row the service would write, with the legacy timestamps.
 */
export abstract class LegacyMapper<Dto extends object = object> {
  /** The legacy `type` value (one of LEGACY_TYPES). */
  abstract readonly type: string;
  abstract readonly entity: EntityTarget<ObjectLiteral>;
  abstract readonly dto: ClassConstructor<Dto>;
  readonly references: readonly ReferenceField[] = [];
  /** The properties `values` returns, in the order the checksum covers them. */
  abstract readonly fields: readonly string[];

  /** The mapped fields of the target row (every one of `fields`). */
  protected abstract values(body: Dto, row: LegacyRow, resolved: ResolvedData): Record<string, unknown>;

  /** Hook: turns resolved data into the body the DTO checks (the default: as it is). */
  protected shape(resolved: ResolvedData, _ctx: MapContext): { body: Record<string, unknown>; problems: string[]; workflowId?: string } {
    return { body: resolved.data, problems: [] };
  }

  async map(row: LegacyRow, ctx: MapContext): Promise<Parsed<MappedRow>> {
    const resolved = this.resolve(row.data, ctx.decisions);
    const shaped = this.shape(resolved, ctx);
    const checked = await validateBody(this.dto, shaped.body);
    const problems = [...resolved.problems, ...shaped.problems, ...(checked.ok ? [] : checked.errors.map((error) => error.message))];
    if (!checked.ok || problems.length > 0) return { ok: false, reason: problems.join('; ') };
    const targetId = legacyTargetId(ctx.tenantId, ctx.sourceTable, row.id, row.createdAt);
    const values = { id: targetId, ...this.values(checked.value, row, resolved) };
    return {
      ok: true,
      value: {
        legacyId: row.id,
        targetId,
        values,
        checksum: checksumOf(values, this.fields),
        references: resolved.references,
        workflowId: shaped.workflowId,
      },
    };
  }

  /**
   * Hook: more inserts for the batch's statement (data-modifying CTEs), their parameters appended
   * to `params`; `tenantParam` is the placeholder of the tenant id.
   */
  extraInserts(_rows: MappedRow[], _params: unknown[], _tenantParam: string): string[] {
    return [];
  }

  /**
   * Hook: rows of the batch that the database would refuse (a unique trigger taken, say), by
   * legacy id with the reason; checked before writing, and in a dry run too.
   */
  async conflicts(_rows: MappedRow[], _db: SqlClient, _tenantId: string): Promise<Map<string, string>> {
    return new Map();
  }

  /** The mapped fields of target rows as stored, by id, for `--verify` (the columns of `fields`). */
  async loadTargets(
    db: SqlClient,
    columns: ReadonlyMap<string, string>,
    table: string,
    tenantId: string,
    ids: string[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const selected = [...columns].map(([property, column]) => `"${column}" AS "${property}"`).join(', ');
    const rows = await db.query(`SELECT id, ${selected} FROM "${table}" WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]);
    return new Map(rows.map((row) => [String(row.id), row]));
  }

  checksumOf(values: Record<string, unknown>): string {
    return checksumOf(values, this.fields);
  }

  private resolve(data: Record<string, unknown>, decisions: Decisions): ResolvedData {
    const resolved: ResolvedData = { data: { ...data }, decisions: new Map(), problems: [], references: [] };
    const one = (path: string, value: unknown, type: string): unknown => {
      // Anything but a string is left for the DTO to refuse, with its own message.
      if (typeof value !== 'string') return value;
      resolved.references.push(value);
      const resolution = decisions.resolve(path, value, type);
      if (!resolution.ok) {
        resolved.problems.push(resolution.problem);
        return UNRESOLVED;
      }
      resolved.decisions.set(path, resolution.decision);
      return resolution.decision.targetId;
    };
    for (const reference of this.references) {
      const value = data[reference.field];
      if (value === undefined || value === null) continue;
      if (!reference.many) resolved.data[reference.field] = one(reference.field, value, reference.type);
      else if (Array.isArray(value)) resolved.data[reference.field] = value.map((item, k) => one(`${reference.field}.${k}`, item, reference.type));
    }
    return resolved;
  }
}
