import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A provider that repeats a pass of background work every `intervalMs` from boot (on an unref'd
 * timer, so it never keeps the process alive), one pass at a time: a call while a pass runs shares
 * it, and shutdown waits for it to end.
 */
export abstract class PeriodicTask<T> implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(protected readonly intervalMs: number) {}

  /** One pass of the work; it handles its own errors (a rejection is dropped). */
  protected abstract pass(): Promise<T>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass now, or the one in flight. */
  runOnce(): Promise<T> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
