import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { isForeignKeyViolationOf } from '../../common/persistence/foreign-key-violation';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { idReferences, ReferenceKind } from '../../common/persistence/references';
import { Message } from './message.entity';

export const MESSAGE_DIRECTIONS = ['in', 'out', 'both'] as const;
/** Seen from one agent: messages it received (in), sent (out), or either. */
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/**
 * Every query on `messages` (inserts go through UnitOfWork.insert, which adds the creation event
 * to the same statement). Writes take the caller's transaction manager; reads default to the pool.
 */
@Injectable()
export class MessagingRepository {
  /** References to tasks in bodies, by id. */
  readonly taskReferences: ReferenceKind;

  constructor(private readonly dataSource: DataSource) {
    this.taskReferences = idReferences('task', 'tasks', () => this.dataSource.manager);
  }

  /** True when an insert failed because its task_id names no task (deleted since it was checked). */
  isMissingTaskError(error: unknown): boolean {
    return isForeignKeyViolationOf(this.dataSource, Message, 'taskId', error);
  }

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Message | null> {
    return manager.findOneBy(Message, { tenantId, id });
  }

  /** An agent's messages in creation order; a message an agent sent to itself appears once. */
  listForAgent(tenantId: string, agentId: string, direction: MessageDirection, page: PageRequest): Promise<Page<Message>> {
    const query = this.dataSource.manager.createQueryBuilder(Message, 'message').where('message.tenantId = :tenantId', { tenantId });
    if (direction === 'in') query.andWhere('message.toAgentId = :agentId', { agentId });
    else if (direction === 'out') query.andWhere('message.fromAgentId = :agentId', { agentId });
    else query.andWhere('(message.toAgentId = :agentId OR message.fromAgentId = :agentId)', { agentId });
    return paginate(query, page);
  }

  /** The messages about a task, in creation order. */
  listForTask(tenantId: string, taskId: string, page: PageRequest): Promise<Page<Message>> {
    const query = this.dataSource.manager
      .createQueryBuilder(Message, 'message')
      .where('message.tenantId = :tenantId AND message.taskId = :taskId', { tenantId, taskId });
    return paginate(query, page);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Message, key);
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<Message>): Promise<Message> {
    return compareAndSet(manager, Message, key, patch);
  }

  /**
   * Whether the tenant has this task. A read-only query on `tasks` rather than a call into the
   * tasks module: messaging needs nothing of a task but its existence, and a dependency on the
   * tasks module would point the wrong way (tasks are the ones that exchange messages).
   */
  async taskExists(tenantId: string, taskId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM tasks WHERE id = $1 AND tenant_id = $2', [taskId, tenantId]);
    return rows.length > 0;
  }
}
