import { FieldError } from '../errors';

/** Deeper JSON has no use here, and much deeper JSON overflows the validator's stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Keys Nest's ValidationPipe deletes, at any depth, from every value it validates (its guard
 * against prototype pollution): refused with a 400 here rather than acknowledged and dropped.
 */
const STRIPPED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first value PostgreSQL could not store as sent: a string (or key) with a NUL character
 * or a lone surrogate (text and jsonb reject or silently replace them), a number beyond the
 * range of a double (JSON.parse makes 1e400 Infinity, which jsonb would store as null), or
 * nesting deeper than MAX_JSON_DEPTH; or a key the validation pipe would silently drop (STRIPPED_KEYS).
 * Checked before validation, so such input is a 400, never a 500 or a silent change.
 */
export function findUnstorableJson(value: unknown, path = '', depth = 0): FieldError | undefined {
  const field = path || 'body';
  if (typeof value === 'string') return unstorableString(value, field);
  if (typeof value === 'number' && !Number.isFinite(value)) return { field, message: `${field} is beyond the range of a JSON number` };
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_JSON_DEPTH) return { field, message: `${field} is nested deeper than ${MAX_JSON_DEPTH} levels` };
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const childPath = path ? `${path}.${key}` : key;
    const problem = unstorableString(key, childPath) ?? strippedKey(key, childPath) ?? findUnstorableJson(item, childPath, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

function unstorableString(value: string, field: string): FieldError | undefined {
  if (value.includes('\u0000')) return { field, message: `${field} contains a NUL character (\\u0000), which cannot be stored` };
  if (!value.isWellFormed()) return { field, message: `${field} is not well-formed Unicode (lone surrogate)` };
  return undefined;
}

function strippedKey(key: string, field: string): FieldError | undefined {
  return STRIPPED_KEYS.has(key) ? { field, message: `${field}: "${key}" is a reserved key` } : undefined;
}
