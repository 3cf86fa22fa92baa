import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Base of every aggregate: a time-ordered uuid (v7, assigned by the application so that
 * ids sort by creation and serve as pagination cursors), a version for compare-and-set,
 * and timestamps. Updates must go through `compareAndSet`, never `save()`.
 */
export abstract class VersionedEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * An aggregate owned by a tenant: every query on it is scoped by `tenantId`. Subclasses
 * declare `@Index(['tenantId', 'id'])`, the index that tenant-scoped lists page through.
 */
export abstract class TenantOwnedEntity extends VersionedEntity {
  @Column({ type: 'text' })
  tenantId: string;
}

/**
 * A tenant's aggregate that records who created it and who changed it last: the actor (a label,
 * `X-Actor-Id` or the key's name) and the id of the API key that authenticated the request (null
 * without one: the operator's command line, `AUTH=off`, rows older than the column).
 */
export abstract class AuditedEntity extends TenantOwnedEntity {
  @Column({ type: 'text' })
  createdBy: string;

  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;

  @Column({ type: 'text' })
  updatedBy: string;

  @Column({ type: 'uuid', nullable: true })
  updatedByKeyId: string | null;
}
