import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AgentMetrics } from './agent-metrics.entity';

export type TaskOutcome = 'completed' | 'failed';

@Injectable()
export class AgentMetricsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Atomic increment (upsert): concurrent outcomes never lose a count. Runs in the caller's transaction. */
  async recordOutcome(manager: EntityManager, tenantId: string, agentId: string, outcome: TaskOutcome, durationMs: number | null): Promise<void> {
    const completed = outcome === 'completed' ? 1 : 0;
    const timed = durationMs === null ? 0 : 1;
    await manager.query(
      `INSERT INTO agent_metrics (agent_id, tenant_id, total_tasks, completed_tasks, failed_tasks, total_duration_ms, timed_tasks)
       VALUES ($1, $2, 1, $3, $4, $5, $6)
       ON CONFLICT (agent_id) DO UPDATE SET
         total_tasks = agent_metrics.total_tasks + 1,
         completed_tasks = agent_metrics.completed_tasks + EXCLUDED.completed_tasks,
         failed_tasks = agent_metrics.failed_tasks + EXCLUDED.failed_tasks,
         total_duration_ms = agent_metrics.total_duration_ms + EXCLUDED.total_duration_ms,
         timed_tasks = agent_metrics.timed_tasks + EXCLUDED.timed_tasks,
         version = agent_metrics.version + 1,
         updated_at = now()`,
      [agentId, tenantId, completed, 1 - completed, durationMs ?? 0, timed],
    );
  }

  find(tenantId: string, agentId: string): Promise<AgentMetrics | null> {
    return this.dataSource.manager.findOneBy(AgentMetrics, { tenantId, agentId });
  }
}
