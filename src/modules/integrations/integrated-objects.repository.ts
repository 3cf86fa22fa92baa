import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { hydrate } from '../../common/persistence/hydrate';
import { insertStatement } from '../../common/persistence/insert-statement';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { NewRow } from '../../common/persistence/unit-of-work';
import { IntegratedObject } from './integrated-object.entity';

export interface IntegratedObjectFilters {
  companyId?: string;
  objectType?: string;
  platform?: string;
}

/** Where an object comes from, unique within a tenant; a null company is a key of its own (not a wildcard). */
export interface ImportKey {
  tenantId: string;
  platform: string;
  companyId: string | null;
  originalId: string;
}

/** The key's condition: `IS NOT DISTINCT FROM` so that a null company matches the object without one. */
const KEY_CONDITION =
  'object.tenantId = :tenantId AND object.platform = :platform AND object.originalId = :originalId AND object.companyId IS NOT DISTINCT FROM :companyId';

/**
 * Every query on `integrated_objects` (a single import's insert goes through UnitOfWork.insert).
 * Writes take the caller's transaction manager; reads default to the pool.
 */
@Injectable()
export class IntegratedObjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<IntegratedObject | null> {
    return manager.findOneBy(IntegratedObject, { tenantId, id });
  }

  /** Whether an object with this key exists (read without a lock: the caller's next step decides). */
  existsByKey(key: ImportKey): Promise<boolean> {
    return this.dataSource.manager.createQueryBuilder(IntegratedObject, 'object').where(KEY_CONDITION, key).getExists();
  }

  /** The object with this key, locked until the caller's transaction ends: concurrent imports of it queue up. */
  lockByKey(manager: EntityManager, key: ImportKey): Promise<IntegratedObject | null> {
    return manager.createQueryBuilder(IntegratedObject, 'object').where(KEY_CONDITION, key).setLock('pessimistic_write').getOne();
  }

  list(tenantId: string, filters: IntegratedObjectFilters, page: PageRequest): Promise<Page<IntegratedObject>> {
    const query = this.dataSource.manager.createQueryBuilder(IntegratedObject, 'object').where('object.tenantId = :tenantId', { tenantId });
    if (filters.companyId !== undefined) query.andWhere('object.companyId = :companyId', { companyId: filters.companyId });
    if (filters.objectType !== undefined) query.andWhere('object.objectType = :objectType', { objectType: filters.objectType });
    if (filters.platform !== undefined) query.andWhere('object.platform = :platform', { platform: filters.platform });
    return paginate(query, page);
  }

  /**
   * Inserts the rows whose (tenant, platform, originalId, companyId) is free, in one statement, and returns
   * them as stored; a taken key (or one repeated in `rows`) is skipped, never an error, so the
   * caller's transaction stays usable. A concurrent insert of the same key is waited for.
   */
  async insertNew(manager: EntityManager, rows: NewRow<IntegratedObject>[]): Promise<IntegratedObject[]> {
    const params: unknown[] = [];
    const insert = insertStatement(
      manager,
      IntegratedObject,
      rows.map((row) => Object.assign({}, row, { version: 1 })),
      params,
    );
    const stored: Record<string, unknown>[] = await manager.query(
      `${insert} ON CONFLICT ("tenant_id", "platform", "original_id", "company_id") DO NOTHING RETURNING *`,
      params,
    );
    return stored.map((row) => hydrate(manager, IntegratedObject, row));
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<IntegratedObject>): Promise<IntegratedObject> {
    return compareAndSet(manager, IntegratedObject, key, patch);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, IntegratedObject, key);
  }
}
