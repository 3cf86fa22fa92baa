import { dependencyGraph, findCycle } from '../../../src/modules/tasks/task-graph';

/** Checks that `cycle` is a closed path along edges of `graph`. */
function expectClosedPath(graph: Map<string, string[]>, cycle: string[]): void {
  expect(cycle[0]).toBe(cycle[cycle.length - 1]);
  for (let i = 0; i + 1 < cycle.length; i++) expect(graph.get(cycle[i])).toContain(cycle[i + 1]);
}

describe('findCycle', () => {
  it('finds none in an empty graph, a chain, or a diamond', () => {
    expect(findCycle(new Map())).toBeNull();
    expect(
      findCycle(
        dependencyGraph([
          ['c', 'b'],
          ['b', 'a'],
        ]),
      ),
    ).toBeNull();
    // d waits for b and c, which both wait for a: shared dependencies are not a cycle.
    expect(
      findCycle(
        dependencyGraph([
          ['d', 'b'],
          ['d', 'c'],
          ['b', 'a'],
          ['c', 'a'],
        ]),
        ['d'],
      ),
    ).toBeNull();
  });

  it('reports a task depending on itself as [a, a]', () => {
    expect(findCycle(dependencyGraph([['a', 'a']]))).toEqual(['a', 'a']);
    expect(
      findCycle(
        dependencyGraph([
          ['b', 'c'],
          ['a', 'a'],
        ]),
        ['a'],
      ),
    ).toEqual(['a', 'a']);
  });

  it('reports a two-cycle in order', () => {
    expect(
      findCycle(
        dependencyGraph([
          ['a', 'b'],
          ['b', 'a'],
        ]),
        ['a'],
      ),
    ).toEqual(['a', 'b', 'a']);
    expect(
      findCycle(
        dependencyGraph([
          ['a', 'b'],
          ['b', 'a'],
        ]),
        ['b'],
      ),
    ).toEqual(['b', 'a', 'b']);
  });

  it('reports a three-cycle in order, from the root given', () => {
    const graph = dependencyGraph([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
    ]);
    expect(findCycle(graph, ['a'])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(graph, ['c'])).toEqual(['c', 'a', 'b', 'c']);
  });

  it('finds a cycle that hangs off an acyclic part, without the tail', () => {
    // x → y → a → b → c → a: the cycle is a, b, c; x and y only lead into it.
    const graph = dependencyGraph([
      ['x', 'y'],
      ['y', 'a'],
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
    ]);
    const cycle = findCycle(graph, ['x'])!;
    expect(cycle).toEqual(['a', 'b', 'c', 'a']);
    expectClosedPath(graph, cycle);
  });

  it('finds a cycle not reachable from the roots', () => {
    const graph = dependencyGraph([
      ['r', 's'],
      ['p', 'q'],
      ['q', 'p'],
    ]);
    expect(findCycle(graph, ['r'])).toEqual(['p', 'q', 'p']);
  });

  it('detects the cycle closed by a new edge into an existing chain', () => {
    // Existing: b → c → d. New: d → b would make d wait for b, which waits (through c) for d.
    const graph = dependencyGraph([
      ['d', 'b'],
      ['b', 'c'],
      ['c', 'd'],
    ]);
    expect(findCycle(graph, ['d'])).toEqual(['d', 'b', 'c', 'd']);
  });

  it('walks a chain of 100 000 tasks without overflowing the stack', () => {
    const edges = Array.from({ length: 100_000 }, (_, i) => [`t${i}`, `t${i + 1}`] as const);
    expect(findCycle(dependencyGraph(edges), ['t0'])).toBeNull();
    const cycle = findCycle(dependencyGraph([...edges, ['t100000', 't0']]), ['t0'])!;
    expect(cycle).toHaveLength(100_002);
    expect(cycle[0]).toBe('t0');
    expect(cycle[cycle.length - 1]).toBe('t0');
  });

  it('keeps the order of edges when building a graph', () => {
    expect(
      dependencyGraph([
        ['a', 'c'],
        ['a', 'b'],
        ['b', 'c'],
      ]),
    ).toEqual(
      new Map([
        ['a', ['c', 'b']],
        ['b', ['c']],
      ]),
    );
  });
});
