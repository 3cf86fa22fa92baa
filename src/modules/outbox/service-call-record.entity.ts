import { Check, Column, Entity, Index } from 'typeorm';
import { TenantOwnedEntity } from '../../common/persistence/versioned.entity';

export const SERVICE_CALL_STATUSES = ['pending', 'persisted', 'skipped', 'dead_lettered'] as const;
export type ServiceCallStatus = (typeof SERVICE_CALL_STATUSES)[number];

/**
 * The outbox: one structured result of a service call (an LLM output, say), accepted once per
 * (tenant, call id, schema) and turned into domain rows by its persistence handler.
 */
@Entity('service_call_records')
@Index(['tenantId', 'callId', 'schemaIdentity'], { unique: true })
@Index(['tenantId', 'id'])
// By status: unfinished records only (a persisted one is found in id order, its status a filter).
@Index('service_call_records_unfinished', ['tenantId', 'status', 'id'], { where: `status <> 'persisted'` })
@Index(['tenantId', 'schemaIdentity', 'id'])
@Index('service_call_records_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Check('service_call_records_status_check', `status IN ('pending', 'persisted', 'skipped', 'dead_lettered')`)
export class ServiceCallRecord extends TenantOwnedEntity {
  @Column({ type: 'text' })
  callId: string;

  @Column({ type: 'text' })
  namespace: string;

  /** Schema name and version, e.g. `task.result@1`. */
  @Column({ type: 'text' })
  schemaIdentity: string;

  @Column({ type: 'jsonb' })
  result: unknown;

  @Column({ type: 'text', default: 'pending' })
  status: ServiceCallStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** When the sweeper may enqueue it again if no live job holds it. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  persistedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  correlationId: string | null;

  /** 0 = none (first in, first out, after every prioritised result), 1 = highest. */
  // The drain's claim order is an expression index TypeORM cannot declare (OutboxBatchedDrain
  // migration), and so is the same order within a tenant (OutboxClaimOneTenant migration).
  @Index('service_call_records_drain', { synchronize: false })
  @Index('service_call_records_drain_by_tenant', { synchronize: false })
  @Column({ type: 'int', default: 0 })
  priority: number;

  @Column({ type: 'text' })
  createdBy: string;

  /** The API key that submitted the result: the rows and events its handler writes name it too. */
  @Column({ type: 'uuid', nullable: true })
  createdByKeyId: string | null;
}
