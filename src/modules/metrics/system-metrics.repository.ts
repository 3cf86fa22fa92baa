import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { SystemMetric } from './system-metric.entity';

/** A point as the service writes it; without `recordedAt` the database stamps it. */
export type NewSystemMetric = Omit<SystemMetric, 'recordedAt'> & { recordedAt?: Date };

export interface SystemMetricFilters {
  name?: string;
  /** Only points with recorded_at at or after this instant. */
  since?: Date;
}

/** Every read of `system_metrics`, an append-only time series (inserts go through UnitOfWork.append, with their events). */
@Injectable()
export class SystemMetricsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string): Promise<SystemMetric | null> {
    return this.dataSource.manager.findOneBy(SystemMetric, { tenantId, id });
  }

  list(tenantId: string, filters: SystemMetricFilters, page: PageRequest): Promise<Page<SystemMetric>> {
    const query = this.dataSource.manager.createQueryBuilder(SystemMetric, 'metric').where('metric.tenantId = :tenantId', { tenantId });
    if (filters.name !== undefined) query.andWhere('metric.name = :name', { name: filters.name });
    if (filters.since !== undefined) query.andWhere('metric.recordedAt >= :since', { since: filters.since });
    return paginate(query, page);
  }
}
