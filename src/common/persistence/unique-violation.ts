/** PostgreSQL's SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/**
 * Whether a query failed on a unique index (the pg error itself, or TypeORM's QueryFailedError
 * around it); with `constraint`, only on that index, so that another index's violation is not
 * reported as this one's conflict.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  if ((e.code ?? e.driverError?.code) !== UNIQUE_VIOLATION) return false;
  return constraint === undefined || (e.constraint ?? e.driverError?.constraint) === constraint;
}
