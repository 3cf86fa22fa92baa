import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { runChange } from '../../common/domain/run-lifecycle';
import { VersionConflictError } from '../../common/errors';
import { readRunUpdate } from '../../common/http/run-update.dto';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { ReferenceKind } from '../../common/persistence/references';
import { Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { newAuditedRow, updatedBy } from '../../common/persistence/new-row';
import { CreateWorkflowDto } from './dto/create-workflow.dto';
import { UpdateWorkflowDto } from './dto/update-workflow.dto';
import { WORKFLOW_TRANSITIONS } from './workflow-transitions';
import { Workflow } from './workflow.entity';
import { WorkflowNotFoundError } from './workflows.errors';
import { WorkflowEvents } from './workflows.events';
import { TaskCounts, WorkflowFilters, WorkflowsRepository } from './workflows.repository';

export type { TaskCounts } from './workflows.repository';

/** A workflow with how many of its tasks are in each status. */
export interface WorkflowWithCounts {
  workflow: Workflow;
  taskCounts: TaskCounts;
}

const NO_TASKS: TaskCounts = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };

@Injectable()
export class WorkflowsService {
  constructor(
    private readonly workflows: WorkflowsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Creates a pending workflow and its `workflow.created` event in one statement. */
  async create(ctx: RequestContext, input: CreateWorkflowDto): Promise<WorkflowWithCounts> {
    const row = newAuditedRow(ctx, {
      description: input.description,
      status: 'pending' as const,
      input: input.input ?? {},
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    const [workflow] = await this.unitOfWork.insert(ctx, Workflow, [row], (created) => ({
      type: WorkflowEvents.created,
      aggregateType: 'workflow',
      aggregateId: created.id,
      aggregateVersion: 1,
      payload: { workflowId: created.id, status: created.status },
    }));
    return { workflow, taskCounts: { ...NO_TASKS } };
  }

  /** The tenant's workflow, or WorkflowNotFoundError (404) for one it cannot see. */
  async get(ctx: RequestContext, id: string): Promise<Workflow> {
    const workflow = await this.workflows.findById(ctx.tenantId, id);
    if (!workflow) throw new WorkflowNotFoundError(id);
    return workflow;
  }

  async getWithTaskCounts(ctx: RequestContext, id: string): Promise<WorkflowWithCounts> {
    const [workflow, taskCounts] = await Promise.all([this.get(ctx, id), this.workflows.countTasks(ctx.tenantId, id)]);
    return { workflow, taskCounts };
  }

  /** How many of the tenant's tasks (of one workflow, when given) are in each status. */
  countTasks(ctx: RequestContext, workflowId?: string): Promise<TaskCounts> {
    return this.workflows.countTasks(ctx.tenantId, workflowId);
  }

  /**
   * Deletes the workflow with its tasks, their subtasks and dependencies (guarded by its version
   * when the caller sent one), recording `workflow.deleted` with the ids of the tasks. The row is
   * locked first, so no task can be added to it meanwhile.
   */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const locked = await this.workflows.lock(tx.manager, ctx.tenantId, id);
      const taskIds = locked ? await this.workflows.taskIds(tx.manager, ctx.tenantId, id) : [];
      const version = await this.workflows.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({ type: WorkflowEvents.deleted, aggregateType: 'workflow', aggregateId: id, aggregateVersion: version, payload: { workflowId: id, taskIds } });
    });
  }

  list(ctx: RequestContext, filters: WorkflowFilters, page: PageRequest): Promise<Page<Workflow>> {
    return this.workflows.list(ctx.tenantId, filters, page);
  }

  /** References to workflows in bodies (see ReferenceCheck). */
  get references(): ReferenceKind {
    return this.workflows.references;
  }

  /** Which of `ids` name workflows of the caller's tenant (for validating references in bodies). */
  existingIds(ctx: RequestContext, ids: string[]): Promise<Set<string>> {
    return this.workflows.existingIds(ctx.tenantId, ids);
  }

  /**
   * Locks the workflow row for the rest of `tx` and returns it (null when the tenant has none).
   * Whoever changes the shape of a workflow's task graph holds this lock, so two such changes
   * never check the graph against each other's uncommitted edges.
   */
  lock(tx: Transaction, id: string): Promise<Workflow | null> {
    return this.workflows.lock(tx.manager, tx.context.tenantId, id);
  }

  /**
   * Applies a change made against `expectedVersion`: fields, and a status change along
   * WORKFLOW_TRANSITIONS (which stamps startedAt or finishedAt; `startedAt` in the body says when
   * the work started, for a change that starts the workflow). The version is checked first,
   * so a caller that lost a race hears 409, not 422 about a state it never saw.
   */
  update(ctx: RequestContext, id: string, expectedVersion: number, input: UpdateWorkflowDto): Promise<WorkflowWithCounts> {
    const { status, startedAt, changes } = readRunUpdate(input);
    const changed = Object.keys(changes);
    return this.unitOfWork.run(ctx, async (tx) => {
      const before = await this.workflows.findById(ctx.tenantId, id, tx.manager);
      if (!before) throw new WorkflowNotFoundError(id);
      if (before.version !== expectedVersion) throw new VersionConflictError('workflow', id, expectedVersion, before.version);
      const run = runChange({ type: 'workflow', id, status: before.status }, WORKFLOW_TRANSITIONS, { status, startedAt });
      const workflow = await this.workflows.update(
        tx.manager,
        { tenantId: ctx.tenantId, id, expectedVersion },
        { ...changes, ...run.patch, ...updatedBy(ctx) },
      );

      if (changed.length > 0) {
        tx.record({
          type: WorkflowEvents.updated,
          aggregateType: 'workflow',
          aggregateId: id,
          aggregateVersion: workflow.version,
          payload: { workflowId: id, changed },
        });
      }
      if (status !== undefined) {
        tx.record({
          type: WorkflowEvents.statusChanged,
          aggregateType: 'workflow',
          aggregateId: id,
          aggregateVersion: workflow.version,
          payload: { workflowId: id, from: before.status, to: status },
        });
      }
      return { workflow, taskCounts: await this.workflows.countTasks(ctx.tenantId, id, tx.manager) };
    });
  }
}
