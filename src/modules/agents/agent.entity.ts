import { Check, Column, Entity, Index } from 'typeorm';
import { AuditedEntity } from '../../common/persistence/versioned.entity';

export const AGENT_STATUSES = ['idle', 'busy', 'offline', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** The unique index of agent keys within a tenant: its violation is a key already taken. */
export const AGENT_KEY_INDEX = 'agents_tenant_key_idx';

@Entity('agents')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'status', 'id'])
@Index(['tenantId', 'role', 'id'])
@Index(AGENT_KEY_INDEX, ['tenantId', 'key'], { unique: true, where: '"key" IS NOT NULL' })
@Check('agents_key_check', `key IS NULL OR (length(key) BETWEEN 1 AND 200 AND key !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')`)
@Check('agents_status_check', `status IN ('idle', 'busy', 'offline', 'error')`)
export class Agent extends AuditedEntity {
  /** The caller's own name for the agent (`agent_sena`), unique per tenant; see agent-key.ts. */
  @Column({ type: 'text', nullable: true })
  key: string | null;

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
