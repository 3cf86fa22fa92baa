import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One committed fact. Written in the same transaction as the change it describes; never updated.
 * Its key is the feed's order, (tenant, xid, id): one index serves both.
 */
@Entity('domain_events')
// The feed's other orders: (xid, id) per tenant within a type or an aggregate.
@Index('IDX_domain_events_feed_by_type', ['tenantId', 'type', 'xid', 'id'])
@Index('IDX_domain_events_feed_by_aggregate', ['tenantId', 'aggregateId', 'xid', 'id'])
export class DomainEventEntity {
  /** Drawn from its sequence: unique by itself, and increasing within a transaction. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @PrimaryColumn({ type: 'text' })
  tenantId: string;

  /**
   * The id of the transaction that wrote the event (`current_xid()`, i.e. `pg_current_xact_id()`),
   * filled in by the database: the feed orders by (xid, id) and serves only transactions that can no longer commit
   * behind a reader (see modules/events/event-feed.repository.ts).
   */
  @PrimaryColumn({ type: 'bigint', default: () => 'current_xid()', select: false, insert: false, update: false })
  xid: string;

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

  /** The API key that authenticated the change (its id, never the key); null without one. */
  @Column({ type: 'uuid', nullable: true })
  keyId: string | null;

  @Column({ type: 'text', nullable: true })
  correlationId: string | null;

  @Column({ type: 'jsonb', default: {} })
  payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;
}
