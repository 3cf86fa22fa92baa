import { Column, Entity, Index } from 'typeorm';
import { AuditedEntity } from '../../common/persistence/versioned.entity';

/**
 * An object imported from an external platform (a helpdesk ticket, a CRM contact, …), as received
 * and as prepared for agents. One row per (tenant, platform, company, original id): a re-import
 * updates it; two companies' ticket "123" are two objects.
 */
@Entity('integrated_objects')
@Index(['tenantId', 'id'])
// The migration makes this index NULLS NOT DISTINCT (PostgreSQL 15+), which TypeORM cannot say:
// an object without a company is one row per (tenant, platform, original id), as before companies counted.
@Index(['tenantId', 'platform', 'originalId', 'companyId'], { unique: true })
@Index(['tenantId', 'companyId', 'objectType', 'id'])
export class IntegratedObject extends AuditedEntity {
  @Column({ type: 'text' })
  platform: string;

  /** The object's id on its platform. */
  @Column({ type: 'text' })
  originalId: string;

  @Column({ type: 'text' })
  objectType: string;

  /** A company within the tenant (part of the key); null when the platform has none. */
  @Column({ type: 'text', nullable: true })
  companyId: string | null;

  /** The object exactly as the platform sent it. */
  @Column({ type: 'jsonb' })
  originalData: Record<string, unknown>;

  /** The content prepared for agents (e.g. a ticket thread as plain text). */
  @Column({ type: 'text', nullable: true })
  integratedContent: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  summary: string | null;
}
