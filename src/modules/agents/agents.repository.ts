import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { existingIds } from '../../common/persistence/existing-ids';
import { hydrate, queryRows } from '../../common/persistence/hydrate';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { Agent, AgentStatus } from './agent.entity';

export interface AgentFilters {
  status?: AgentStatus;
  role?: string;
}

/**
 * Every query on `agents` (inserts go through UnitOfWork.insert, which adds the creation events
 * to the same statement). Writes take the caller's transaction manager; reads default to the pool.
 */
@Injectable()
export class AgentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Agent | null> {
    return manager.findOneBy(Agent, { tenantId, id });
  }

  /** The subset of `ids` that name agents of the tenant. */
  existingIds(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    return existingIds(manager, Agent, tenantId, ids);
  }

  list(tenantId: string, filters: AgentFilters, page: PageRequest): Promise<Page<Agent>> {
    const query = this.dataSource.manager.createQueryBuilder(Agent, 'agent').where('agent.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('agent.status = :status', { status: filters.status });
    if (filters.role) query.andWhere('agent.role = :role', { role: filters.role });
    return paginate(query, page);
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<Agent>): Promise<Agent> {
    return compareAndSet(manager, Agent, key, patch);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Agent, key);
  }

  /**
   * Records a heartbeat in one statement. The version moves only when the status changes:
   * a heartbeat is liveness, not an edit, and must not make concurrent editors conflict.
   */
  async heartbeat(
    manager: EntityManager,
    key: { tenantId: string; id: string },
    status: AgentStatus | undefined,
    actorId: string,
  ): Promise<{ agent: Agent; previousStatus: AgentStatus } | null> {
    const rows = await queryRows(
      manager,
      `WITH previous AS (
         SELECT id, status FROM agents WHERE id = $1 AND tenant_id = $2 FOR UPDATE
       )
       UPDATE agents AS a SET
         last_heartbeat_at = now(),
         status = COALESCE($3::text, a.status),
         version = a.version + CASE WHEN $3::text IS NOT NULL AND $3::text <> a.status THEN 1 ELSE 0 END,
         updated_at = CASE WHEN $3::text IS NOT NULL AND $3::text <> a.status THEN now() ELSE a.updated_at END,
         updated_by = CASE WHEN $3::text IS NOT NULL AND $3::text <> a.status THEN $4 ELSE a.updated_by END
       FROM previous WHERE a.id = previous.id
       RETURNING a.*, previous.status AS previous_status`,
      [key.id, key.tenantId, status ?? null, actorId],
    );
    if (rows.length === 0) return null;
    return { agent: hydrate(manager, Agent, rows[0]), previousStatus: rows[0].previous_status as AgentStatus };
  }
}
