import { isUUID } from 'class-validator';
import { RequestContext } from '../../common/auth/request-context';
import { FieldError, FieldPath, UnknownReferenceError, ValidationFailedError } from '../../common/errors';
import { createdBy, updatedBy } from '../../common/persistence/new-row';
import { NewRow } from '../../common/persistence/unit-of-work';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { dependencyGraph, findCycle } from './task-graph';
import { Task } from './task.entity';
import { DependencyOutsideWorkflowError, missingTask, otherWorkflow, TaskDependencyCycleError } from './tasks.errors';

/**
 * A task to create. `dependsOn` names task ids, or, within one bulk request, the `ref` of
 * another item; `ref` is echoed back.
 */
export interface NewTask {
  ref?: string;
  workflowId: string;
  agentId?: string | null;
  description: string;
  priority?: number;
  input?: Record<string, unknown>;
  dependsOn?: string[];
}

/** A task being created, with its dependencies resolved to ids. */
export interface PlannedTask {
  row: NewRow<Task>;
  ref: string | null;
  dependsOn: string[];
}

/** A dependency as item `i` names it: the `k`th of its `dependsOn`, another item of the batch (`index`) or an existing task. */
interface NamedDependency {
  k: number;
  name: string;
  index: number | undefined;
  id: string;
}

/**
 * The plan of a batch of new tasks (`POST /tasks/bulk`; a single create or a subtask is a batch
 * of one), checked before anything is written, in the order the API answers: refs and dependency
 * names (400), references the tenant cannot see (422), dependencies across workflows (422) and
 * cycles within the batch (422). Every item gets its id up front, so a dependency on another item
 * is a dependency on that id. Pure: the caller looks up what the plan names (`existingTargets`,
 * the items' workflows and agents) and hands the answers in.
 */
export class TaskBulkPlan {
  /** The items as sent, their workflowId in lower case (PostgreSQL answers uuids so: compared that way). */
  readonly items: readonly NewTask[];
  private readonly ids: string[];
  private readonly dependencies: NamedDependency[][];

  /** Refuses duplicate refs and dependencies that name neither an item's ref nor a uuid (400 naming each field). */
  constructor(
    sent: readonly NewTask[],
    private readonly field: FieldPath,
    newId: () => string = uuidv7,
  ) {
    this.items = sent.map((item) => Object.assign({}, item, { workflowId: item.workflowId.toLowerCase() }));
    this.ids = this.items.map(() => newId());

    const refIndex = new Map<string, number>();
    const malformed: FieldError[] = [];
    this.items.forEach((item, i) => {
      if (item.ref === undefined) return;
      const other = refIndex.get(item.ref);
      if (other === undefined) refIndex.set(item.ref, i);
      else malformed.push({ field: field(i, 'ref'), message: `ref "${item.ref}" is already the ref of item ${other}: refs must be unique` });
    });
    this.dependencies = this.items.map((item, i) =>
      (item.dependsOn ?? []).map((name, k) => {
        const inBatch = refIndex.get(name);
        if (inBatch !== undefined) return { k, name, index: inBatch, id: this.ids[inBatch] };
        if (!isUUID(name)) {
          malformed.push({ field: field(i, `dependsOn.${k}`), message: `"${name}" is neither a task id nor the ref of an item of this request` });
        }
        return { k, name, index: undefined, id: name.toLowerCase() };
      }),
    );
    if (malformed.length > 0) throw new ValidationFailedError(malformed);
  }

  /** The existing tasks the items depend on (ids, once each): the caller looks up their workflows. */
  get existingTargets(): string[] {
    return [
      ...new Set(
        this.dependencies
          .flat()
          .filter((dependency) => dependency.index === undefined)
          .map((dependency) => dependency.id),
      ),
    ];
  }

  /**
   * Checks the dependencies against `workflowOfTask` (the workflow of each existing target the
   * tenant can see). A target it cannot see joins `unknownReferences` (the batch's other unknown
   * references) in one UnknownReferenceError, the same answer whether it exists elsewhere or
   * nowhere; then a task may wait only for tasks of its own workflow (DependencyOutsideWorkflowError);
   * then the dependencies within the batch must not close a cycle (TaskDependencyCycleError,
   * named by refs). Existing tasks cannot depend on new ones, so a cycle can only run through the batch.
   */
  checkDependencies(workflowOfTask: ReadonlyMap<string, string>, unknownReferences: readonly FieldError[] = []): void {
    const named = this.items.flatMap((item, i) => this.dependencies[i].map((dependency) => ({ i, item, dependency })));
    const unknown = [
      ...unknownReferences,
      ...named
        .filter(({ dependency }) => dependency.index === undefined && !workflowOfTask.has(dependency.id))
        .map(({ i, dependency }) => missingTask(this.field(i, `dependsOn.${dependency.k}`), dependency.id)),
    ];
    if (unknown.length > 0) throw new UnknownReferenceError(unknown);

    const outside = named
      .filter(({ item, dependency }) => this.workflowOf(dependency, workflowOfTask) !== item.workflowId)
      .map(({ i, dependency }) => otherWorkflow(this.field(i, `dependsOn.${dependency.k}`), dependency.name));
    if (outside.length > 0) throw new DependencyOutsideWorkflowError(outside);

    const inBatchEdges = named.filter(({ dependency }) => dependency.index !== undefined).map(({ i, dependency }) => [this.ids[i], dependency.id] as const);
    const cycle = findCycle(dependencyGraph(inBatchEdges));
    if (cycle) {
      const refOf = new Map(this.ids.map((id, i) => [id, this.items[i].ref ?? id]));
      throw new TaskDependencyCycleError(cycle.map((id) => refOf.get(id)!));
    }
  }

  /**
   * The rows to insert, in item order: pending tasks of `parentTaskId` (null: top-level), written
   * by the caller, each with its dependencies as sorted ids. `agentIdOf` gives the id an item's
   * agentId (an id or a key) resolved to.
   */
  tasks(ctx: RequestContext, parentTaskId: string | null, agentIdOf: (item: NewTask) => string | null): PlannedTask[] {
    return this.items.map((item, i) => ({
      ref: item.ref ?? null,
      dependsOn: [...new Set(this.dependencies[i].map((dependency) => dependency.id))].sort(),
      row: {
        id: this.ids[i],
        tenantId: ctx.tenantId,
        workflowId: item.workflowId,
        agentId: agentIdOf(item),
        parentTaskId,
        description: item.description,
        priority: item.priority ?? 0,
        status: 'pending',
        input: item.input ?? {},
        output: null,
        error: null,
        durationMs: null,
        startedAt: null,
        finishedAt: null,
        ...createdBy(ctx),
        ...updatedBy(ctx),
      },
    }));
  }

  private workflowOf(dependency: NamedDependency, workflowOfTask: ReadonlyMap<string, string>): string | undefined {
    return dependency.index === undefined ? workflowOfTask.get(dependency.id) : this.items[dependency.index].workflowId;
  }
}
