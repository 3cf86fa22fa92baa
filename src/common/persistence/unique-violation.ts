/** PostgreSQL's SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/** Whether a query failed on a unique index (the pg error itself, or TypeORM's QueryFailedError around it). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e.code ?? e.driverError?.code) === UNIQUE_VIOLATION;
}
