import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { idempotencyConfig, IdempotencyConfig } from '../../config/idempotency.config';
import { IdempotencyKeys } from './idempotency-keys';

const BATCH = 1000;

/**
 * Deletes expired Idempotency-Keys every IDEMPOTENCY_PURGE_INTERVAL_MS, in batches (lookups
 * already ignore them: this keeps the table from growing). Runs in worker processes; several may
 * purge at once harmlessly.
 */
@Injectable()
export class IdempotencyKeysPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeysPurger.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly keys: IdempotencyKeys,
    @Inject(idempotencyConfig.KEY) private readonly config: IdempotencyConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeOnce(), this.config.purgeIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every expired key; returns how many were deleted. Overlapping calls share the pass. */
  purgeOnce(): Promise<number> {
    this.running ??= this.purge().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(): Promise<number> {
    let total = 0;
    try {
      let deleted: number;
      do {
        deleted = await this.keys.purgeExpired(BATCH);
        total += deleted;
      } while (deleted === BATCH);
    } catch (error) {
      this.logger.warn(`Purging expired idempotency keys failed (will retry in ${this.config.purgeIntervalMs} ms): ${(error as Error).message}`);
    }
    return total;
  }
}

/** The purge of expired Idempotency-Keys: loaded with APP_ROLE=worker or all. */
@Module({ providers: [IdempotencyKeysPurger], exports: [IdempotencyKeysPurger] })
export class IdempotencyPurgeModule {}
