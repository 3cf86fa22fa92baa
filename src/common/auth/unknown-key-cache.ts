/**
 * Hashes of presented keys that the database did not know, each remembered for `ttlMs`, at most
 * `maxEntries` of them (the oldest goes first), so that a client repeating a bad key costs no
 * lookup and a flood of distinct ones costs bounded memory.
 */
export class UnknownKeyCache {
  /** Hash → until when it is remembered; a Map keeps insertion order, so the first entry is the oldest. */
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(hash: string): boolean {
    const until = this.entries.get(hash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.entries.delete(hash);
    return false;
  }

  add(hash: string): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(hash);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, this.now() + this.ttlMs);
  }

  clear(): void {
    this.entries.clear();
  }
}
