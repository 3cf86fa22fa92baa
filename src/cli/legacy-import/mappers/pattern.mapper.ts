import { CreatePatternDto } from '../../../modules/knowledge/patterns/dto/create-pattern.dto';
import { Pattern } from '../../../modules/knowledge/patterns/pattern.entity';
import { LegacyRow } from '../legacy-row';
import { SqlClient } from '../sources/sql-client';
import { LegacyMapper, MappedRow, ResolvedData } from './legacy-mapper';
import { TenantUniqueKey } from './unique-key';

/** The largest usage count a pattern row holds (an integer column). */
const MAX_USAGE_COUNT = 2_147_483_647;

/**
 * A pattern, as `POST /patterns` creates one, with the usage count the legacy row carries
 * (`usageCount`, a whole number; 0 without one, like a pattern created through the API). Triggers are unique per
 * tenant: a trigger that an earlier legacy row of this run took, or that a pattern of the tenant
 * already has, is rejected before anything is written.
 */
export class PatternMapper extends LegacyMapper<CreatePatternDto> {
  readonly type = 'pattern';
  readonly entity = Pattern;
  readonly dto = CreatePatternDto;
  readonly fields = ['trigger', 'steps', 'usageCount', 'createdAt', 'updatedAt'];
  private readonly trigger = new TenantUniqueKey({
    describe: (values) => `trigger ${JSON.stringify(values.trigger)}`,
    keyOf: (values) => String(values.trigger),
    stored: async (db, tenantId, rows) => {
      const found = await db.query('SELECT trigger, id FROM patterns WHERE tenant_id = $1 AND trigger = ANY($2::text[])', [
        tenantId,
        rows.map((row) => row.values.trigger),
      ]);
      return new Map(found.map((pattern) => [String(pattern.trigger), String(pattern.id)]));
    },
    targetName: 'pattern',
  });

  /** `usageCount` is the import's own field: the route's body has none, so it is checked here and kept out of the DTO. */
  protected override shape(resolved: ResolvedData): { body: Record<string, unknown>; problems: string[] } {
    const { usageCount, ...body } = resolved.data;
    const valid = usageCount === undefined || (Number.isInteger(usageCount) && (usageCount as number) >= 0 && (usageCount as number) <= MAX_USAGE_COUNT);
    return { body, problems: valid ? [] : [`usageCount must be a whole number from 0 to ${MAX_USAGE_COUNT}`] };
  }

  protected values(body: CreatePatternDto, row: LegacyRow, resolved: ResolvedData): Record<string, unknown> {
    const usageCount = (resolved.data.usageCount as number | undefined) ?? 0;
    return { trigger: body.trigger, steps: body.steps, usageCount, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  override conflicts(rows: MappedRow[], db: SqlClient, tenantId: string): Promise<Map<string, string>> {
    return this.trigger.conflicts(rows, db, tenantId);
  }
}
