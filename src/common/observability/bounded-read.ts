import { Logger } from '@nestjs/common';
import { counter } from './metric';

/** The longest a collector may hold up a scrape of /metrics. */
export const COLLECTOR_TIMEOUT_MS = 500;

const collectorFailures = counter({
  name: 'agent_ledger_metrics_collector_failures_total',
  help: 'Reads behind /metrics gauges that failed or took longer than 500 ms (the gauge then reports its last value, or nothing)',
  labelNames: ['collector', 'reason'],
});

export interface BoundedReadOptions {
  /** Name of the collector, as the `collector` label of the failure counter. */
  name: string;
  /** A value read this recently is reused without reading again. */
  maxAgeMs: number;
  timeoutMs?: number;
}

/**
 * A value that gauges read at scrape time (a GROUP BY, a Redis round trip), bounded: a read is
 * shared by concurrent scrapes, reused while fresh, and never waited on longer than `timeoutMs`.
 * On a failure or a timeout, the last value read is reported (none if there never was one), the
 * failure is counted in `agent_ledger_metrics_collector_failures_total{collector,reason}`, and a
 * read still in flight keeps running in the background to refresh the value for a later scrape.
 */
export class BoundedRead<T> {
  private readonly logger: Logger;
  private snapshot?: { value: T; takenAt: number };
  private pending?: Promise<void>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly options: BoundedReadOptions,
  ) {
    this.logger = new Logger(`BoundedRead:${options.name}`);
    // Zero from the start, so that rate() and alerts see the series before the first failure.
    for (const reason of ['error', 'timeout']) collectorFailures.inc({ collector: options.name, reason }, 0);
  }

  /** The fresh value, or the last one when a read fails or is slow; undefined if none was ever read. */
  async value(): Promise<T | undefined> {
    if (this.snapshot && Date.now() - this.snapshot.takenAt < this.options.maxAgeMs) return this.snapshot.value;
    const inFlight = (this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    }));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      inFlight.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.options.timeoutMs ?? COLLECTOR_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) collectorFailures.inc({ collector: this.options.name, reason: 'timeout' });
    return this.snapshot?.value;
  }

  /** Reads now (never rejects: a failure is logged and counted, and the last value stays). */
  async refresh(): Promise<void> {
    const takenAt = Date.now();
    try {
      const value = await this.read();
      if (!this.snapshot || takenAt >= this.snapshot.takenAt) this.snapshot = { value, takenAt };
    } catch (error) {
      collectorFailures.inc({ collector: this.options.name, reason: 'error' });
      this.logger.warn({ err: error }, `Could not read ${this.options.name} for /metrics`);
    }
  }
}
