import { EntityManager } from 'typeorm';
import { FieldError, FieldPath, UnknownReferenceError, unknownReference } from '../errors';

/** The row a name resolved to: its id, and its key for a kind whose rows may have one (agents). */
export interface ReferencedRow {
  id: string;
  key?: string | null;
}

/**
 * One kind of row a body may name (an agent, a task…): how to resolve many names at once.
 * `resolve` answers, for every name that names a row of the tenant, that row; the others are
 * absent from the map. Another tenant's row and a row that exists nowhere get the same answer.
 */
export interface ReferenceKind {
  readonly noun: string;
  resolve(tenantId: string, names: string[], manager?: EntityManager): Promise<Map<string, ReferencedRow>>;
}

/** The rows the names of a checked request resolved to. */
export class ResolvedReferences {
  constructor(private readonly byKind: Map<ReferenceKind, Map<string, ReferencedRow>>) {}

  /** The id `name` resolved to; null for no reference. */
  id(kind: ReferenceKind, name: string | null | undefined): string | null {
    if (name == null) return null;
    const row = this.byKind.get(kind)?.get(name);
    if (row === undefined) throw new Error(`${kind.noun} reference "${name}" was not part of the check`);
    return row.id;
  }

  /** id → key of every row of `kind` the request named, for a kind whose rows may have keys (null: this row has none). */
  keys(kind: ReferenceKind): Map<string, string | null> {
    const rows = [...(this.byKind.get(kind)?.values() ?? [])];
    return new Map(rows.flatMap((row) => (row.key === undefined ? [] : [[row.id, row.key] as const])));
  }
}

/**
 * Collects every reference a request makes (`agentId`, `items.3.taskId`, …), resolves them with
 * one query per kind however many items there are, and refuses the request with one 422 naming
 * every field whose reference the tenant cannot see.
 */
export class ReferenceCheck {
  private readonly asked: { kind: ReferenceKind; field: string; name: string }[] = [];

  constructor(
    private readonly tenantId: string,
    private readonly manager?: EntityManager,
  ) {}

  /** Notes that `field` names a row of `kind`; null or undefined names nothing. */
  add(kind: ReferenceKind, field: string, name: string | null | undefined): this {
    if (name != null) this.asked.push({ kind, field, name });
    return this;
  }

  /** Resolves every noted reference (one query per kind) and refuses the request if one names nothing. */
  async resolve(): Promise<ResolvedReferences> {
    const { resolved, errors } = await this.resolveAll();
    if (errors.length > 0) throw new UnknownReferenceError(errors);
    return resolved;
  }

  /** Like `resolve`, but hands back the problems, for a caller that adds its own before refusing. */
  async resolveAll(): Promise<{ resolved: ResolvedReferences; errors: FieldError[] }> {
    const kinds = [...new Set(this.asked.map((ref) => ref.kind))];
    const lookup = (kind: ReferenceKind) =>
      kind.resolve(this.tenantId, [...new Set(this.asked.filter((ref) => ref.kind === kind).map((ref) => ref.name))], this.manager);
    // Inside a transaction the queries share one session: one after the other.
    const found: Map<string, ReferencedRow>[] = [];
    if (this.manager) for (const kind of kinds) found.push(await lookup(kind));
    else found.push(...(await Promise.all(kinds.map(lookup))));
    const byKind = new Map(kinds.map((kind, i) => [kind, found[i]]));
    const errors: FieldError[] = this.asked.filter((ref) => !byKind.get(ref.kind)!.has(ref.name)).map((ref) => unknownReference(ref.field, ref.kind.noun));
    return { resolved: new ResolvedReferences(byKind), errors };
  }
}

/**
 * Checks the references of a request's items in one go: `fields` pairs each body field with the
 * kind of row it names. Returns what they resolved to; see ReferenceCheck.
 */
export function checkItemReferences<T extends object>(
  tenantId: string,
  items: readonly T[],
  field: FieldPath,
  fields: readonly (readonly [keyof T & string, ReferenceKind])[],
  manager?: EntityManager,
): Promise<ResolvedReferences> {
  const check = new ReferenceCheck(tenantId, manager);
  items.forEach((item, i) => {
    for (const [name, kind] of fields) check.add(kind, field(i, name), item[name] as string | null | undefined);
  });
  return check.resolve();
}

/**
 * A kind of reference by id only, to the rows of `table`: one `id = ANY(...)` query. Names that
 * are not uuids name nothing. (PostgreSQL answers uuids in lower case; names are compared so.)
 */
export function idReferences(noun: string, table: string, defaultManager: () => EntityManager): ReferenceKind {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  return {
    noun,
    async resolve(tenantId, names, manager = defaultManager()) {
      const ids = names.filter((name) => UUID.test(name)).map((name) => name.toLowerCase());
      if (ids.length === 0) return new Map();
      const rows: { id: string }[] = await manager.query(`SELECT id FROM "${table}" WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]);
      const found = new Set(rows.map((row) => row.id));
      return new Map(names.filter((name) => found.has(name.toLowerCase())).map((name) => [name, { id: name.toLowerCase() }]));
    },
  };
}
