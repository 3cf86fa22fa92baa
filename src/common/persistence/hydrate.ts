import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Turns a raw row (snake_case columns, as RETURNING gives it) into an entity instance. */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, raw: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in raw)) continue;
    column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(raw[column.databaseName], column));
  }
  return entity;
}

/** Rows of a raw statement, whatever its command (TypeORM's `query()` wraps UPDATE results differently). */
export async function queryRows(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return result.records as Record<string, unknown>[];
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
