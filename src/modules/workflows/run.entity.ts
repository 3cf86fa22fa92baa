import { Column } from 'typeorm';
import { AuditedEntity } from '../../common/persistence/versioned.entity';

/**
 * The lifecycle columns a workflow and each of its tasks share: what went in, what came out or
 * why it failed, and when it started and finished (stamped by the status transitions).
 */
export abstract class RunEntity extends AuditedEntity {
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
}
