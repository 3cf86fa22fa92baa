import { Logger } from '@nestjs/common';
import { counter } from '../observability/metric';
import { settleWithin } from '../queues/enqueue';

/** How long a request waits for Redis before it is served uncounted. */
export const RATE_LIMIT_REDIS_TIMEOUT_MS = 500;

const unavailable = counter({
  name: 'rate_limit_unavailable_total',
  help: 'Requests served without a rate-limit check because Redis did not answer in time',
});

/**
 * Runs the Redis commands of the rate limits so that they fail open: when Redis is away or slower
 * than `timeoutMs` the answer is undefined and the request is served uncounted (logged at most
 * every 10 s, counted in `rate_limit_unavailable_total`), because Redis is not where the data
 * lives and an outage of it must not become an outage of the API.
 */
export class FailOpen {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(private readonly timeoutMs = RATE_LIMIT_REDIS_TIMEOUT_MS) {}

  /** The command's answer, or undefined (counted and logged) when Redis fails or is too slow. */
  async run<T>(command: () => Promise<T>): Promise<T | undefined> {
    try {
      const answer = await settleWithin(command(), this.timeoutMs);
      if (answer) return answer.value;
      this.failed(new Error(`no answer within ${this.timeoutMs} ms`));
    } catch (error) {
      this.failed(error as Error);
    }
    return undefined;
  }

  private failed(error: Error): void {
    unavailable.inc();
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Redis did not answer the rate-limit check (${error.message}): serving requests without rate limits until it does`);
  }
}
