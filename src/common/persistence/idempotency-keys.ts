import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantScope } from '../tenancy/tenant-scope';
import { IdempotencyClaim } from './idempotency-claim';

/** The answer given to the request that claimed a key, as it is replayed to its repeats. */
export interface StoredResponse {
  status: number;
  /** The headers that belong to the answer (Location, ETag...), lower-case names. */
  headers: Record<string, string>;
  /** The JSON body, or null for none. */
  body: unknown;
}

/** A live key: the request that claimed it, and its answer once stored. */
export interface IdempotencyRecord {
  requestHash: string;
  method: string;
  path: string;
  response: StoredResponse | null;
}

interface KeyRow {
  request_hash: string;
  method: string;
  path: string;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
}

/**
 * Reads and completes the rows of `idempotency_keys`. A row is inserted only by the transaction
 * of the effect it guards (IdempotencyClaim); here its answer is stored, found, and purged.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(private readonly dataSource: DataSource) {}

  /** The live record of a key (an expired one is as good as gone: the next claim takes it over). */
  find(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return TenantScope.run(tenantId, async () => {
      const [row]: KeyRow[] = await this.dataSource.query(
        `SELECT request_hash, method, path, response_status, response_headers, response_body
         FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND expires_at > now()`,
        [tenantId, key],
      );
      if (!row) return undefined;
      const response = row.response_status === null ? null : { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body };
      return { requestHash: row.request_hash.trim(), method: row.method, path: row.path, response };
    });
  }

  /** Stores the answer of the request that claimed the key (after its effect committed), once. */
  async saveResponse(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await TenantScope.run(claim.tenantId, () =>
      this.dataSource.query(
        `UPDATE idempotency_keys SET response_status = $3, response_headers = $4::jsonb, response_body = $5::json, responded_at = now()
         WHERE tenant_id = $1 AND key = $2 AND request_hash = $6 AND response_status IS NULL`,
        [
          claim.tenantId,
          claim.key,
          response.status,
          JSON.stringify(response.headers),
          response.body === null ? null : JSON.stringify(response.body),
          claim.requestHash,
        ],
      ),
    );
  }

  /** Deletes up to `limit` expired keys of every tenant (a function of the database: the service role sees one tenant's); returns how many went. */
  async purgeExpired(limit: number): Promise<number> {
    const [row]: { deleted: number }[] = await this.dataSource.query('SELECT idempotency_keys_purge($1) AS deleted', [limit]);
    return Number(row.deleted);
  }
}
