import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { HealthRecord } from './health-record.entity';

/** A record as the service writes it; the database stamps `recorded_at`. */
export type NewHealthRecord = Omit<HealthRecord, 'recordedAt'>;

export interface HealthRecordFilters {
  component?: string;
  /** An agent's id (or, before the service resolves it, its id or key). */
  agentId?: string;
  /** Only records with recorded_at at or after this instant. */
  since?: Date;
}

/** Every read of `health_records`, an append-only table (inserts go through UnitOfWork.append, with their events). */
@Injectable()
export class HealthRecordsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string): Promise<HealthRecord | null> {
    return this.dataSource.manager.findOneBy(HealthRecord, { tenantId, id });
  }

  list(tenantId: string, filters: HealthRecordFilters, page: PageRequest): Promise<Page<HealthRecord>> {
    const query = this.dataSource.manager.createQueryBuilder(HealthRecord, 'record').where('record.tenantId = :tenantId', { tenantId });
    if (filters.component !== undefined) query.andWhere('record.component = :component', { component: filters.component });
    if (filters.agentId !== undefined) query.andWhere('record.agentId = :agentId', { agentId: filters.agentId });
    if (filters.since !== undefined) query.andWhere('record.recordedAt >= :since', { since: filters.since });
    return paginate(query, page);
  }
}
