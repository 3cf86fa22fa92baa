import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Or, Raw } from 'typeorm';
import { TenantScope } from '../tenancy/tenant-scope';
import { ApiKeyEntity } from './api-key.entity';

/** What authenticating a key needs to know about it. */
export interface ActiveKey {
  id: string;
  tenantId: string;
  name: string;
  expiresAt: Date | null;
  /** Whether its requests may name their actor (X-Actor-Id); see `api-keys create --no-actor-override`. */
  actorOverride: boolean;
}

/** A key as the command line lists it: everything but its hash. */
export type ListedKey = Omit<ApiKeyEntity, 'keyHash'>;

/** Neither revoked nor past its expiry, by the database's clock. */
const ACTIVE = {
  revokedAt: IsNull(),
  expiresAt: Or(
    IsNull(),
    Raw((column) => `${column} > now()`),
  ),
};

/**
 * Every query on `api_keys`. A key's tenant is what a lookup by hash or by id finds out, so those
 * two (and the list across tenants, and the batched `last_used_at`) go through the functions of
 * the SystemWorkFunctions migration; everything else runs in the key's own tenant scope, under
 * row-level security. No compare-and-set: a key has no version, and its only changes (revoked,
 * expiry shortened, last use) are guarded by their own conditions.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The active key with this hash: one index lookup, for the authentications no cache of the process could answer. */
  async findActiveByHash(keyHash: string): Promise<ActiveKey | undefined> {
    const [row]: Record<string, unknown>[] = await this.dataSource.query('SELECT id, tenant_id, name, expires_at, actor_override FROM api_key_by_hash($1)', [
      keyHash,
    ]);
    if (!row) return undefined;
    return {
      id: String(row.id),
      tenantId: String(row.tenant_id),
      name: String(row.name),
      expiresAt: (row.expires_at as Date | null) ?? null,
      actorOverride: row.actor_override !== false,
    };
  }

  /** The tenant of the key with this id, revoked or not; undefined when there is none. */
  async tenantOf(id: string): Promise<string | undefined> {
    const [row]: { tenant: string | null }[] = await this.dataSource.query('SELECT api_key_tenant($1) AS tenant', [id]);
    return row?.tenant ?? undefined;
  }

  /** Every key (of one tenant, or of all), oldest first, without hashes. */
  async list(tenantId?: string): Promise<ListedKey[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query('SELECT * FROM api_keys_overview($1)', [tenantId ?? null]);
    return rows.map((row) => ({
      id: String(row.id),
      tenantId: String(row.tenant_id),
      name: String(row.name),
      keyPrefix: String(row.key_prefix),
      createdAt: row.created_at as Date,
      revokedAt: (row.revoked_at as Date | null) ?? null,
      expiresAt: (row.expires_at as Date | null) ?? null,
      lastUsedAt: (row.last_used_at as Date | null) ?? null,
      actorOverride: row.actor_override !== false,
    }));
  }

  /** Inserts a new key, in the caller's transaction if given. */
  async insert(row: ApiKeyEntity, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await TenantScope.run(row.tenantId, () => manager.getRepository(ApiKeyEntity).insert(row));
  }

  /** Revokes the key if it is still active; false when it was not. */
  async revoke(tenantId: string, id: string): Promise<boolean> {
    const result = await TenantScope.run(tenantId, () =>
      this.dataSource.getRepository(ApiKeyEntity).update({ tenantId, id, revokedAt: IsNull() }, { revokedAt: () => 'now()' }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** The active key with this id, locked for the rest of the caller's transaction. */
  lockActive(manager: EntityManager, tenantId: string, id: string): Promise<ApiKeyEntity | null> {
    return TenantScope.run(tenantId, () =>
      manager.getRepository(ApiKeyEntity).findOne({ where: { tenantId, id, ...ACTIVE }, lock: { mode: 'pessimistic_write' } }),
    );
  }

  async setExpiry(manager: EntityManager, tenantId: string, id: string, expiresAt: Date): Promise<void> {
    await TenantScope.run(tenantId, () => manager.getRepository(ApiKeyEntity).update({ tenantId, id }, { expiresAt }));
  }

  /** Stamps `last_used_at` of these keys, whatever their tenants, in one statement. */
  async markUsed(ids: string[]): Promise<void> {
    await this.dataSource.query('SELECT api_keys_mark_used($1::uuid[])', [ids]);
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
