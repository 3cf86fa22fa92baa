import { Check, Column, Entity, Index } from 'typeorm';
import { AuditedEntity } from '../../common/persistence/versioned.entity';

export const AGENT_STATUSES = ['idle', 'busy', 'offline', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

@Entity('agents')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'status', 'id'])
@Index(['tenantId', 'role', 'id'])
@Check('agents_status_check', `status IN ('idle', 'busy', 'offline', 'error')`)
export class Agent extends AuditedEntity {
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', default: 'idle' })
  status: AgentStatus;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  lastHeartbeatAt: Date | null;
}
