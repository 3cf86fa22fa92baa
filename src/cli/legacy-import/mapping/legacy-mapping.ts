import { LEGACY_TYPES } from '../legacy-types';
import { LegacyImportUsageError } from '../legacy-import.errors';

/** The columns a legacy table is read from (quoted as given); `updatedAt` null: the table has none. */
export interface LegacyColumns {
  id: string;
  type: string;
  data: string;
  createdAt: string;
  updatedAt: string | null;
}

export const DEFAULT_COLUMNS: LegacyColumns = { id: 'id', type: 'type', data: 'data', createdAt: 'created_at', updatedAt: 'updated_at' };

/** How the rows of one source type become rows of a known type. */
export interface TypeMapping {
  /** The known type (one of LEGACY_TYPES) the rows are imported as. */
  as: string;
  /** Source field → target field, applied before `camelCase` (and winning over it). */
  rename: Record<string, string>;
  /** Target fields set to a constant when the row has no such field. */
  defaults: Record<string, unknown>;
  /** Source fields left out (on top of the mapping's own `drop`). */
  drop: string[];
}

/**
 * What `--mapping` says about a legacy table that does not have the documented shape: where its
 * columns are, which of its type names are which known type, and how its JSON fields become the
 * fields of the route bodies. Rows of types it does not name are read as they are.
 */
export interface LegacyMapping {
  /** A shipped mapping's name, or the file it was read from. */
  origin: string;
  table: string | null;
  columns: LegacyColumns;
  /** snake_case fields (the top level of `data`) become camelCase: `duration_ms` → `durationMs`. */
  camelCase: boolean;
  drop: string[];
  types: Map<string, TypeMapping>;
}

/** A mapping cannot be used: the message names the mapping and the problem, in one line (exit code 2). */
export class LegacyMappingError extends LegacyImportUsageError {}

const KNOWN_TYPES: readonly string[] = LEGACY_TYPES.map((entry) => entry.type);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const FIELD = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const TOP_LEVEL = ['description', 'table', 'columns', 'camelCase', 'drop', 'types'];
const PER_TYPE = ['as', 'rename', 'defaults', 'drop'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a mapping (parsed JSON) field by field; the first problem is thrown as a LegacyMappingError. */
export function parseMapping(input: unknown, origin: string): LegacyMapping {
  const fail = (path: string, problem: string): never => {
    throw new LegacyMappingError(`mapping ${origin}: ${path ? `${path} ` : ''}${problem}`);
  };
  if (!isObject(input)) return fail('', 'must be a JSON object');
  for (const key of Object.keys(input)) if (!TOP_LEVEL.includes(key)) fail(key, `is not a mapping field (known: ${TOP_LEVEL.join(', ')})`);
  if (input.description !== undefined && typeof input.description !== 'string') fail('description', 'must be a string');

  let table: string | null = null;
  if (input.table !== undefined) {
    if (typeof input.table !== 'string' || !TABLE.test(input.table))
      fail('table', 'must be a table name (letters, digits and _; "schema.table" for PostgreSQL)');
    table = input.table as string;
  }

  const columns: LegacyColumns = { ...DEFAULT_COLUMNS };
  if (input.columns !== undefined) {
    if (!isObject(input.columns)) fail('columns', 'must be an object naming the id, type, data, createdAt and updatedAt columns');
    for (const [role, name] of Object.entries(input.columns as Json)) {
      if (!(role in DEFAULT_COLUMNS)) fail(`columns.${role}`, `is not a column role (known: ${Object.keys(DEFAULT_COLUMNS).join(', ')})`);
      if (role === 'updatedAt' && name === null) columns.updatedAt = null;
      else if (typeof name !== 'string' || !IDENTIFIER.test(name)) fail(`columns.${role}`, 'must be a column name (letters, digits and _)');
      else columns[role as keyof LegacyColumns] = name;
    }
  }

  if (input.camelCase !== undefined && typeof input.camelCase !== 'boolean') fail('camelCase', 'must be true or false');
  const drop = fieldList(input.drop, 'drop', fail);

  if (!isObject(input.types) || Object.keys(input.types).length === 0) fail('types', 'must be an object with at least one source type name');
  const types = new Map<string, TypeMapping>();
  for (const [name, entry] of Object.entries(input.types as Json)) {
    const path = `types.${name}`;
    if (name === '') fail('types', 'has an empty type name');
    if (!isObject(entry)) fail(path, 'must be an object such as {"as": "action_log"}');
    const spec = entry as Json;
    for (const key of Object.keys(spec)) if (!PER_TYPE.includes(key)) fail(`${path}.${key}`, `is not a type mapping field (known: ${PER_TYPE.join(', ')})`);
    if (typeof spec.as !== 'string' || !KNOWN_TYPES.includes(spec.as)) {
      fail(`${path}.as`, `must be one of the known types (${KNOWN_TYPES.join(', ')}), not ${JSON.stringify(spec.as ?? null)}`);
    }
    const rename: Record<string, string> = {};
    if (spec.rename !== undefined) {
      if (!isObject(spec.rename)) fail(`${path}.rename`, 'must be an object of source field → target field');
      for (const [from, to] of Object.entries(spec.rename as Json)) {
        if (!FIELD.test(from)) fail(`${path}.rename`, `has an invalid source field name ${JSON.stringify(from)}`);
        if (typeof to !== 'string' || !FIELD.test(to)) fail(`${path}.rename.${from}`, 'must be a field name');
        rename[from] = to as string;
      }
    }
    const defaults: Record<string, unknown> = {};
    if (spec.defaults !== undefined) {
      if (!isObject(spec.defaults)) fail(`${path}.defaults`, 'must be an object of target field → constant value');
      for (const [field, value] of Object.entries(spec.defaults as Json)) {
        if (!FIELD.test(field)) fail(`${path}.defaults`, `has an invalid field name ${JSON.stringify(field)}`);
        defaults[field] = value;
      }
    }
    types.set(name, { as: spec.as as string, rename, defaults, drop: fieldList(spec.drop, `${path}.drop`, fail) });
  }
  return { origin, table, columns, camelCase: input.camelCase === true, drop, types };
}

function fieldList(value: unknown, path: string, fail: (path: string, problem: string) => never): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((field) => typeof field === 'string' && FIELD.test(field))) fail(path, 'must be an array of field names');
  return value as string[];
}
