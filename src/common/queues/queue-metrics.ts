import type { Queue } from 'bullmq';
import { Gauge, register } from 'prom-client';

const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
const REFRESH_MS = 5000;

/**
 * `queue_jobs{queue,state}` on /metrics, read from Redis at most every 5 s (a scrape must stay
 * cheap, and must not fail when Redis is away: the last known counts are kept).
 */
export function exposeQueueDepth(queues: Queue[]): void {
  let last = 0;
  let counts = new Map<string, Record<string, number>>();
  const refresh = async () => {
    if (Date.now() - last < REFRESH_MS) return;
    last = Date.now();
    const next = new Map<string, Record<string, number>>();
    for (const queue of queues) next.set(queue.name, await queue.getJobCounts(...STATES));
    counts = next;
  };
  register.removeSingleMetric('queue_jobs');
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each BullMQ queue, by state',
    labelNames: ['queue', 'state'],
    async collect() {
      await refresh().catch(() => undefined);
      for (const [queue, byState] of counts) {
        for (const state of STATES) this.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
}
