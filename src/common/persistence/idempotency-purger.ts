import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { idempotencyConfig, IdempotencyConfig } from '../../config/idempotency.config';
import { PeriodicTask } from '../scheduling/periodic';
import { IdempotencyKeys } from './idempotency-keys';

const BATCH = 1000;

/**
 * Deletes expired Idempotency-Keys every IDEMPOTENCY_PURGE_INTERVAL_MS, in batches (lookups
 * already ignore them: this keeps the table from growing). Runs in worker processes; several may
 * purge at once harmlessly. `runOnce()` returns how many keys went.
 */
@Injectable()
export class IdempotencyKeysPurger extends PeriodicTask<number> {
  private readonly logger = new Logger(IdempotencyKeysPurger.name);

  constructor(
    private readonly keys: IdempotencyKeys,
    @Inject(idempotencyConfig.KEY) config: IdempotencyConfig,
  ) {
    super(config.purgeIntervalMs);
  }

  protected async pass(): Promise<number> {
    let total = 0;
    try {
      let deleted: number;
      do {
        deleted = await this.keys.purgeExpired(BATCH);
        total += deleted;
      } while (deleted === BATCH);
    } catch (error) {
      this.logger.warn(`Purging expired idempotency keys failed (will retry in ${this.intervalMs} ms): ${(error as Error).message}`);
    }
    return total;
  }
}

/** The purge of expired Idempotency-Keys: loaded with APP_ROLE=worker or all. */
@Module({ providers: [IdempotencyKeysPurger], exports: [IdempotencyKeysPurger] })
export class IdempotencyPurgeModule {}
