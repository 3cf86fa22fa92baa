import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** The subset of `ids` that name rows of the tenant in `entity`'s table (PostgreSQL answers uuids in lower case). */
export async function existingIds(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const table = manager.connection.driver.escape(manager.connection.getMetadata(entity).tableName);
  const rows: { id: string }[] = await manager.query(`SELECT id FROM ${table} WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]);
  return new Set(rows.map((row) => row.id));
}
