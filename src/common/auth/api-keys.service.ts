import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { counter } from '../observability/metric';
import { appConfig, AppConfig } from '../../config/app.config';
import { BadRequestError } from '../errors';
import { uuidv7 } from '../persistence/uuid-v7';
import { TENANT_ID_PATTERN } from '../../config/tenant-id';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository, ListedKey } from './api-keys.repository';
import { ApiKeyInvalidations } from './api-key-invalidations';
import { ApiKeyUsage } from './api-key-usage';
import { UnknownKeyCache } from './unknown-key-cache';

export interface ApiKeyIdentity {
  /** The key's id (not the key). */
  id: string;
  tenantId: string;
  name: string;
  /** Whether `X-Actor-Id` may name the actor of its requests (see ApiKeyEntity). */
  actorOverride: boolean;
}

export interface ApiKeyOptions {
  /** False: the actor of every request is the key's name; `X-Actor-Id` naming another is refused. Default true. */
  actorOverride?: boolean;
}

export interface CreatedApiKey {
  id: string;
  tenantId: string;
  name: string;
  keyPrefix: string;
  expiresAt: Date | null;
  actorOverride: boolean;
  /** The secret itself: returned once, never stored. */
  key: string;
}

export interface RotatedApiKey {
  created: CreatedApiKey;
  /** When the old key stops working (the end of the grace period, or its own earlier expiry). */
  oldKeyExpiresAt: Date;
}

const KEY_PREFIX = 'alk_';

/** How many unknown key hashes a process remembers at most (about 100 bytes each). */
const UNKNOWN_KEYS_REMEMBERED = 4096;

const lookups = counter({
  name: 'api_key_lookups_total',
  help: 'API keys looked up in the database because no cache of the process could answer',
});

export function hashApiKey(key: string): string {
  // One call, no Hash object: it runs on every request.
  return hash('sha256', key, 'hex');
}

@Injectable()
export class ApiKeysService {
  /** Key hash → identity, trusted until `validUntil` (the cache TTL, or the key's expiry if sooner). */
  private readonly cache = new Map<string, { identity: ApiKeyIdentity; validUntil: number }>();
  /**
   * Hashes the database did not know. A key created or rotated afterwards cannot be among them:
   * its 192 random bits were never presented before it existed. A row written behind this
   * service's back (a restore, SQL by hand) is seen after the entry's TTL, or at once after any
   * announcement on the invalidation channel, which empties this cache in every process.
   */
  private readonly unknown: UnknownKeyCache;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(appConfig.KEY) private readonly config: Pick<AppConfig, 'apiKeyCacheTtlMs' | 'apiKeyNegativeCacheTtlMs'>,
    @Optional() private readonly invalidations?: ApiKeyInvalidations,
    @Optional() private readonly usage?: ApiKeyUsage,
  ) {
    this.unknown = new UnknownKeyCache(UNKNOWN_KEYS_REMEMBERED, config.apiKeyNegativeCacheTtlMs);
    invalidations?.subscribe((keyId) => this.forget(keyId));
  }

  /** A new key; with `expiresInMs` it stops working that long from now. */
  create(tenantId: string, name: string, expiresInMs?: number, options: ApiKeyOptions = {}): Promise<CreatedApiKey> {
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw new BadRequestError('tenant must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit');
    }
    if (name.trim() === '' || name.length > 200) throw new BadRequestError('name must be 1-200 characters');
    return this.insert(tenantId, name.trim(), expiresInMs, options.actorOverride ?? true);
  }

  /** Every key of a tenant (or of every tenant), oldest first, without hashes. */
  list(tenantId?: string): Promise<ListedKey[]> {
    return this.keys.list(tenantId);
  }

  /** Revokes by id, in every process at once; returns false when no active key has that id. */
  async revoke(id: string): Promise<boolean> {
    const tenantId = await this.keys.tenantOf(id);
    const revoked = tenantId !== undefined && (await this.keys.revoke(tenantId, id));
    if (revoked) await this.announce(id);
    return revoked;
  }

  /**
   * A new key for the same tenant and name; the old one keeps working for `graceMs` (so clients
   * can switch over), then expires. Undefined when no active key has that id.
   */
  async rotate(id: string, graceMs: number, expiresInMs?: number): Promise<RotatedApiKey | undefined> {
    const tenantId = await this.keys.tenantOf(id);
    if (tenantId === undefined) return undefined;
    const rotated = await this.keys.transaction(async (manager) => {
      const old = await this.keys.lockActive(manager, tenantId, id);
      if (!old) return undefined;
      const created = await this.insert(tenantId, old.name, expiresInMs, old.actorOverride, manager);
      const graceEnd = new Date(Date.now() + graceMs);
      const oldKeyExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
      await this.keys.setExpiry(manager, tenantId, id, oldKeyExpiresAt);
      return { created, oldKeyExpiresAt };
    });
    // Caches drop the old key and read it again, now with its expiry.
    if (rotated) await this.announce(id);
    return rotated;
  }

  /**
   * The identity behind a presented key, or undefined when it is unknown, revoked or expired.
   * `beforeLookup` runs when the answer needs the database and may throw to refuse the request
   * instead (the per-address budget of failed authentications); a key this process has verified
   * before skips it, since nobody can present that key without holding it.
   */
  async verify(key: string, beforeLookup?: () => Promise<void>): Promise<ApiKeyIdentity | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.validUntil > Date.now()) {
      this.usage?.touch(cached.identity.id);
      return cached.identity;
    }
    if (this.unknown.has(hash)) return undefined;
    if (!cached) await beforeLookup?.();
    lookups.inc();
    // The key decides the tenant, so its lookup cannot be scoped by one: a function of the database does it.
    const row = await this.keys.findActiveByHash(hash);
    if (!row) {
      this.cache.delete(hash);
      this.unknown.add(hash);
      return undefined;
    }
    const identity = { id: row.id, tenantId: row.tenantId, name: row.name, actorOverride: row.actorOverride };
    const validUntil = Math.min(Date.now() + this.config.apiKeyCacheTtlMs, row.expiresAt?.getTime() ?? Infinity);
    this.cache.set(hash, { identity, validUntil });
    this.usage?.touch(identity.id);
    return identity;
  }

  /** Drops a key (every key, without an id) from this process's cache, and forgets every unknown hash. */
  forget(keyId?: string): void {
    this.unknown.clear();
    if (keyId === undefined) return this.cache.clear();
    for (const [hash, entry] of this.cache) if (entry.identity.id === keyId) this.cache.delete(hash);
  }

  private async announce(id: string): Promise<void> {
    this.forget(id);
    await this.invalidations?.publish(id);
  }

  private async insert(
    tenantId: string,
    name: string,
    expiresInMs: number | undefined,
    actorOverride: boolean,
    manager?: EntityManager,
  ): Promise<CreatedApiKey> {
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const row: ApiKeyEntity = {
      id: uuidv7(),
      tenantId,
      name,
      keyPrefix: key.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(key),
      createdAt: new Date(),
      revokedAt: null,
      expiresAt: expiresInMs === undefined ? null : new Date(Date.now() + expiresInMs),
      actorOverride,
      lastUsedAt: null,
    };
    await this.keys.insert(row, manager);
    return { id: row.id, tenantId, name, keyPrefix: row.keyPrefix, expiresAt: row.expiresAt, actorOverride, key };
  }
}
