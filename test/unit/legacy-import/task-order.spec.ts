import { orderTasks, taskReferences } from '../../../src/cli/legacy-import/task-order';

describe('orderTasks', () => {
  it('puts every task after its parent and the tasks it depends on, keeping the given order otherwise', () => {
    const refs = new Map([
      ['a', ['c']],
      ['b', []],
      ['c', ['d']],
      ['d', []],
      ['e', ['a', 'outside']],
    ]);
    const { order, cycles } = orderTasks(['a', 'b', 'c', 'd', 'e'], refs);
    expect(cycles.size).toBe(0);
    expect(order).toEqual(['b', 'd', 'c', 'a', 'e']);
  });

  it('returns the tasks of a cycle apart, each with the cycle, and still orders the tasks that name them', () => {
    const refs = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', ['c']],
      ['d', ['a']],
      ['e', []],
    ]);
    const { order, cycles } = orderTasks(['a', 'b', 'c', 'd', 'e'], refs);
    expect(order).toEqual(['e', 'd']);
    expect(cycles.get('a')).toEqual(['a', 'b', 'a']);
    expect(cycles.get('b')).toEqual(['a', 'b', 'a']);
    expect(cycles.get('c')).toEqual(['c', 'c']);
  });
});

describe('taskReferences', () => {
  it('reads the parent and the dependencies from the data, ignoring what is not a legacy id', () => {
    expect(taskReferences('{"parentTaskId":"p","dependsOn":["x", 3, "y"]}')).toEqual(['p', 'x', 'y']);
    expect(taskReferences('not json')).toEqual([]);
    expect(taskReferences(null)).toEqual([]);
  });
});
