import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { BadRequestError } from '../errors';
import { uuidv7 } from '../persistence/uuid-v7';
import { ApiKeyEntity } from './api-key.entity';

export interface ApiKeyIdentity {
  tenantId: string;
  name: string;
}

export interface CreatedApiKey {
  id: string;
  tenantId: string;
  name: string;
  keyPrefix: string;
  /** The secret itself: returned once, never stored. */
  key: string;
}

const KEY_PREFIX = 'alk_';
const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** A verified key is trusted this long before it is looked up again (bounds how late a revocation bites). */
const CACHE_TTL_MS = 5_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, { identity: ApiKeyIdentity; expiresAt: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async create(tenantId: string, name: string): Promise<CreatedApiKey> {
    if (!TENANT_ID.test(tenantId)) {
      throw new BadRequestError('tenant must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit');
    }
    if (name.trim() === '' || name.length > 200) throw new BadRequestError('name must be 1-200 characters');
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const row: ApiKeyEntity = {
      id: uuidv7(),
      tenantId,
      name: name.trim(),
      keyPrefix: key.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(key),
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.dataSource.getRepository(ApiKeyEntity).insert(row);
    return { id: row.id, tenantId, name: row.name, keyPrefix: row.keyPrefix, key };
  }

  list(tenantId?: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: tenantId ? { tenantId } : {},
      order: { createdAt: 'ASC' },
    });
  }

  /** Revokes by id; returns false when no active key has that id. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    this.cache.clear();
    return (result.affected ?? 0) > 0;
  }

  /** The identity behind a presented key, or undefined when it is unknown or revoked. */
  async verify(key: string): Promise<ApiKeyIdentity | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.identity;
    const row = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash: hash, revokedAt: IsNull() }, select: { tenantId: true, name: true } });
    if (!row) {
      this.cache.delete(hash);
      return undefined;
    }
    const identity = { tenantId: row.tenantId, name: row.name };
    this.cache.set(hash, { identity, expiresAt: Date.now() + CACHE_TTL_MS });
    return identity;
  }
}
