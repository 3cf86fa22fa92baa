import { FieldError } from '../errors';
import { findAlteredJson } from './json-source';

/** Deeper JSON has no use here, and much deeper JSON overflows the validator's stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Keys Nest's ValidationPipe deletes, at any depth, from every value it validates (its guard
 * against prototype pollution): refused with a 400 here rather than acknowledged and dropped.
 */
const STRIPPED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first thing in a JSON body that could not be stored as sent (see findUnstorableJson), or
 * that parsing changed: a number rounded, or a key repeated in one object (see json-source.ts).
 * `text` is the body as received, `value` what JSON.parse made of it.
 */
export function findUnstorableBody(text: string, value: unknown): FieldError | undefined {
  const tally = { keys: 0 };
  return findUnstorableJson(value, tally) ?? findAlteredJson(text, tally.keys);
}

/**
 * The first value PostgreSQL could not store as sent: a string (or key) with a NUL character
 * or a lone surrogate (text and jsonb reject or silently replace them), a number beyond the
 * range of a double (JSON.parse makes 1e400 Infinity, which jsonb would store as null), or
 * nesting deeper than MAX_JSON_DEPTH; or a key the validation pipe would silently drop (STRIPPED_KEYS).
 * Checked before validation, so such input is a 400, never a 500 or a silent change. With
 * `tally`, counts the object keys it walks past (all of them, when it finds nothing).
 */
export function findUnstorableJson(value: unknown, tally: { keys: number } = { keys: 0 }): FieldError | undefined {
  const path: string[] = [];
  const problem = walk(value, path, tally);
  if (!problem) return undefined;
  const field = path.join('.') || 'body';
  return { field, message: problem(field) };
}

type Problem = (field: string) => string;

/** The problem of the first unstorable value under `value`, with `path` left pointing at it. */
function walk(value: unknown, path: string[], tally: { keys: number }): Problem | undefined {
  if (typeof value === 'string') return unstorableString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : (field) => `${field} is beyond the range of a JSON number`;
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= MAX_JSON_DEPTH) return (field) => `${field} is nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      const problem = walk(value[i], path, tally);
      if (problem) return problem;
      path.pop();
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    tally.keys++;
    path.push(key);
    const problem = unstorableString(key) ?? strippedKey(key) ?? walk((value as Record<string, unknown>)[key], path, tally);
    if (problem) return problem;
    path.pop();
  }
  return undefined;
}

function unstorableString(value: string): Problem | undefined {
  if (value.includes('\u0000')) return (field) => `${field} contains a NUL character (\\u0000), which cannot be stored`;
  if (!value.isWellFormed()) return (field) => `${field} is not well-formed Unicode (lone surrogate)`;
  return undefined;
}

function strippedKey(key: string): Problem | undefined {
  return STRIPPED_KEYS.has(key) ? (field) => `${field}: "${key}" is a reserved key` : undefined;
}
