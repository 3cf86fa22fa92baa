import { Check, Column, Entity, Index } from 'typeorm';
import { AuditedEntity } from '../../../common/persistence/versioned.entity';

/** A reusable sequence of steps, keyed by what triggers it, with how often it has been used. */
@Entity('patterns')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'trigger'], { unique: true })
@Index(['tenantId', 'usageCount', 'id'])
@Check('patterns_usage_count_check', 'usage_count >= 0')
export class Pattern extends AuditedEntity {
  @Column({ type: 'text' })
  trigger: string;

  @Column({ type: 'jsonb', default: [] })
  steps: unknown[];

  @Column({ type: 'int', default: 0 })
  usageCount: number;
}
