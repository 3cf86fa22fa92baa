import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a job (a task run by an agent, say) produced: output artifacts and metrics. Append-only. */
@Entity('job_results')
@Index(['tenantId', 'jobId', 'id'])
@Index(['tenantId', 'taskId'])
export class JobResult {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  jobId: string;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ type: 'jsonb', default: {} })
  outputArtifacts: Record<string, unknown>;

  @Column({ type: 'jsonb', default: {} })
  metrics: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'text' })
  createdBy: string;

  /** The API key that authenticated the request that made it (see AuditedEntity). */
  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;
}
