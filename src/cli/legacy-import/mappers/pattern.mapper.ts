import { CreatePatternDto } from '../../../modules/knowledge/patterns/dto/create-pattern.dto';
import { Pattern } from '../../../modules/knowledge/patterns/pattern.entity';
import { LegacyRow } from '../legacy-row';
import { SqlClient } from '../sources/sql-client';
import { LegacyMapper, MappedRow } from './legacy-mapper';
import { TenantUniqueKey } from './unique-key';

/**
 * A pattern with its usage count at 0, like one created through the API. Triggers are unique per
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
      const found = await db.query('SELECT trigger, id FROM patterns WHERE tenant_id = $1 AND trigger = ANY($2::text[])', [tenantId, rows.map((row) => row.values.trigger)]);
      return new Map(found.map((pattern) => [String(pattern.trigger), String(pattern.id)]));
    },
    targetName: 'pattern',
  });

  protected values(body: CreatePatternDto, row: LegacyRow): Record<string, unknown> {
    return { trigger: body.trigger, steps: body.steps, usageCount: 0, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  override conflicts(rows: MappedRow[], db: SqlClient, tenantId: string): Promise<Map<string, string>> {
    return this.trigger.conflicts(rows, db, tenantId);
  }
}
