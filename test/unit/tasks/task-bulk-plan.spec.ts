import { bulkItem, DomainError, singleItem, UnknownReferenceError, ValidationFailedError } from '../../../src/common/errors';
import { NewTask, TaskBulkPlan } from '../../../src/modules/tasks/task-bulk-plan';
import { DependencyOutsideWorkflowError, TaskDependencyCycleError } from '../../../src/modules/tasks/tasks.errors';

const W1 = '0190a6f0-0000-7000-8000-000000000001';
const W2 = '0190a6f0-0000-7000-8000-000000000002';
const EXISTING = '0190a6f0-0000-7000-8000-0000000000e1';
const ctx = { tenantId: 'acme', actorId: 'planner', keyId: 'key-of-the-planner', correlationId: null };

/** A plan whose items get the ids id-0, id-1, … in order. */
function planOf(items: NewTask[], field = bulkItem): TaskBulkPlan {
  let next = 0;
  return new TaskBulkPlan(items, field, () => `id-${next++}`);
}

/** What `work` throws (it must throw a DomainError). */
function thrownBy(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('TaskBulkPlan', () => {
  it('gives every item its id, resolves refs to those ids and task ids to lower case, and writes pending rows in item order', () => {
    const plan = planOf([
      { ref: 'fetch', workflowId: W1.toUpperCase(), description: 'fetch', agentId: 'agent_sena', priority: 3, input: { url: 'u' } },
      { ref: 'sum', workflowId: W1, description: 'sum', dependsOn: ['fetch', EXISTING.toUpperCase(), 'fetch'] },
    ]);
    expect(plan.existingTargets).toEqual([EXISTING]);
    plan.checkDependencies(new Map([[EXISTING, W1]]));

    const tasks = plan.tasks(ctx, null, (item) => (item.agentId === 'agent_sena' ? 'agent-id' : null));
    expect(tasks.map((task) => [task.ref, task.dependsOn])).toEqual([
      ['fetch', []],
      ['sum', [EXISTING, 'id-0'].sort()],
    ]);
    expect(tasks[0].row).toEqual({
      id: 'id-0',
      tenantId: 'acme',
      workflowId: W1,
      agentId: 'agent-id',
      parentTaskId: null,
      description: 'fetch',
      priority: 3,
      status: 'pending',
      input: { url: 'u' },
      output: null,
      error: null,
      durationMs: null,
      startedAt: null,
      finishedAt: null,
      createdBy: 'planner',
      createdByKeyId: 'key-of-the-planner',
      updatedBy: 'planner',
      updatedByKeyId: 'key-of-the-planner',
    });
    expect(tasks[1].row).toMatchObject({ id: 'id-1', agentId: null, priority: 0, input: {} });
  });

  it('writes subtasks under their parent', () => {
    const [task] = planOf([{ workflowId: W1, description: 'part' }], singleItem).tasks(ctx, 'parent-id', () => null);
    expect(task).toMatchObject({ ref: null, dependsOn: [], row: { parentTaskId: 'parent-id' } });
  });

  it('refuses repeated refs and dependencies that are neither a ref of the batch nor a task id, naming every field (400)', () => {
    const error = thrownBy(() =>
      planOf([
        { ref: 'a', workflowId: W1, description: 'a' },
        { ref: 'a', workflowId: W1, description: 'b', dependsOn: ['nope', EXISTING] },
      ]),
    );
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).errors).toEqual([
      { field: 'items.1.ref', message: 'ref "a" is already the ref of item 0: refs must be unique' },
      { field: 'items.1.dependsOn.0', message: '"nope" is neither a task id nor the ref of an item of this request' },
    ]);
  });

  it('names dependencies the tenant cannot see after the batch’s other unknown references, in one 422', () => {
    const plan = planOf([
      { workflowId: W1, description: 'a', dependsOn: [EXISTING] },
      { workflowId: W1, description: 'b' },
    ]);
    const other = { field: 'items.1.agentId', message: 'items.1.agentId does not name an existing agent' };
    const error = thrownBy(() => plan.checkDependencies(new Map(), [other]));
    expect(error).toBeInstanceOf(UnknownReferenceError);
    expect((error as UnknownReferenceError).errors).toEqual([
      other,
      { field: 'items.0.dependsOn.0', message: `items.0.dependsOn.0: ${EXISTING} does not name an existing task` },
    ]);
  });

  it('refuses a dependency on a task of another workflow, in the batch or not, naming it as sent (422)', () => {
    const plan = planOf([
      { ref: 'elsewhere', workflowId: W2, description: 'a' },
      { workflowId: W1, description: 'b', dependsOn: ['elsewhere', EXISTING] },
    ]);
    const error = thrownBy(() => plan.checkDependencies(new Map([[EXISTING, W2]])));
    expect(error).toBeInstanceOf(DependencyOutsideWorkflowError);
    expect((error as DependencyOutsideWorkflowError).errors.map((problem) => problem.field)).toEqual(['items.1.dependsOn.0', 'items.1.dependsOn.1']);
    expect((error as DependencyOutsideWorkflowError).errors[0].message).toContain('elsewhere is a task of another workflow');
  });

  it('refuses a cycle within the batch, named by refs (ids where an item has none)', () => {
    const cycle = planOf([
      { ref: 'a', workflowId: W1, description: 'a', dependsOn: ['b'] },
      { ref: 'b', workflowId: W1, description: 'b', dependsOn: ['a'] },
    ]);
    const error = thrownBy(() => cycle.checkDependencies(new Map()));
    expect(error).toBeInstanceOf(TaskDependencyCycleError);
    expect(error.extensions).toEqual({ cycle: ['a', 'b', 'a'] });

    const itself = planOf([{ ref: 'loop', workflowId: W1, description: 'x', dependsOn: ['loop'] }]);
    expect(thrownBy(() => itself.checkDependencies(new Map())).extensions).toEqual({ cycle: ['loop', 'loop'] });
  });

  it('accepts a chain and a diamond within the batch', () => {
    const plan = planOf([
      { ref: 'a', workflowId: W1, description: 'a' },
      { ref: 'b', workflowId: W1, description: 'b', dependsOn: ['a'] },
      { ref: 'c', workflowId: W1, description: 'c', dependsOn: ['a'] },
      { ref: 'd', workflowId: W1, description: 'd', dependsOn: ['b', 'c'] },
    ]);
    expect(() => plan.checkDependencies(new Map())).not.toThrow();
    expect(plan.tasks(ctx, null, () => null).map((task) => task.dependsOn)).toEqual([[], ['id-0'], ['id-0'], ['id-1', 'id-2']]);
  });
});
