import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** PostgreSQL's SQLSTATE for a foreign key that names no row. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Whether a write failed because `property` of `entity` names no row: the referenced row was
 * deleted between the service's check and the write (the foreign key answers for the race the
 * check cannot close). Told by the constraint's name, not by the error's detail: under row-level
 * security PostgreSQL leaves the key out of the detail.
 */
export function isForeignKeyViolationOf(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, property: string, error: unknown): boolean {
  const cause = ((error as { driverError?: unknown }).driverError ?? error) as { code?: unknown; constraint?: unknown };
  if (cause.code !== FOREIGN_KEY_VIOLATION) return false;
  const foreignKey = dataSource.getMetadata(entity).foreignKeys.find((fk) => fk.columns.some((column) => column.propertyName === property));
  return foreignKey !== undefined && cause.constraint === foreignKey.name;
}
