import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { AuditedEntity } from '../../common/persistence/versioned.entity';
import { Task } from '../tasks/task.entity';

export const MESSAGE_STATUSES = ['sent', 'received', 'processed', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * A message from one agent to another. The agent ids are kept without a foreign key so the
 * conversation survives the deletion of an agent.
 */
@Entity('messages')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'toAgentId', 'id'])
@Index(['tenantId', 'fromAgentId', 'id'])
@Index(['taskId'])
@Check('messages_status_check', `status IN ('sent', 'received', 'processed', 'failed')`)
export class Message extends AuditedEntity {
  @Column({ type: 'uuid' })
  fromAgentId: string;

  @Column({ type: 'uuid' })
  toAgentId: string;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @ManyToOne(() => Task, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'task_id' })
  task?: Task | null;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'jsonb', default: {} })
  content: Record<string, unknown>;

  @Column({ type: 'text', default: 'sent' })
  status: MessageStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sentAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  receivedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
