/** A row as a source hands it over: text as stored, timestamps as epoch milliseconds or text. */
export interface RawLegacyRow {
  id: string;
  type: string | null;
  data: string | null;
  createdAt: number | string | null;
  updatedAt: number | string | null;
  /** Why the source could not hand the row over in the documented shape (the row is rejected with it). */
  problem?: string;
}

/** A legacy row whose columns have the documented shape. */
export interface LegacyRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO-8601 date or date-time (`T` or a space between them, as SQLite writes it); without a
 * zone it is UTC. Sub-millisecond digits are dropped. Null for anything else.
 */
export function parseTimestamp(value: number | string | null): Date | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value) : null;
  if (typeof value !== 'string') return null;
  const match = ISO.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(time);
  // Date.UTC rolls 2024-02-31 over to March: refuse instead.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return new Date(time);
}

/** A timestamp as found: text quoted, a number (such as PostgreSQL's infinity) as it is. */
function shown(value: number | string | null): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Checks the columns of a raw row: `data` a JSON object, both timestamps valid (a missing `updated_at` is `created_at`). */
export function parseLegacyRow(raw: RawLegacyRow): Parsed<LegacyRow> {
  if (raw.problem !== undefined) return { ok: false, reason: raw.problem };
  if (raw.data === null) return { ok: false, reason: 'data is null' };
  let data: unknown;
  try {
    data = JSON.parse(raw.data);
  } catch (error) {
    return { ok: false, reason: `data is not valid JSON (${(error as Error).message})` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'data must be a JSON object' };
  }
  const createdAt = parseTimestamp(raw.createdAt);
  if (!createdAt) return { ok: false, reason: `created_at is not a timestamp (${shown(raw.createdAt)})` };
  const updatedAt = raw.updatedAt === null ? createdAt : parseTimestamp(raw.updatedAt);
  if (!updatedAt) return { ok: false, reason: `updated_at is not a timestamp (${shown(raw.updatedAt)})` };
  return { ok: true, value: { id: raw.id, type: raw.type ?? '', data: data as Record<string, unknown>, createdAt, updatedAt } };
}
