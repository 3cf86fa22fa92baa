import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hydrate } from '../../common/persistence/hydrate';
import { insertStatement, queryPrepared } from '../../common/persistence/insert-statement';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { HealthRecord } from './health-record.entity';

/** A record as the service writes it; the database stamps `recorded_at`. */
export type NewHealthRecord = Omit<HealthRecord, 'recordedAt'>;

export interface HealthRecordFilters {
  component?: string;
  /** Only records with recorded_at at or after this instant. */
  since?: Date;
}

/** Every query on `health_records`, an append-only table: rows are inserted and read, never updated. */
@Injectable()
export class HealthRecordsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One statement, prepared once per connection (its shape never changes). */
  async insert(row: NewHealthRecord): Promise<HealthRecord> {
    const manager = this.dataSource.manager;
    const params: unknown[] = [];
    const sql = `${insertStatement(manager, HealthRecord, [row], params)} RETURNING *`;
    const [stored] = await queryPrepared(this.dataSource, sql, params);
    return hydrate(manager, HealthRecord, stored);
  }

  list(tenantId: string, filters: HealthRecordFilters, page: PageRequest): Promise<Page<HealthRecord>> {
    const query = this.dataSource.manager
      .createQueryBuilder(HealthRecord, 'record')
      .where('record.tenantId = :tenantId', { tenantId });
    if (filters.component !== undefined) query.andWhere('record.component = :component', { component: filters.component });
    if (filters.since !== undefined) query.andWhere('record.recordedAt >= :since', { since: filters.since });
    return paginate(query, page);
  }
}
