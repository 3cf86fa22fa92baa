import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../agent.entity';

/**
 * Per-agent task counters, changed in the same transaction as a task's terminal transition
 * (atomic increments), so they always equal a recount of the tasks table.
 */
@Entity('agent_metrics')
export class AgentMetrics {
  @PrimaryColumn('uuid')
  agentId: string;

  @OneToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'int', default: 0 })
  totalTasks: number;

  @Column({ type: 'int', default: 0 })
  completedTasks: number;

  @Column({ type: 'int', default: 0 })
  failedTasks: number;

  /** Sum of the durations of finished tasks that reported one, and how many did. */
  @Column({ type: 'double precision', default: 0 })
  totalDurationMs: number;

  @Column({ type: 'int', default: 0 })
  timedTasks: number;

  @Column({ type: 'int', default: 1 })
  version: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
