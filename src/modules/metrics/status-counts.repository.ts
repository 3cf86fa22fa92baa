import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Rows per status, by table. */
export interface StatusCounts {
  agents: Record<string, number>;
  tasks: Record<string, number>;
}

/**
 * Counts `agents` and `tasks` across all tenants through the `status_counts()` function of the
 * database (the service role reads no other tenant's rows itself): the Prometheus gauges are
 * operator aggregates, not tenant data, and MetricsModule runs in every role, including worker
 * processes that load neither the agents nor the tasks module.
 */
@Injectable()
export class StatusCountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One round trip: a GROUP BY per table. */
  async countByStatus(): Promise<StatusCounts> {
    const rows: { kind: 'agents' | 'tasks'; status: string; n: number }[] = await this.dataSource.query('SELECT kind, status, n FROM status_counts()');
    const counts: StatusCounts = { agents: {}, tasks: {} };
    for (const row of rows) counts[row.kind][row.status] = Number(row.n);
    return counts;
  }
}
