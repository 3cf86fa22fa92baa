import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { RunEntity } from '../workflows/run.entity';
import { Agent } from '../agents/agent.entity';
import { Workflow } from '../workflows/workflow.entity';

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A unit of work in a workflow, optionally assigned to an agent and optionally a subtask of
 * another task. Deleting the workflow deletes its tasks; deleting the agent unassigns them.
 */
@Entity('tasks')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'status', 'id'])
@Index(['tenantId', 'workflowId', 'id'])
@Index(['tenantId', 'agentId', 'id'])
@Index(['parentTaskId'])
@Check('tasks_status_check', `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`)
export class Task extends RunEntity {
  @Column({ type: 'uuid' })
  workflowId: string;

  @ManyToOne(() => Workflow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Workflow;

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent | null;

  @Column({ type: 'uuid', nullable: true })
  parentTaskId: string | null;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_task_id' })
  parentTask?: Task | null;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'int', default: 0 })
  priority: number;

  @Column({ type: 'text', default: 'pending' })
  status: TaskStatus;

  @Column({ type: 'double precision', nullable: true })
  durationMs: number | null;
}
