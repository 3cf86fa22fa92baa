import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One committed fact. Written in the same transaction as the change it describes; never updated. */
@Entity('domain_events')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'aggregateId', 'id'])
@Index(['tenantId', 'type', 'id'])
export class DomainEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  aggregateType: string;

  @Column({ type: 'uuid' })
  aggregateId: string;

  @Column({ type: 'int', nullable: true })
  aggregateVersion: number | null;

  @Column({ type: 'text' })
  actorId: string;

  @Column({ type: 'text', nullable: true })
  correlationId: string | null;

  @Column({ type: 'jsonb', default: {} })
  payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;
}
