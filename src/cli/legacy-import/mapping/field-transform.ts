import { LegacyMapping, TypeMapping } from './legacy-mapping';

/** `duration_ms` → `durationMs`; a name without an underscore between letters or digits stays as it is. */
export function snakeToCamel(name: string): string {
  return name.replace(/([a-z0-9])_+([a-z0-9])/gi, (_match, before: string, after: string) => before + after.toUpperCase());
}

export type Transformed = { ok: true; data: Record<string, unknown> } | { ok: false; problem: string };

/**
 * The top-level fields of one row's data as the mapping says: dropped fields go, renamed ones take
 * their new name (an explicit rename, else camelCase when on), defaults fill what is missing. Two
 * source fields that would become one are a problem of the row, never silently merged.
 */
export function transformFields(data: Record<string, unknown>, mapping: LegacyMapping, type: TypeMapping | undefined): Transformed {
  const dropped = new Set([...mapping.drop, ...(type?.drop ?? [])]);
  const out: Record<string, unknown> = {};
  const source = new Map<string, string>();
  for (const [field, value] of Object.entries(data)) {
    if (dropped.has(field)) continue;
    const target = type?.rename[field] ?? (mapping.camelCase ? snakeToCamel(field) : field);
    const earlier = source.get(target);
    if (earlier !== undefined) return { ok: false, problem: `fields ${earlier} and ${field} would both become ${target}` };
    source.set(target, field);
    out[target] = value;
  }
  for (const [field, value] of Object.entries(type?.defaults ?? {})) {
    if (out[field] === undefined) out[field] = structuredClone(value);
  }
  return { ok: true, data: out };
}
