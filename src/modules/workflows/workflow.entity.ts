import { Check, Column, Entity, Index } from 'typeorm';
import { TenantOwnedEntity } from '../../common/persistence/versioned.entity';

export const WORKFLOW_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

@Entity('workflows')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'status', 'id'])
@Check('workflows_status_check', `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`)
export class Workflow extends TenantOwnedEntity {
  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text', default: 'pending' })
  status: WorkflowStatus;

  @Column({ type: 'jsonb', default: {} })
  input: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  output: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text' })
  createdBy: string;

  @Column({ type: 'text' })
  updatedBy: string;
}
