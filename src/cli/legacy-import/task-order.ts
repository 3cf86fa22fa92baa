import { dependencyGraph, findCycle } from '../../modules/tasks/task-graph';

/** The legacy task ids a task's data names: its parent and the tasks it depends on. */
export function taskReferences(data: string | null): string[] {
  try {
    const parsed = JSON.parse(data ?? 'null') as { parentTaskId?: unknown; dependsOn?: unknown } | null;
    if (typeof parsed !== 'object' || parsed === null) return [];
    const named = [parsed.parentTaskId, ...(Array.isArray(parsed.dependsOn) ? parsed.dependsOn : [])];
    return named.filter((id): id is string => typeof id === 'string');
  } catch {
    return []; // not JSON: the row is rejected when it is mapped
  }
}

/**
 * The order to import tasks in: every task after its parent and the tasks it depends on (when
 * those are among `ids`), otherwise in the order given. Tasks on a cycle of such references
 * cannot be created by the API and are returned in `cycles`, each with its cycle as
 * `[a, b, …, a]`; the tasks that name them come last, and are rejected for naming a rejected row.
 */
export function orderTasks(ids: readonly string[], referencesOf: ReadonlyMap<string, readonly string[]>): { order: string[]; cycles: Map<string, string[]> } {
  const order: string[] = [];
  const cycles = new Map<string, string[]>();
  let remaining = new Set(ids);
  while (remaining.size > 0) {
    const ready = kahn([...remaining], referencesOf, remaining);
    order.push(...ready);
    for (const id of ready) remaining.delete(id);
    if (remaining.size === 0) break;
    // Only cycles (and tasks behind them) are left: reject one cycle, then order what it frees.
    const edges = [...remaining].flatMap((id) => (referencesOf.get(id) ?? []).filter((ref) => remaining.has(ref)).map((ref) => [id, ref] as const));
    const cycle = findCycle(dependencyGraph(edges))!;
    for (const id of cycle) cycles.set(id, cycle);
    remaining = new Set([...remaining].filter((id) => !cycles.has(id)));
  }
  return { order, cycles };
}

/** Kahn's algorithm over the references within `pending`; nodes on or behind a cycle are left out. */
function kahn(ids: string[], referencesOf: ReadonlyMap<string, readonly string[]>, pending: ReadonlySet<string>): string[] {
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const refs = [...new Set(referencesOf.get(id) ?? [])].filter((ref) => pending.has(ref));
    waitingOn.set(id, refs.length);
    for (const ref of refs) {
      const list = dependents.get(ref);
      if (list) list.push(id);
      else dependents.set(ref, [id]);
    }
  }
  const queue = ids.filter((id) => waitingOn.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    for (const dependent of dependents.get(queue[head]) ?? []) {
      const left = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, left);
      if (left === 0) queue.push(dependent);
    }
  }
  return queue;
}
