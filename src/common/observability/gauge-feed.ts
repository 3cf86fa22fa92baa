import { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { BoundedRead } from './bounded-read';

/**
 * A provider that feeds process-wide gauges through a BoundedRead. Gauges are registered once per
 * process while an embedding program or a test may start several applications: each subclass keeps
 * its live instances in `live`, and the gauges read the most recently started one.
 */
export abstract class GaugeFeed<T> implements OnModuleInit, OnModuleDestroy {
  protected abstract readonly live: GaugeFeed<T>[];
  protected abstract readonly read: BoundedRead<T>;

  onModuleInit(): void {
    this.live.push(this);
  }

  onModuleDestroy(): void {
    const index = this.live.indexOf(this);
    if (index >= 0) this.live.splice(index, 1);
  }

  /** The cached value while fresh; otherwise one bounded read shared by every gauge of the scrape. */
  current(): Promise<T | undefined> {
    return this.read.value();
  }

  /** Reads now; the next scrapes report this value while it is fresh. */
  refresh(): Promise<void> {
    return this.read.refresh();
  }
}
