import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hydrate } from '../../common/persistence/hydrate';
import { insertStatement, queryPrepared } from '../../common/persistence/insert-statement';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { SystemMetric } from './system-metric.entity';

/** A point as the service writes it; without `recordedAt` the database stamps it. */
export type NewSystemMetric = Omit<SystemMetric, 'recordedAt'> & { recordedAt?: Date };

export interface SystemMetricFilters {
  name?: string;
  /** Only points with recorded_at at or after this instant. */
  since?: Date;
}

/** Every query on `system_metrics`, an append-only time series: rows are inserted and read, never updated. */
@Injectable()
export class SystemMetricsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One statement, prepared once per connection (two shapes: with and without recordedAt). */
  async insert(row: NewSystemMetric): Promise<SystemMetric> {
    const manager = this.dataSource.manager;
    const params: unknown[] = [];
    const { recordedAt, ...rest } = row;
    const values = recordedAt === undefined ? rest : { ...rest, recordedAt };
    const sql = `${insertStatement(manager, SystemMetric, [values], params)} RETURNING *`;
    const [stored] = await queryPrepared(this.dataSource, sql, params);
    return hydrate(manager, SystemMetric, stored);
  }

  list(tenantId: string, filters: SystemMetricFilters, page: PageRequest): Promise<Page<SystemMetric>> {
    const query = this.dataSource.manager
      .createQueryBuilder(SystemMetric, 'metric')
      .where('metric.tenantId = :tenantId', { tenantId });
    if (filters.name !== undefined) query.andWhere('metric.name = :name', { name: filters.name });
    if (filters.since !== undefined) query.andWhere('metric.recordedAt >= :since', { since: filters.since });
    return paginate(query, page);
  }
}
