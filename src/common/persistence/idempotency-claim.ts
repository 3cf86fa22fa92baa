import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { TenantScope } from '../tenancy/tenant-scope';
import { IdempotencyKeyInUseError } from './idempotency.errors';

/**
 * The Idempotency-Key of the request the current flow serves, to be inserted in the transaction
 * of the request's first effect: committed with it, or rolled back with it.
 */
export class IdempotencyClaim {
  /** open: not inserted; claiming: inserted in a transaction not yet committed; claimed: committed. */
  private state: 'open' | 'claiming' | 'claimed' = 'open';

  constructor(
    readonly tenantId: string,
    readonly key: string,
    readonly requestHash: string,
    readonly method: string,
    readonly path: string,
    readonly ttlMs: number,
  ) {}

  /** Whether the key committed with an effect of this request (its answer is then to be stored). */
  get claimed(): boolean {
    return this.state === 'claimed';
  }

  /** Runs `transaction`, marking the key claimed if it commits (and open again if it does not). */
  async during<T>(transaction: () => Promise<T>): Promise<T> {
    this.state = 'claiming';
    try {
      const result = await transaction();
      this.state = 'claimed';
      return result;
    } catch (error) {
      this.state = 'open';
      throw error;
    }
  }

  /**
   * Inserts the key row in the transaction of `manager` (or takes over an expired one). A
   * concurrent insert of the same key waits on the primary key until the first transaction ends:
   * if that one committed, the key is taken and this request, which changed nothing, gets a 409.
   */
  async insertIn(manager: EntityManager): Promise<void> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys AS k (tenant_id, key, request_hash, method, path, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6::float8 * interval '1 millisecond')
       ON CONFLICT (tenant_id, key) DO UPDATE SET request_hash = excluded.request_hash, method = excluded.method, path = excluded.path,
         response_status = NULL, response_headers = NULL, response_body = NULL, created_at = now(), responded_at = NULL, expires_at = excluded.expires_at
       WHERE k.expires_at <= now()
       RETURNING 1`,
      [this.tenantId, this.key, this.requestHash, this.method, this.path, this.ttlMs],
    );
    if (rows.length === 0) throw new IdempotencyKeyInUseError();
  }

  /** The claim the current flow still has to make, if it writes as the claim's tenant. */
  static pending(): IdempotencyClaim | undefined {
    const claim = scope.getStore();
    return claim?.state === 'open' && TenantScope.current() === claim.tenantId ? claim : undefined;
  }

  /** Runs `work` (and everything it awaits) on behalf of a request that carries this claim. */
  static run<T>(claim: IdempotencyClaim, work: () => T): T {
    return scope.run(claim, work);
  }
}

const scope = new AsyncLocalStorage<IdempotencyClaim>();

/**
 * A transaction that also inserts the flow's pending Idempotency-Key first, so that the key and
 * the effect commit together or not at all; without a pending claim, a plain transaction.
 */
export function transactionClaiming<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const claim = IdempotencyClaim.pending();
  if (!claim) return dataSource.transaction(work);
  return claim.during(() =>
    dataSource.transaction(async (manager) => {
      await claim.insertIn(manager);
      return work(manager);
    }),
  );
}

/**
 * Runs a write that would commit on its own (one statement outside a transaction) on `manager`: as
 * is, or, when the flow has an Idempotency-Key to claim, in a transaction with the key row (see
 * transactionClaiming).
 */
export function autocommitWrite<T>(manager: EntityManager, write: (manager: EntityManager) => Promise<T>): Promise<T> {
  return IdempotencyClaim.pending() ? transactionClaiming(manager.connection, write) : write(manager);
}
