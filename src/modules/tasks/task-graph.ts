/** Dependency edges: a task id → the ids of the tasks it depends on. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** Builds a DependencyGraph from `[task, dependsOn]` pairs, keeping their order. */
export function dependencyGraph(edges: Iterable<readonly [string, string]>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const targets = graph.get(from);
    if (targets) targets.push(to);
    else graph.set(from, [to]);
  }
  return graph;
}

const ON_PATH = 1;
const DONE = 2;

/**
 * The first cycle a depth-first walk meets, as the path `[a, b, …, a]` in which each task
 * depends on the next; null when the graph has none. The walk starts from `roots`, in order,
 * then from every other task of the graph, so a cycle through the first root is reported
 * from that root. A task that depends on itself is the cycle `[a, a]`. Iterative, so a long
 * chain cannot overflow the stack.
 */
export function findCycle(graph: DependencyGraph, roots: Iterable<string> = []): string[] | null {
  const state = new Map<string, typeof ON_PATH | typeof DONE>();
  const walk = (root: string): string[] | null => {
    if (state.has(root)) return null;
    const path = [root];
    const nextIndex = [0];
    state.set(root, ON_PATH);
    while (path.length > 0) {
      const top = path.length - 1;
      const targets = graph.get(path[top]) ?? [];
      if (nextIndex[top] === targets.length) {
        state.set(path[top], DONE);
        path.pop();
        nextIndex.pop();
        continue;
      }
      const target = targets[nextIndex[top]++];
      const seen = state.get(target);
      if (seen === ON_PATH) return [...path.slice(path.indexOf(target)), target];
      if (seen === undefined) {
        state.set(target, ON_PATH);
        path.push(target);
        nextIndex.push(0);
      }
    }
    return null;
  };
  for (const root of roots) {
    const cycle = walk(root);
    if (cycle) return cycle;
  }
  for (const root of graph.keys()) {
    const cycle = walk(root);
    if (cycle) return cycle;
  }
  return null;
}
