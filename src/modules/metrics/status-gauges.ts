import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { BoundedRead } from '../../common/observability/bounded-read';
import { GaugeFeed } from '../../common/observability/gauge-feed';
import { gauge } from '../../common/observability/metric';
import { AGENT_STATUSES } from '../agents/agent.entity';
import { TASK_STATUSES } from '../tasks/task.entity';
import { StatusCounts, StatusCountsRepository } from './status-counts.repository';

/** A scrape reuses counts read this recently: Prometheus may scrape often, the GROUP BYs need not run as often. */
export const STATUS_COUNTS_MAX_AGE_MS = 5_000;

/** The live providers, most recently started last (an embedding program or a test may run several applications). */
const sources: GaugeFeed<StatusCounts>[] = [];

function statusGauge(name: string, help: string, statuses: readonly string[], pick: (counts: StatusCounts) => Record<string, number>): Gauge<'status'> {
  return gauge({
    name,
    help,
    labelNames: ['status'],
    async collect() {
      this.reset();
      const counts = await sources.at(-1)?.current();
      if (!counts) return;
      const byStatus = pick(counts);
      for (const status of new Set([...statuses, ...Object.keys(byStatus)])) this.set({ status }, byStatus[status] ?? 0);
    },
  });
}

statusGauge('agent_ledger_agents', 'Agents by status, across all tenants (refreshed at most every 5 s)', AGENT_STATUSES, (c) => c.agents);
statusGauge('agent_ledger_tasks', 'Tasks by status, across all tenants (refreshed at most every 5 s)', TASK_STATUSES, (c) => c.tasks);

/**
 * Feeds the `agent_ledger_agents{status}` and `agent_ledger_tasks{status}` gauges of /metrics,
 * counting rows at scrape time, at most once every STATUS_COUNTS_MAX_AGE_MS and never waiting
 * longer than COLLECTOR_TIMEOUT_MS: when the database is slow or away, the last counts are
 * reported (none before the first read) and the failure is counted, rather than failing /metrics.
 */
@Injectable()
export class StatusGauges extends GaugeFeed<StatusCounts> {
  protected readonly live = sources;
  protected readonly read = new BoundedRead(() => this.repository.countByStatus(), {
    name: 'status_counts',
    maxAgeMs: STATUS_COUNTS_MAX_AGE_MS,
  });

  constructor(private readonly repository: StatusCountsRepository) {
    super();
  }
}
