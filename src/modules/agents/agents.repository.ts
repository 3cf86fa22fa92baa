import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { existingIds } from '../../common/persistence/existing-ids';
import { hydrate, queryRows } from '../../common/persistence/hydrate';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { ReferencedRow } from '../../common/persistence/references';
import { Agent, AgentStatus } from './agent.entity';
import { UpdatedBy } from '../../common/persistence/new-row';

export interface AgentFilters {
  status?: AgentStatus;
  role?: string;
  key?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  /** The tenant's agent with this key. */
  findByKey(tenantId: string, key: string, manager: EntityManager = this.dataSource.manager): Promise<Agent | null> {
    return manager.findOneBy(Agent, { tenantId, key });
  }

  /** Reads the agent with this key and locks its row until the transaction ends. */
  lockByKey(manager: EntityManager, tenantId: string, key: string): Promise<Agent | null> {
    return manager
      .createQueryBuilder(Agent, 'agent')
      .where('agent.tenantId = :tenantId AND agent.key = :key', { tenantId, key })
      .setLock('pessimistic_write')
      .getOne();
  }

  /**
   * Resolves references to agents, each an id or a key, in one query: name → the agent's id and
   * key, for every name that names an agent of the tenant. Keys are never shaped like uuids, so a
   * uuid is an id.
   */
  async resolve(tenantId: string, names: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, ReferencedRow>> {
    const ids = names.filter((name) => UUID.test(name)).map((name) => name.toLowerCase());
    const keys = names.filter((name) => !UUID.test(name));
    if (names.length === 0) return new Map();
    const rows: { id: string; key: string | null }[] = await manager.query(
      'SELECT id, key FROM agents WHERE tenant_id = $1 AND (id = ANY($2::uuid[]) OR key = ANY($3::text[]))',
      [tenantId, ids, keys],
    );
    const byName = new Map<string, ReferencedRow>();
    for (const row of rows) {
      byName.set(row.id, row);
      if (row.key !== null) byName.set(row.key, row);
    }
    return new Map(
      names.flatMap((name) => {
        const row = byName.get(UUID.test(name) ? name.toLowerCase() : name);
        return row === undefined ? [] : [[name, row] as const];
      }),
    );
  }

  /** Takes FOR KEY SHARE locks on the agents among `ids`, in id order (what a foreign key check takes, only earlier). */
  async lockForReference(manager: EntityManager, tenantId: string, ids: string[]): Promise<void> {
    const distinct = [...new Set(ids)].sort();
    if (distinct.length === 0) return;
    await manager.query('SELECT id FROM agents WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR KEY SHARE', [tenantId, distinct]);
  }

  /** id → key (null for an agent without one) of each of `ids` that names an agent of the tenant. */
  async keysOf(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string | null>> {
    const distinct = [...new Set(ids)];
    if (distinct.length === 0) return new Map();
    const rows: { id: string; key: string | null }[] = await manager.query('SELECT id, key FROM agents WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [
      tenantId,
      distinct,
    ]);
    return new Map(rows.map((row) => [row.id, row.key]));
  }

  /** How many of the tenant's agents are in each status (statuses without agents are absent). */
  async countByStatus(tenantId: string): Promise<Record<string, number>> {
    const rows: { status: string; n: number }[] = await this.dataSource.query(
      'SELECT status, count(*)::int AS n FROM agents WHERE tenant_id = $1 GROUP BY status',
      [tenantId],
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  /** The subset of `ids` that name agents of the tenant. */
  existingIds(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    return existingIds(manager, Agent, tenantId, ids);
  }

  list(tenantId: string, filters: AgentFilters, page: PageRequest): Promise<Page<Agent>> {
    const query = this.dataSource.manager.createQueryBuilder(Agent, 'agent').where('agent.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('agent.status = :status', { status: filters.status });
    if (filters.role) query.andWhere('agent.role = :role', { role: filters.role });
    if (filters.key) query.andWhere('agent.key = :key', { key: filters.key });
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
    author: UpdatedBy,
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
         updated_by = CASE WHEN $3::text IS NOT NULL AND $3::text <> a.status THEN $4 ELSE a.updated_by END,
         updated_by_key_id = CASE WHEN $3::text IS NOT NULL AND $3::text <> a.status THEN $5::uuid ELSE a.updated_by_key_id END
       FROM previous WHERE a.id = previous.id
       RETURNING a.*, previous.status AS previous_status`,
      [key.id, key.tenantId, status ?? null, author.updatedBy, author.updatedByKeyId],
    );
    if (rows.length === 0) return null;
    return { agent: hydrate(manager, Agent, rows[0]), previousStatus: rows[0].previous_status as AgentStatus };
  }
}
