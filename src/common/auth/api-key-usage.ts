import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository } from './api-keys.repository';

/** A key's last_used_at is written at most this often by one process. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Records when keys are used without a write per request: the first use of a key in a minute
 * schedules one UPDATE (batched with the other keys due) that runs after the request, off its
 * path; later uses in that minute cost a map lookup.
 */
@Injectable()
export class ApiKeyUsage implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  /** Key id → when this process last scheduled its write. */
  private readonly written = new Map<string, number>();
  private readonly due = new Set<string>();
  private scheduled = false;

  constructor(private readonly keys: ApiKeysRepository) {}

  touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.written.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.written.set(keyId, now);
    this.due.add(keyId);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  async flush(): Promise<void> {
    this.scheduled = false;
    const ids = [...this.due];
    this.due.clear();
    if (ids.length === 0) return;
    try {
      await this.keys.markUsed(ids);
    } catch (error) {
      for (const id of ids) this.written.delete(id); // written on the next use instead
      this.logger.warn(`Could not record the use of ${ids.length} API key(s): ${(error as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
