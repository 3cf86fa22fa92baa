import { Injectable } from '@nestjs/common';
import { Transaction } from '../../../common/persistence/unit-of-work';
import { AgentMetricsRepository, TaskOutcome } from './agent-metrics.repository';

export interface AgentMetricsView {
  agentId: string;
  totalTasks: number;
  completedTasks: number;
  failedTasks: number;
  /** Mean duration of the finished tasks that reported one; null before the first. */
  avgDurationMs: number | null;
  /** completed / (completed + failed); null before the first finished task. */
  successRate: number | null;
  updatedAt: string | null;
}

/** Per-agent task counters. Other modules call `recordTaskOutcome` inside their own transaction. */
@Injectable()
export class AgentMetricsService {
  constructor(private readonly metrics: AgentMetricsRepository) {}

  /** Counts a task that reached completed or failed; call it in the transaction of that transition. */
  recordTaskOutcome(tx: Transaction, agentId: string, outcome: TaskOutcome, durationMs: number | null): Promise<void> {
    return this.metrics.recordOutcome(tx.manager, tx.context.tenantId, agentId, outcome, durationMs);
  }

  /** The counters of an agent the caller has already been allowed to see. */
  async forAgent(tenantId: string, agentId: string): Promise<AgentMetricsView> {
    const row = await this.metrics.find(tenantId, agentId);
    if (!row) {
      return { agentId, totalTasks: 0, completedTasks: 0, failedTasks: 0, avgDurationMs: null, successRate: null, updatedAt: null };
    }
    const finished = row.completedTasks + row.failedTasks;
    return {
      agentId,
      totalTasks: row.totalTasks,
      completedTasks: row.completedTasks,
      failedTasks: row.failedTasks,
      avgDurationMs: row.timedTasks > 0 ? Number(row.totalDurationMs) / row.timedTasks : null,
      successRate: finished > 0 ? row.completedTasks / finished : null,
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
