import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { gauge } from '../../common/observability/metric';
import { TenantScope } from '../../common/tenancy/tenant-scope';
import { AGENT_STATUSES } from '../agents/agent.entity';
import { TASK_STATUSES } from '../tasks/task.entity';
import { StatusCounts, StatusCountsRepository } from './status-counts.repository';

/** A scrape reuses counts read this recently: Prometheus may scrape often, the GROUP BYs need not run as often. */
export const STATUS_COUNTS_MAX_AGE_MS = 5_000;

/** The live providers, most recently started last (an embedding program or a test may run several applications). */
const sources: StatusGauges[] = [];

function statusGauge(
  name: string,
  help: string,
  statuses: readonly string[],
  pick: (counts: StatusCounts) => Record<string, number>,
): Gauge<'status'> {
  return gauge({
    name,
    help,
    labelNames: ['status'],
    async collect() {
      this.reset();
      const counts = await sources.at(-1)?.counts();
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
 * counting rows at scrape time, at most once every STATUS_COUNTS_MAX_AGE_MS. When the database
 * cannot answer, the gauges are left out of that scrape (and the failure logged) rather than
 * failing /metrics or reporting stale numbers.
 */
@Injectable()
export class StatusGauges implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StatusGauges.name);
  private snapshot?: { counts: StatusCounts; takenAt: number };
  private pending?: Promise<StatusCounts | undefined>;

  constructor(private readonly repository: StatusCountsRepository) {}

  onModuleInit(): void {
    sources.push(this);
  }

  onModuleDestroy(): void {
    const index = sources.indexOf(this);
    if (index >= 0) sources.splice(index, 1);
  }

  /** The cached counts while fresh; otherwise one read shared by every gauge of the scrape. */
  counts(): Promise<StatusCounts | undefined> {
    if (this.snapshot && Date.now() - this.snapshot.takenAt < STATUS_COUNTS_MAX_AGE_MS) return Promise.resolve(this.snapshot.counts);
    this.pending ??= this.refresh()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Could not count agents and tasks by status for /metrics');
        return undefined;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Counts now; the next scrapes within STATUS_COUNTS_MAX_AGE_MS report these numbers. */
  async refresh(): Promise<StatusCounts> {
    const takenAt = Date.now();
    // Gauges count across tenants: system work.
    const counts = await TenantScope.system(() => this.repository.countByStatus());
    if (!this.snapshot || takenAt >= this.snapshot.takenAt) this.snapshot = { counts, takenAt };
    return counts;
  }
}
