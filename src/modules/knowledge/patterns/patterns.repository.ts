import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../../common/persistence/compare-and-set';
import { hydrate, queryRows } from '../../../common/persistence/hydrate';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { Pattern } from './pattern.entity';
import { UpdatedBy } from '../../../common/persistence/new-row';

/** Every query on `patterns` (creates go through UnitOfWork.insert). */
@Injectable()
export class PatternsRepository {
  constructor(private readonly dataSource: DataSource) {}

  update(manager: EntityManager, key: CasKey, patch: Patch<Pattern>): Promise<Pattern> {
    return compareAndSet(manager, Pattern, key, patch);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Pattern, key);
  }

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Pattern | null> {
    return manager.findOneBy(Pattern, { tenantId, id });
  }

  list(tenantId: string, page: PageRequest): Promise<Page<Pattern>> {
    const query = this.dataSource.manager.createQueryBuilder(Pattern, 'pattern').where('pattern.tenantId = :tenantId', { tenantId });
    return paginate(query, page);
  }

  /** The most used patterns first; among equally used ones, the newest first (a backward scan of one index). */
  mostUsed(tenantId: string, limit: number): Promise<Pattern[]> {
    return this.dataSource.manager
      .createQueryBuilder(Pattern, 'pattern')
      .where('pattern.tenantId = :tenantId', { tenantId })
      .orderBy('pattern.usageCount', 'DESC')
      .addOrderBy('pattern.id', 'DESC')
      .take(limit)
      .getMany();
  }

  /**
   * Counts one use in a single UPDATE, so concurrent uses never lose a count. Usage is not an
   * edit: the version stays, and editors holding it do not conflict.
   */
  async incrementUsage(manager: EntityManager, key: { tenantId: string; id: string }): Promise<Pattern | null> {
    const rows = await queryRows(manager, `UPDATE patterns SET usage_count = usage_count + 1 WHERE id = $1 AND tenant_id = $2 RETURNING *`, [
      key.id,
      key.tenantId,
    ]);
    return rows.length === 0 ? null : hydrate(manager, Pattern, rows[0]);
  }

  /**
   * Inserts the pattern with one use, or counts a use of the tenant's pattern with that trigger
   * and takes the new steps (a change of steps moves the version). One statement, race-free.
   */
  async upsertUsed(
    manager: EntityManager,
    row: { id: string; tenantId: string; trigger: string; steps: unknown[]; author: UpdatedBy },
  ): Promise<{ pattern: Pattern; created: boolean }> {
    const rows = await queryRows(
      manager,
      `INSERT INTO patterns (id, tenant_id, trigger, steps, usage_count, version, created_by, updated_by, created_by_key_id, updated_by_key_id)
       VALUES ($1, $2, $3, $4::jsonb, 1, 1, $5, $5, $6::uuid, $6::uuid)
       ON CONFLICT (tenant_id, trigger) DO UPDATE SET
         usage_count = patterns.usage_count + 1,
         steps = EXCLUDED.steps,
         version = patterns.version + CASE WHEN patterns.steps IS DISTINCT FROM EXCLUDED.steps THEN 1 ELSE 0 END,
         updated_at = CASE WHEN patterns.steps IS DISTINCT FROM EXCLUDED.steps THEN now() ELSE patterns.updated_at END,
         updated_by = CASE WHEN patterns.steps IS DISTINCT FROM EXCLUDED.steps THEN EXCLUDED.updated_by ELSE patterns.updated_by END,
         updated_by_key_id = CASE WHEN patterns.steps IS DISTINCT FROM EXCLUDED.steps THEN EXCLUDED.updated_by_key_id ELSE patterns.updated_by_key_id END
       RETURNING *, (xmax = 0) AS created_`,
      [row.id, row.tenantId, row.trigger, JSON.stringify(row.steps), row.author.updatedBy, row.author.updatedByKeyId],
    );
    return { pattern: hydrate(manager, Pattern, rows[0]), created: rows[0].created_ === true };
  }
}
