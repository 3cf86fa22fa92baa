import { Catalog, ColumnInfo, ForeignKey, TableInfo } from './catalog';
import { CopyDataError } from './copy-data.errors';
import { orderByDependencies } from './table-order';

/**
 * How a source row finds its counterpart in the target:
 * - `primary-key`: the row keeps its key; a target row with that key is the same row.
 * - `content`: the key holds a number drawn from a sequence and nothing references the table (an
 *   append-only log such as `domain_events`). Numbers of two databases collide and mean nothing
 *   across them, so the row takes the target's next number and is recognised by its other columns.
 */
export type MatchBy = 'primary-key' | 'content';

export function matchByOf(plan: TablePlan): MatchBy {
  return plan.number ? 'content' : 'primary-key';
}

export interface TablePlan {
  name: string;
  primaryKey: ColumnInfo[];
  /** Columns written by the copy, in table order: not generated, and not the number when matched by content. */
  written: ColumnInfo[];
  /** The key's column drawn from a sequence, which the target draws anew: the table is matched by content. Null: by primary key. */
  number: ColumnInfo | null;
  /** Foreign keys from the table to itself: parents are copied before their children. */
  selfReferences: ForeignKey[];
  /** Serial and identity columns whose sequence is moved past the copied values. */
  sequenced: ColumnInfo[];
}

function signature(table: TableInfo): string {
  return JSON.stringify({
    primaryKey: table.primaryKey,
    columns: table.columns.map(({ name, type, generated }) => ({ name, type, generated })),
  });
}

function planTable(table: TableInfo, foreignKeys: ForeignKey[]): TablePlan {
  const byName = new Map(table.columns.map((column) => [column.name, column]));
  const primaryKey = table.primaryKey.map((name) => byName.get(name)!);
  const referenced = foreignKeys.some((fk) => fk.references === table.name);
  const numbered = primaryKey.filter((column) => column.sequence !== null);
  const number = numbered.length === 1 && !referenced ? numbered[0] : null;
  return {
    name: table.name,
    primaryKey,
    written: table.columns.filter((column) => !column.generated && column !== number),
    number,
    selfReferences: foreignKeys.filter((fk) => fk.table === table.name && fk.references === table.name),
    sequenced: table.columns.filter((column) => column.sequence !== null),
  };
}

/**
 * What to copy and in which order: every table of the source, which must exist with the same
 * columns in the target (both are at the same migration by now), parents before children by the
 * target's foreign keys.
 */
export function planCopy(source: Catalog, target: Catalog): TablePlan[] {
  const targetTables = new Map(target.tables.map((table) => [table.name, table]));
  for (const table of source.tables) {
    if (table.primaryKey.length === 0)
      throw new CopyDataError(`Table ${table.name} has no primary key: its rows cannot be matched, so it cannot be copied safely`);
    const counterpart = targetTables.get(table.name);
    if (!counterpart) throw new CopyDataError(`Table ${table.name} exists in the source but not in the target`);
    if (signature(counterpart) !== signature(table)) {
      throw new CopyDataError(`Table ${table.name} has different columns or primary key in the source and the target`);
    }
  }
  const order = orderByDependencies(
    source.tables.map((table) => table.name),
    target.foreignKeys.map((fk) => ({ table: fk.table, dependsOn: fk.references })),
  );
  const tables = new Map(source.tables.map((table) => [table.name, table]));
  return order.map((name) => planTable(tables.get(name)!, target.foreignKeys));
}
