import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One point of a tenant's time series (`name`, `value`, optional unit and tags). Append-only. */
@Entity('system_metrics')
@Index(['tenantId', 'recordedAt', 'id'])
@Index(['tenantId', 'name', 'recordedAt', 'id'])
export class SystemMetric {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'double precision' })
  value: number;

  @Column({ type: 'text', nullable: true })
  unit: string | null;

  @Column({ type: 'jsonb', default: {} })
  tags: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
