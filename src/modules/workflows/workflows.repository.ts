import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { existingIds } from '../../common/persistence/existing-ids';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { idReferences, ReferenceKind } from '../../common/persistence/references';
import { Workflow, WorkflowStatus } from './workflow.entity';

/** The statuses a task can have, in the order `taskCounts` lists them. */
export const TASK_COUNT_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskCounts = Record<(typeof TASK_COUNT_STATUSES)[number], number>;

export interface WorkflowFilters {
  status?: WorkflowStatus;
}

/**
 * Every query on `workflows` (inserts go through UnitOfWork.insert, which adds the creation event
 * to the same statement). Writes take the caller's transaction manager; reads default to the pool.
 */
@Injectable()
export class WorkflowsRepository {
  /** References to workflows in bodies, by id. */
  readonly references: ReferenceKind;

  constructor(private readonly dataSource: DataSource) {
    this.references = idReferences('workflow', 'workflows', () => this.dataSource.manager);
  }

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Workflow | null> {
    return manager.findOneBy(Workflow, { tenantId, id });
  }

  /** The subset of `ids` that name workflows of the tenant. */
  existingIds(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    return existingIds(manager, Workflow, tenantId, ids);
  }

  /**
   * Locks the workflow row until the transaction ends (FOR NO KEY UPDATE: it still lets other
   * transactions insert tasks that reference it) and returns it; null when the tenant has none.
   */
  async lock(manager: EntityManager, tenantId: string, id: string): Promise<Workflow | null> {
    return manager
      .createQueryBuilder(Workflow, 'workflow')
      .where('workflow.id = :id AND workflow.tenantId = :tenantId', { id, tenantId })
      .setLock('for_no_key_update')
      .getOne();
  }

  list(tenantId: string, filters: WorkflowFilters, page: PageRequest): Promise<Page<Workflow>> {
    const query = this.dataSource.manager.createQueryBuilder(Workflow, 'workflow').where('workflow.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('workflow.status = :status', { status: filters.status });
    return paginate(query, page);
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<Workflow>): Promise<Workflow> {
    return compareAndSet(manager, Workflow, key, patch);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Workflow, key);
  }

  /** The ids of the workflow's tasks (subtasks included), in id order. */
  async taskIds(manager: EntityManager, tenantId: string, workflowId: string): Promise<string[]> {
    // Raw SQL, not the Task entity: the tasks module depends on this one, never the other way round.
    const rows: { id: string }[] = await manager.query('SELECT id FROM tasks WHERE tenant_id = $1 AND workflow_id = $2 ORDER BY id', [tenantId, workflowId]);
    return rows.map((row) => row.id);
  }

  /** How many of the tenant's tasks (of one workflow, when given) are in each status, zeros included. */
  async countTasks(tenantId: string, workflowId?: string, manager: EntityManager = this.dataSource.manager): Promise<TaskCounts> {
    // Raw SQL, not the Task entity: the tasks module depends on this one, never the other way round.
    const rows: { status: string; n: number }[] = await manager.query(
      'SELECT status, count(*)::int AS n FROM tasks WHERE tenant_id = $1 AND ($2::uuid IS NULL OR workflow_id = $2) GROUP BY status',
      [tenantId, workflowId ?? null],
    );
    const counts = Object.fromEntries(TASK_COUNT_STATUSES.map((status) => [status, 0])) as TaskCounts;
    for (const row of rows) if (row.status in counts) counts[row.status as keyof TaskCounts] = row.n;
    return counts;
  }
}
