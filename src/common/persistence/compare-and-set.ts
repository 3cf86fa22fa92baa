import { EntityManager, EntityTarget } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AggregateNotFoundError, DomainError, VersionConflictError } from '../errors';
import { hydrate } from './hydrate';
import { TenantOwnedEntity } from './versioned.entity';

/** The columns an update may set: everything but identity, version and timestamps. */
export type Patch<T> = Partial<Omit<T, 'id' | 'tenantId' | 'version' | 'createdAt' | 'updatedAt'>>;

export interface CasKey {
  tenantId: string;
  id: string;
  expectedVersion: number;
}

/**
 * The one way an aggregate is updated: `UPDATE … SET …, version = version + 1
 * WHERE id AND tenant_id AND version = expected RETURNING *`. Zero rows means a concurrent
 * writer won (VersionConflictError with the current version) or the row is not the
 * caller's to see (AggregateNotFoundError).
 */
export async function compareAndSet<T extends TenantOwnedEntity>(manager: EntityManager, target: EntityTarget<T>, key: CasKey, patch: Patch<T>): Promise<T> {
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set({ ...patch, version: () => 'version + 1' } as QueryDeepPartialEntity<T>)
    .where('id = :id AND tenant_id = :tenantId AND version = :expectedVersion', key)
    .returning('*')
    .execute();
  const rows = result.raw as Record<string, unknown>[];
  if (rows.length === 1) return hydrate(manager, target, rows[0]);
  throw await explainMiss(manager, target, key);
}

/**
 * Deletes a tenant's row, guarded by its version when the caller sent one. Returns the
 * version the row had; throws like `compareAndSet` when nothing was deleted.
 */
export async function deleteChecked<T extends TenantOwnedEntity>(
  manager: EntityManager,
  target: EntityTarget<T>,
  key: Omit<CasKey, 'expectedVersion'> & { expectedVersion?: number },
): Promise<number> {
  const query = manager.createQueryBuilder().delete().from(target).where('id = :id AND tenant_id = :tenantId', key);
  if (key.expectedVersion !== undefined) query.andWhere('version = :expectedVersion', key);
  const rows = (await query.returning(['version']).execute()).raw as { version: number }[];
  if (rows.length === 1) return Number(rows[0].version);
  throw await explainMiss(manager, target, { ...key, expectedVersion: key.expectedVersion ?? 0 });
}

/** Why a guarded write touched no row: the row is gone (or another tenant's), or its version moved on. */
async function explainMiss<T extends TenantOwnedEntity>(manager: EntityManager, target: EntityTarget<T>, key: CasKey): Promise<DomainError> {
  const aggregateType = aggregateTypeOf(manager.connection.getMetadata(target).targetName);
  const current = await manager
    .createQueryBuilder()
    .select('t.version', 'version')
    .from(target, 't')
    .where('t.id = :id AND t.tenant_id = :tenantId', key)
    .getRawOne<{ version: number }>();
  if (!current) return new AggregateNotFoundError(aggregateType, key.id);
  return new VersionConflictError(aggregateType, key.id, key.expectedVersion, Number(current.version));
}

/** `AgentMetric` → `agent metric`: the name used in error messages. */
export function aggregateTypeOf(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}
