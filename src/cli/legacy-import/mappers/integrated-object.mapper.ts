import { ImportIntegratedObjectDto } from '../../../modules/integrations/dto/import-integrated-object.dto';
import { IntegratedObject } from '../../../modules/integrations/integrated-object.entity';
import { LegacyRow } from '../legacy-row';
import { SqlClient } from '../sources/sql-client';
import { LegacyMapper, MappedRow } from './legacy-mapper';
import { TenantUniqueKey } from './unique-key';

/**
 * An integrated object, as `POST /integrated-objects` creates a new one. The route updates an
 * object whose (platform, companyId, originalId) the tenant has already; the import never overwrites current
 * data with legacy data, so such a row (or a second legacy row with the same key) is rejected.
 */
export class IntegratedObjectMapper extends LegacyMapper<ImportIntegratedObjectDto> {
  readonly type = 'integrated_object';
  readonly entity = IntegratedObject;
  readonly dto = ImportIntegratedObjectDto;
  readonly fields = ['platform', 'originalId', 'objectType', 'companyId', 'originalData', 'integratedContent', 'metadata', 'summary', 'createdAt', 'updatedAt'];
  private readonly key = new TenantUniqueKey({
    describe: (values) =>
      `platform ${JSON.stringify(values.platform)} with originalId ${JSON.stringify(values.originalId)}` +
      (values.companyId === null ? ' (no company)' : ` of company ${JSON.stringify(values.companyId)}`),
    keyOf: (values) => JSON.stringify([values.platform, values.companyId, values.originalId]),
    stored: async (db, tenantId, rows) => {
      const found = await db.query(
        `SELECT o.platform, o.company_id, o.original_id, o.id FROM integrated_objects o
         JOIN unnest($2::text[], $3::text[], $4::text[]) AS k (platform, company_id, original_id)
           ON k.platform = o.platform AND k.original_id = o.original_id AND k.company_id IS NOT DISTINCT FROM o.company_id
         WHERE o.tenant_id = $1`,
        [tenantId, rows.map((row) => row.values.platform), rows.map((row) => row.values.companyId), rows.map((row) => row.values.originalId)],
      );
      return new Map(found.map((object) => [JSON.stringify([object.platform, object.company_id, object.original_id]), String(object.id)]));
    },
    targetName: 'integrated object',
  });

  protected values(body: ImportIntegratedObjectDto, row: LegacyRow): Record<string, unknown> {
    return {
      platform: body.platform,
      originalId: body.originalId,
      objectType: body.objectType,
      companyId: body.companyId ?? null,
      originalData: body.originalData,
      integratedContent: body.integratedContent ?? null,
      metadata: body.metadata ?? {},
      summary: body.summary ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  override conflicts(rows: MappedRow[], db: SqlClient, tenantId: string): Promise<Map<string, string>> {
    return this.key.conflicts(rows, db, tenantId);
  }
}
