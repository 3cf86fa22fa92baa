import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Rows per status, by table. */
export interface StatusCounts {
  agents: Record<string, number>;
  tasks: Record<string, number>;
}

/**
 * Reads `agents` and `tasks` directly, read-only, across all tenants: the Prometheus gauges are
 * operator aggregates, not tenant data, and MetricsModule runs in every role, including worker
 * processes that load neither the agents nor the tasks module.
 */
@Injectable()
export class StatusCountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One round trip: a GROUP BY per table. */
  async countByStatus(): Promise<StatusCounts> {
    const rows: { kind: 'agents' | 'tasks'; status: string; n: number }[] = await this.dataSource.query(
      `SELECT 'agents' AS kind, status, count(*)::int AS n FROM agents GROUP BY status
       UNION ALL
       SELECT 'tasks' AS kind, status, count(*)::int AS n FROM tasks GROUP BY status`,
    );
    const counts: StatusCounts = { agents: {}, tasks: {} };
    for (const row of rows) counts[row.kind][row.status] = Number(row.n);
    return counts;
  }
}
