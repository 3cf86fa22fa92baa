import type { Queue } from 'bullmq';
import { register } from 'prom-client';
import { BoundedRead } from '../observability/bounded-read';
import { gauge } from '../observability/metric';

const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
const REFRESH_MS = 5000;

/**
 * `queue_jobs{queue,state}` on /metrics, read from Redis at most every 5 s and never waited on
 * longer than a collector may take: a scrape stays cheap, and when Redis is away it answers at
 * once with the last known counts (the failure counted in agent_ledger_metrics_collector_failures_total).
 */
export function exposeQueueDepth(queues: Queue[]): void {
  const counts = new BoundedRead(
    async () => {
      const next = new Map<string, Record<string, number>>();
      for (const queue of queues) next.set(queue.name, await queue.getJobCounts(...STATES));
      return next;
    },
    { name: 'queue_jobs', maxAgeMs: REFRESH_MS },
  );
  register.removeSingleMetric('queue_jobs');
  gauge({
    name: 'queue_jobs',
    help: 'Jobs in each BullMQ queue, by state',
    labelNames: ['queue', 'state'],
    async collect() {
      for (const [queue, byState] of (await counts.value()) ?? []) {
        for (const state of STATES) this.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
}
