import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { runChange, runChangeByStatus } from '../../common/domain/run-lifecycle';
import { bulkItem, FieldError, FieldPath, singleItem, UnknownReferenceError, VersionConflictError } from '../../common/errors';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { ReferenceCheck, ReferenceKind } from '../../common/persistence/references';
import { NewRow, StatementOutcome, Transaction, UnitOfWork, WriteScope } from '../../common/persistence/unit-of-work';
import { AgentKeys, WithAgentKeys } from '../agents/agent-keys';
import { AgentsService } from '../agents/agents.service';
import { AgentMetricsService } from '../agents/metrics/agent-metrics.service';
import { TaskCounts, WorkflowsService } from '../workflows/workflows.service';
import { readRunUpdate } from '../../common/http/run-update.dto';
import { definedFields } from '../../common/http/versioned-update.dto';
import { UpdateTaskDto } from './dto/update-task.dto';
import { NewTask, PlannedTask, TaskBulkPlan } from './task-bulk-plan';
import { dependencyGraph, findCycle } from './task-graph';
import { TASK_TRANSITIONS } from './task-transitions';
import { Task, TaskStatus } from './task.entity';
import {
  DependencyOutsideWorkflowError,
  missingTask,
  otherWorkflow,
  TaskBlockedError,
  TaskDependencyCycleError,
  TaskNotFoundError,
  TaskNotPendingError,
} from './tasks.errors';
import { TaskEvents } from './tasks.events';
import { DependencyEdge, DependencyStatus, TaskFields, TaskFilters, TasksRepository } from './tasks.repository';
import { updatedBy } from '../../common/persistence/new-row';

/** A task with the ids of the tasks it depends on. */
export interface TaskView {
  task: Task;
  dependsOn: string[];
}

export interface CreatedTask extends TaskView {
  ref: string | null;
}

/** The fields of a task a PATCH may change besides its status. */
export type TaskChanges = Omit<UpdateTaskDto, 'status' | 'version' | 'startedAt'>;

@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly workflows: WorkflowsService,
    private readonly agents: AgentsService,
    private readonly metrics: AgentMetricsService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(ctx: RequestContext, input: NewTask): Promise<WithAgentKeys<TaskView>> {
    const { planned, agentKeys } = await this.plan(ctx, [input], { field: singleItem, parentTaskId: null });
    const [created] = await this.insert(ctx, planned);
    return { value: created, agentKeys };
  }

  /**
   * Creates every task or none, in one transaction, answering in input order. A dependency may
   * name another item by its `ref`; references are checked for the whole batch before anything
   * is written, and a problem names the item (`items.3.agentId`).
   */
  async createMany(ctx: RequestContext, inputs: NewTask[]): Promise<WithAgentKeys<CreatedTask[]>> {
    const { planned, agentKeys } = await this.plan(ctx, inputs, { field: bulkItem, parentTaskId: null });
    return { value: await this.insert(ctx, planned), agentKeys };
  }

  /** Creates a subtask of `parentId`, in the parent's workflow. */
  async createSubtask(ctx: RequestContext, parentId: string, input: Omit<NewTask, 'workflowId' | 'ref'>): Promise<WithAgentKeys<TaskView>> {
    const parent = await this.find(ctx, parentId);
    const { planned, agentKeys } = await this.plan(ctx, [{ ...input, workflowId: parent.task.workflowId }], {
      field: singleItem,
      parentTaskId: parent.task.id,
    });
    const [created] = await this.insert(ctx, planned);
    return { value: created, agentKeys };
  }

  /** The tenant's task, with the key of its agent. */
  async get(ctx: RequestContext, id: string): Promise<WithAgentKeys<TaskView>> {
    const view = await this.find(ctx, id);
    return this.agents.withKeys(ctx, view, [view.task.agentId]);
  }

  /** References to tasks in bodies (see ReferenceCheck). */
  get references(): ReferenceKind {
    return this.tasks.references;
  }

  /** The subset of `ids` that name the tenant's tasks: one query, for checking many references at once. */
  existingIds(ctx: RequestContext, ids: string[]): Promise<Set<string>> {
    return this.tasks.existingIds(ctx.tenantId, ids);
  }

  /** The tenant's tasks; `filters.agentId` may be an agent's id or key (one that names no agent matches nothing). */
  async list(ctx: RequestContext, filters: TaskFilters, page: PageRequest): Promise<WithAgentKeys<Page<TaskView>>> {
    const agentId = filters.agentId === undefined ? undefined : await this.agents.resolveOne(ctx, filters.agentId);
    if (agentId === null) return { value: { items: [], nextCursor: null }, agentKeys: AgentKeys.none };
    return this.withDependencies(ctx, this.tasks.list(ctx.tenantId, { ...filters, agentId }, page));
  }

  /** The tasks of a workflow the caller can see (404 otherwise). */
  async listForWorkflow(
    ctx: RequestContext,
    workflowId: string,
    filters: Omit<TaskFilters, 'workflowId'>,
    page: PageRequest,
  ): Promise<WithAgentKeys<Page<TaskView>>> {
    await this.workflows.get(ctx, workflowId);
    return this.list(ctx, { ...filters, workflowId }, page);
  }

  async listSubtasks(ctx: RequestContext, id: string, page: PageRequest): Promise<WithAgentKeys<Page<TaskView>>> {
    await this.find(ctx, id);
    return this.list(ctx, { parentTaskId: id }, page);
  }

  /** The tasks `id` depends on, each with its status. */
  async listDependencies(ctx: RequestContext, id: string, page: PageRequest): Promise<WithAgentKeys<Page<TaskView>>> {
    await this.find(ctx, id);
    return this.withDependencies(ctx, this.tasks.listDependencies(ctx.tenantId, id, page));
  }

  /**
   * Applies a change made against `expectedVersion`: fields, and a status change along
   * TASK_TRANSITIONS. See `change` for the rules; an agentId must name one of the tenant's agents.
   */
  async update(ctx: RequestContext, id: string, expectedVersion: number, input: UpdateTaskDto): Promise<WithAgentKeys<TaskView>> {
    const { status, startedAt, changes } = readRunUpdate(input);
    // Finishing counts the outcome in the agent's metrics and a new agentId needs its agent locked
    // first (see `change`): those take the transaction. Everything else is one statement.
    if (this.tasks.setsInOneStatement(changes) && status !== 'completed' && status !== 'failed') {
      const view = await this.changeInOneStatement(ctx, id, expectedVersion, { status, startedAt, fields: changes });
      if (view) return this.agents.withKeys(ctx, view, [view.task.agentId]);
      // The task changed between the statement's read and its write: the transaction reads it again.
    }
    let known: AgentKeys | undefined;
    if (changes.agentId) {
      const { resolved, errors } = await new ReferenceCheck(ctx.tenantId).add(this.agents.references, 'agentId', changes.agentId).resolveAll();
      // The path comes first: a task the caller cannot see is a 404 whatever the body says.
      if (errors.length > 0) throw (await this.tasks.findById(ctx.tenantId, id)) ? new UnknownReferenceError(errors) : new TaskNotFoundError(id);
      changes.agentId = resolved.id(this.agents.references, changes.agentId);
      known = this.agents.keysResolved(resolved);
    }
    try {
      const view = await this.unitOfWork.run(ctx, (tx) => this.change(tx, id, { status, changes, expectedVersion, startedAt }));
      return await this.agents.withKeys(ctx, view, [view.task.agentId], known);
    } catch (error) {
      if (this.tasks.isMissingAgentError(error)) throw new UnknownReferenceError([missingAgent('agentId')]);
      throw error;
    }
  }

  /**
   * A change that writes nothing but the task and its events (no agent to lock or to count an
   * outcome for) as ONE statement (see TasksRepository.changeStatement), under the rules of
   * `change`, answered alike: 404, then the version (409), then the lifecycle (422), then the
   * dependencies (409 with blockedBy). The statement applies the change only from a status the
   * lifecycle allows it from and only while the dependencies allow a start, so it cannot write
   * what these checks refuse. Undefined when the statement's read passed them but the task
   * changed before its write (a concurrent writer): the caller then runs `change`.
   */
  private changeInOneStatement(
    ctx: RequestContext,
    id: string,
    expectedVersion: number,
    request: { status?: TaskStatus; startedAt?: Date; fields: TaskFields },
  ): Promise<TaskView | undefined> {
    const { status, startedAt, fields } = request;
    const rules = runChangeByStatus({ type: 'task', id }, TASK_TRANSITIONS, { status, startedAt });
    const statement = this.tasks.changeStatement(
      ctx,
      { tenantId: ctx.tenantId, id, expectedVersion },
      { status, allowedFrom: rules.allowed, fields, updatedBy: updatedBy(ctx) },
    );
    return this.unitOfWork.statement(ctx, statement, (rows): StatementOutcome<TaskView | undefined> => {
      const { found, changed } = this.tasks.readChange(rows);
      if (!found) throw new TaskNotFoundError(id);
      if (found.version !== expectedVersion) throw new VersionConflictError('task', id, expectedVersion, found.version);
      const refusal = rules.refusal(found.status);
      if (refusal) throw refusal;
      if (rules.allowed.get(found.status)!.starts) refuseIfBlocked(id, found.dependencies);
      if (!changed) return { result: undefined, events: [] };
      const { task, from, eventIds, occurredAt } = changed;
      const events = changeEvents(task, Object.keys(fields), from, status);
      if (eventIds.length !== events.length) throw new Error(`the change of task ${id} stored ${eventIds.length} events, not ${events.length}`);
      return {
        result: { task, dependsOn: found.dependencies.map((dependency) => dependency.id) },
        events: events.map((event, i) => ({ event, stored: { id: eventIds[i], occurredAt } })),
      };
    });
  }

  /**
   * Changes a task inside the caller's transaction, for use by other modules too (e.g. to record
   * a result). The version is checked first when one is given, so a caller that lost a race hears
   * 409, not 422 about a state it never saw. A task in a final state no longer changes. Starting
   * it (→ running, or pending → completed | failed in one step) needs every dependency completed,
   * else TaskBlockedError (409); `startedAt` says when the work started (default: now) and is taken
   * only by a start. Reaching completed or failed counts the outcome in the agent's metrics in the
   * same transaction. `changes.agentId` must already have been resolved to an id.
   *
   * Locks are taken in one order on every path that writes a task and its agent's rows: the
   * agents (FOR KEY SHARE) before the task, the agent's metrics after. Deleting an agent locks the
   * agent first too, so the two wait for each other instead of deadlocking.
   */
  async change(
    tx: Transaction,
    id: string,
    request: { status?: TaskStatus; changes?: TaskChanges; expectedVersion?: number; startedAt?: Date },
  ): Promise<TaskView> {
    const { tenantId } = tx.context;
    const { status, changes = {}, expectedVersion, startedAt } = request;
    const found = await this.tasks.findWithDependencies(tenantId, id, tx.manager);
    if (!found) throw new TaskNotFoundError(id);
    const { task: before, dependencies } = found;
    if (expectedVersion !== undefined && before.version !== expectedVersion) {
      throw new VersionConflictError('task', id, expectedVersion, before.version);
    }
    const run = runChange({ type: 'task', id, status: before.status }, TASK_TRANSITIONS, { status, startedAt });
    if (run.starts) refuseIfBlocked(id, dependencies);

    await this.agents.holdForWrite(tx, [before.agentId, changes.agentId ?? null]);
    const task = await this.tasks.update(tx.manager, { tenantId, id, expectedVersion: before.version }, { ...changes, ...run.patch, ...updatedBy(tx.context) });

    for (const event of changeEvents(task, Object.keys(changes), before.status, status)) tx.record(event);
    if ((status === 'completed' || status === 'failed') && task.agentId) {
      await this.metrics.recordTaskOutcome(tx, task.agentId, status, task.durationMs);
    }
    return { task, dependsOn: dependencies.map((dependency) => dependency.id) };
  }

  /**
   * Applies an outcome reported for a task (the outbox's `core/task.result@1`) in the caller's
   * transaction: one compare-and-set to completed or failed (from pending in one step, too).
   */
  applyResult(
    tx: Transaction,
    id: string,
    result: { status: 'completed' | 'failed'; output?: Record<string, unknown>; error?: string; durationMs?: number },
  ): Promise<TaskView> {
    const { status, output, error, durationMs } = result;
    return this.change(tx, id, { status, changes: definedFields({ output, error, durationMs }) });
  }

  /**
   * Deletes the task with its subtasks (at any depth) and every dependency edge to or from them
   * (guarded by its version when the caller sent one), recording `task.deleted`. Changing the
   * shape of the workflow's task graph, it holds the workflow's lock like `addDependencies`.
   */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const { tenantId } = ctx;
      const seen = await this.tasks.findById(tenantId, id, tx.manager);
      if (!seen) throw new TaskNotFoundError(id);
      await this.workflows.lock(tx, seen.workflowId);
      const subtaskIds = await this.tasks.descendantIds(tx.manager, tenantId, id);
      const version = await this.tasks.delete(tx.manager, { tenantId, id, expectedVersion });
      tx.record({
        type: TaskEvents.deleted,
        aggregateType: 'task',
        aggregateId: id,
        aggregateVersion: version,
        payload: { taskId: id, workflowId: seen.workflowId, subtaskIds },
      });
    });
  }

  /** How many of the tenant's tasks (of one workflow, when given) are in each status. */
  countByStatus(ctx: RequestContext, workflowId?: string): Promise<TaskCounts> {
    return this.workflows.countTasks(ctx, workflowId);
  }

  /**
   * Makes a pending task also wait for `dependsOn` (tasks of its workflow). Holds the workflow's
   * lock while it checks and writes, so concurrent additions cannot close a cycle between them;
   * a dependency that would close one is refused with the cycle. Moves the task's version
   * (guarded by `expectedVersion` when given), so a concurrent start of the task conflicts.
   */
  async addDependencies(ctx: RequestContext, id: string, dependsOn: string[], expectedVersion?: number): Promise<WithAgentKeys<TaskView>> {
    const view = await this.unitOfWork.run(ctx, async (tx): Promise<TaskView> => {
      const { tenantId } = ctx;
      const seen = await this.tasks.findById(tenantId, id, tx.manager);
      if (!seen) throw new TaskNotFoundError(id);
      await this.workflows.lock(tx, seen.workflowId);
      const task = await this.tasks.lock(tx.manager, tenantId, id);
      if (!task) throw new TaskNotFoundError(id);
      if (expectedVersion !== undefined && task.version !== expectedVersion) {
        throw new VersionConflictError('task', id, expectedVersion, task.version);
      }
      if (task.status !== 'pending') throw new TaskNotPendingError(id, task.status);

      const named = dependsOn.map((target) => target.toLowerCase());
      const targets = [...new Set(named)];
      const workflowOf = await this.tasks.workflowsOf(tenantId, targets, tx.manager);
      const unknown = named.flatMap((target, k) => (workflowOf.has(target) ? [] : [missingTask(`dependsOn.${k}`, target)]));
      if (unknown.length > 0) throw new UnknownReferenceError(unknown);
      const outside = named.flatMap((target, k) => (workflowOf.get(target) === task.workflowId ? [] : [otherWorkflow(`dependsOn.${k}`, target)]));
      if (outside.length > 0) throw new DependencyOutsideWorkflowError(outside);

      const newEdges = targets.map((target) => [id, target] as const);
      const existing = await this.tasks.reachableEdges(tx.manager, tenantId, targets);
      const cycle = findCycle(dependencyGraph([...newEdges, ...existing]), [id]);
      if (cycle) throw new TaskDependencyCycleError(cycle);

      const added = await this.tasks.insertDependencies(tx.manager, tenantId, newEdges);
      const all = (await this.tasks.dependsOnOf(tenantId, [id], tx.manager)).get(id)!;
      if (added.length === 0) return { task, dependsOn: all };
      const updated = await this.tasks.update(tx.manager, { tenantId, id, expectedVersion: task.version }, updatedBy(ctx));
      tx.record({
        type: TaskEvents.updated,
        aggregateType: 'task',
        aggregateId: id,
        aggregateVersion: updated.version,
        payload: { taskId: id, changed: ['dependsOn'], addedDependsOn: added.map((edge) => edge[1]) },
      });
      return { task: updated, dependsOn: all };
    });
    return this.agents.withKeys(ctx, view, [view.task.agentId]);
  }

  /**
   * Plans a batch (see TaskBulkPlan): the refs first, then one lookup of the items' workflows and
   * agents and one of the existing tasks they depend on, then the dependency rules; answers the
   * rows to write, every item with its id and its dependencies as ids.
   */
  private async plan(
    ctx: RequestContext,
    sent: NewTask[],
    options: { field: FieldPath; parentTaskId: string | null },
  ): Promise<{ planned: PlannedTask[]; agentKeys: AgentKeys }> {
    const plan = new TaskBulkPlan(sent, options.field);
    const check = new ReferenceCheck(ctx.tenantId);
    plan.items.forEach((item, i) => {
      check.add(this.workflows.references, options.field(i, 'workflowId'), item.workflowId);
      check.add(this.agents.references, options.field(i, 'agentId'), item.agentId);
    });
    const [{ resolved, errors }, workflowOfTask] = await Promise.all([check.resolveAll(), this.tasks.workflowsOf(ctx.tenantId, plan.existingTargets)]);
    plan.checkDependencies(workflowOfTask, errors);
    const planned = plan.tasks(ctx, options.parentTaskId, (item) => resolved.id(this.agents.references, item.agentId));
    return { planned, agentKeys: this.agents.keysResolved(resolved) };
  }

  /** Writes planned tasks and their dependencies with their `task.created` events, all or nothing. */
  private async insert(ctx: RequestContext, planned: PlannedTask[]): Promise<CreatedTask[]> {
    const dependsOnOf = new Map(planned.map((p) => [p.row.id, p.dependsOn]));
    const creationEvent = (row: NewRow<Task>): NewDomainEvent<'task.created'> => ({
      type: TaskEvents.created,
      aggregateType: 'task',
      aggregateId: row.id,
      aggregateVersion: 1,
      payload: {
        taskId: row.id,
        workflowId: row.workflowId,
        parentTaskId: row.parentTaskId,
        agentId: row.agentId,
        status: row.status,
        priority: row.priority,
        dependsOn: dependsOnOf.get(row.id)!,
      },
    });
    const rows = planned.map((p) => p.row);
    const edges: DependencyEdge[] = planned.flatMap((p) => p.dependsOn.map((target) => [p.row.id, target] as const));
    try {
      const write = (scope: WriteScope) => this.unitOfWork.insert(scope, Task, rows, creationEvent);
      // Without dependencies, the tasks and their events are one statement; with them, one transaction.
      const tasks =
        edges.length === 0
          ? await write(ctx)
          : await this.unitOfWork.run(ctx, async (tx) => {
              const inserted = await write(tx);
              await this.tasks.insertDependencies(tx.manager, ctx.tenantId, edges);
              return inserted;
            });
      return tasks.map((task, i) => ({ task, dependsOn: planned[i].dependsOn, ref: planned[i].ref }));
    } catch (error) {
      if (this.tasks.isMissingAgentError(error)) throw new UnknownReferenceError([missingAgent('agentId')]);
      throw error;
    }
  }

  /** The tenant's task with the ids it depends on. */
  private async find(ctx: RequestContext, id: string): Promise<TaskView> {
    const found = await this.tasks.findWithDependencies(ctx.tenantId, id);
    if (!found) throw new TaskNotFoundError(id);
    return { task: found.task, dependsOn: found.dependencies.map((dependency) => dependency.id) };
  }

  /** A page of tasks with what each depends on and the keys of their agents (two lookups for the page, side by side). */
  private async withDependencies(ctx: RequestContext, pending: Promise<Page<Task>>): Promise<WithAgentKeys<Page<TaskView>>> {
    const page = await pending;
    const [dependsOn, agentKeys] = await Promise.all([
      this.tasks.dependsOnOf(
        ctx.tenantId,
        page.items.map((task) => task.id),
      ),
      this.agents.keysFor(
        ctx,
        page.items.map((task) => task.agentId),
      ),
    ]);
    return { value: { items: page.items.map((task) => ({ task, dependsOn: dependsOn.get(task.id)! })), nextCursor: page.nextCursor }, agentKeys };
  }
}

function missingAgent(field: string): FieldError {
  return { field, message: `${field} does not name an existing agent` };
}

/** A start needs every dependency completed: TaskBlockedError (409) names the others. */
function refuseIfBlocked(id: string, dependencies: DependencyStatus[]): void {
  const blockedBy = dependencies.filter((dependency) => dependency.status !== 'completed').map((dependency) => dependency.id);
  if (blockedBy.length > 0) throw new TaskBlockedError(id, blockedBy);
}

/** The events of a change to `task` (as changed): `task.updated` when fields were sent, `task.status_changed` when a status was. */
function changeEvents(task: Task, changed: string[], from: TaskStatus, status: TaskStatus | undefined): NewDomainEvent[] {
  const events: NewDomainEvent[] = [];
  const { id: aggregateId, version: aggregateVersion } = task;
  if (changed.length > 0) {
    events.push({ type: TaskEvents.updated, aggregateType: 'task', aggregateId, aggregateVersion, payload: { taskId: task.id, changed } });
  }
  if (status !== undefined) {
    const payload = { taskId: task.id, workflowId: task.workflowId, agentId: task.agentId, from, to: status };
    events.push({ type: TaskEvents.statusChanged, aggregateType: 'task', aggregateId, aggregateVersion, payload });
  }
  return events;
}
