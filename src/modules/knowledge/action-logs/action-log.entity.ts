import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One action an agent took (a tool call, say): what, with which parameters, how long, how it failed. Append-only. */
@Entity('action_logs')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'actionType', 'id'])
@Index(['tenantId', 'traceId', 'id'])
export class ActionLog {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  actionType: string;

  @Column({ type: 'jsonb', default: {} })
  parameters: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'double precision', nullable: true })
  durationMs: number | null;

  @Column({ type: 'text', nullable: true })
  traceId: string | null;

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'text' })
  createdBy: string;

  /** The API key that authenticated the request that made it (see AuditedEntity). */
  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;
}
