import { createHash } from 'node:crypto';

/** A value with object keys sorted and dates as ISO strings, so equal data always serialises alike. */
function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, canonical(record[key])]),
    );
  }
  return value;
}

/** SHA-256 (hex) of the named fields of `values`, in the order given. */
export function checksumOf(values: Record<string, unknown>, fields: readonly string[]): string {
  const ordered = fields.map((field) => canonical(values[field]));
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}
