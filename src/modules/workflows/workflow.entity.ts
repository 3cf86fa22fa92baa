import { Check, Column, Entity, Index } from 'typeorm';
import { RunEntity } from './run.entity';

export const WORKFLOW_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

@Entity('workflows')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'status', 'id'])
@Check('workflows_status_check', `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`)
export class Workflow extends RunEntity {
  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text', default: 'pending' })
  status: WorkflowStatus;
}
