import { Check, Column, Entity, Index } from 'typeorm';
import { AuditedEntity } from '../../../common/persistence/versioned.entity';

/** The GIN index on `search`; TypeORM cannot declare a GIN index, so the migration creates it. */
export const INSIGHTS_SEARCH_INDEX = 'insights_search_idx';

/** Something learned, with how sure of it we are, searchable by full text. */
@Entity('insights')
@Index(['tenantId', 'id'])
@Index(['tenantId', 'domain', 'id'])
@Check('insights_confidence_check', 'confidence >= 0 AND confidence <= 1')
export class Insight extends AuditedEntity {
  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text' })
  domain: string;

  @Column({ type: 'double precision' })
  confidence: number;

  @Column({ type: 'text' })
  content: string;

  /** Maintained by PostgreSQL from summary and content; never written by the service. */
  @Index(INSIGHTS_SEARCH_INDEX, { synchronize: false })
  @Column({
    type: 'tsvector',
    generatedType: 'STORED',
    asExpression: `to_tsvector('english', "summary" || ' ' || "content")`,
    select: false,
    insert: false,
    update: false,
  })
  search?: string;
}
