/**
 * At most `size` pieces of work at once: `run` starts its work when a slot is free, else waits for
 * one, first come first served. A slot is handed straight to the next waiter when its work ends,
 * whether it succeeded or threw.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots need a size of at least 1, got ${size}`);
  }

  /** Work running now. */
  get running(): number {
    return this.busy;
  }

  /** Work waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy < this.size) this.busy++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}
