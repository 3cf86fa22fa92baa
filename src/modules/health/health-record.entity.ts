import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** A health observation of a component (or an agent). Append-only: never updated. */
@Entity('health_records')
@Index(['tenantId', 'recordedAt', 'id'])
@Index(['tenantId', 'component', 'recordedAt', 'id'])
@Index('IDX_health_records_tenant_agent', ['tenantId', 'agentId', 'id'])
@Check('health_records_status_check', `status IN ('ok', 'degraded', 'down')`)
export class HealthRecord {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  component: string;

  @Column({ type: 'text' })
  status: HealthStatus;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ type: 'double precision', nullable: true })
  responseTimeMs: number | null;

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @Column({ type: 'text' })
  createdBy: string;

  /** The API key that authenticated the request that made it (see AuditedEntity). */
  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;
}
