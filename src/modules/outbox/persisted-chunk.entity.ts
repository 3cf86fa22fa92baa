import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The idempotency key of the outbox: inserted in the same transaction as the domain rows a
 * result produces. A second attempt finds it and writes nothing.
 */
@Entity('persisted_chunks')
export class PersistedChunk {
  @PrimaryColumn('text')
  tenantId: string;

  @PrimaryColumn('text')
  callId: string;

  @PrimaryColumn('text')
  schemaIdentity: string;

  @Column({ type: 'uuid' })
  recordId: string;

  /** `namespace/schema` of the handler that persisted it. */
  @Column({ type: 'text' })
  handlerIdentity: string;

  @Column({ type: 'text', nullable: true })
  domainType: string | null;

  @Column({ type: 'uuid', nullable: true })
  domainId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
