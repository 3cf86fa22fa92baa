import { CopyDataError } from './copy-data.errors';

/** A table that must be written after another one: `table` holds a foreign key to `dependsOn`. */
export interface TableDependency {
  table: string;
  dependsOn: string;
}

export class ForeignKeyCycleError extends CopyDataError {
  constructor(readonly tables: string[]) {
    super(`Tables ${tables.join(', ')} cannot be ordered: their foreign keys form a cycle, so no order puts every referenced row first`);
  }
}

/**
 * Tables in an order where every table comes after the tables it references (Kahn's algorithm,
 * ties by name so the order is stable). A table referencing itself is not a cycle here: its rows
 * are ordered within the table. Dependencies on tables outside `tables` are ignored.
 */
export function orderByDependencies(tables: string[], dependencies: TableDependency[]): string[] {
  const known = new Set(tables);
  const waitingOn = new Map(tables.map((table) => [table, new Set<string>()]));
  for (const { table, dependsOn } of dependencies) {
    if (table !== dependsOn && known.has(table) && known.has(dependsOn)) waitingOn.get(table)!.add(dependsOn);
  }
  const ordered: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn]
      .filter(([, parents]) => parents.size === 0)
      .map(([table]) => table)
      .sort();
    if (ready.length === 0) throw new ForeignKeyCycleError([...waitingOn.keys()].sort());
    for (const table of ready) {
      ordered.push(table);
      waitingOn.delete(table);
      for (const parents of waitingOn.values()) parents.delete(table);
    }
  }
  return ordered;
}
