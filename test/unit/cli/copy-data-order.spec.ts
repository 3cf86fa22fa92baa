import { ForeignKeyCycleError, orderByDependencies } from '../../../src/cli/copy-data/table-order';

describe('copy-data table order', () => {
  it('puts every table after the tables it references, ties by name', () => {
    const order = orderByDependencies(
      ['task_dependencies', 'tasks', 'messages', 'workflows', 'agents', 'api_keys'],
      [
        { table: 'tasks', dependsOn: 'workflows' },
        { table: 'tasks', dependsOn: 'agents' },
        { table: 'messages', dependsOn: 'tasks' },
        { table: 'task_dependencies', dependsOn: 'tasks' },
        { table: 'task_dependencies', dependsOn: 'tasks' },
      ],
    );
    expect(order).toEqual(['agents', 'api_keys', 'workflows', 'tasks', 'messages', 'task_dependencies']);
  });

  it('orders a table that references itself by its other references, and ignores tables it does not copy', () => {
    expect(
      orderByDependencies(
        ['tasks', 'workflows'],
        [
          { table: 'tasks', dependsOn: 'tasks' },
          { table: 'tasks', dependsOn: 'workflows' },
          { table: 'workflows', dependsOn: 'tenants' },
        ],
      ),
    ).toEqual(['workflows', 'tasks']);
  });

  it('refuses foreign keys that form a cycle, naming the tables', () => {
    const attempt = () =>
      orderByDependencies(
        ['a', 'b', 'c', 'd'],
        [
          { table: 'a', dependsOn: 'b' },
          { table: 'b', dependsOn: 'a' },
          { table: 'c', dependsOn: 'd' },
        ],
      );
    expect(attempt).toThrow(ForeignKeyCycleError);
    expect(attempt).toThrow('Tables a, b cannot be ordered: their foreign keys form a cycle');
  });
});
