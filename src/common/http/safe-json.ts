import { FieldError } from '../errors';

/** Deeper JSON has no use here, and much deeper JSON overflows the validator's stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first value PostgreSQL could not store as sent: a string (or key) with a NUL character
 * or a lone surrogate (text and jsonb reject or silently replace them), or nesting deeper than
 * MAX_JSON_DEPTH. Checked before validation, so such input is a 400, never a 500.
 */
export function findUnstorableJson(value: unknown, path = '', depth = 0): FieldError | undefined {
  const field = path || 'body';
  if (typeof value === 'string') return unstorableString(value, field);
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_JSON_DEPTH) return { field, message: `${field} is nested deeper than ${MAX_JSON_DEPTH} levels` };
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const childPath = path ? `${path}.${key}` : key;
    const problem = unstorableString(key, childPath) ?? findUnstorableJson(item, childPath, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

function unstorableString(value: string, field: string): FieldError | undefined {
  if (value.includes('\u0000')) return { field, message: `${field} contains a NUL character (\\u0000), which cannot be stored` };
  if (!value.isWellFormed()) return { field, message: `${field} is not well-formed Unicode (lone surrogate)` };
  return undefined;
}
