import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { AggregateNotFoundError } from '../../common/errors';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { RecordEvent } from '../../common/persistence/record-events';
import { CreateSystemMetricDto } from './dto/create-system-metric.dto';
import { SystemMetric } from './system-metric.entity';
import { SystemMetricEvents } from './system-metrics.events';
import { NewSystemMetric, SystemMetricFilters, SystemMetricsRepository } from './system-metrics.repository';

/** Every point's event, derived from its row. */
export const SYSTEM_METRIC_RECORDED: RecordEvent<SystemMetric, 'system_metric.recorded'> = {
  type: SystemMetricEvents.recorded,
  aggregateType: 'system_metric',
  payload: { systemMetricId: 'id', name: 'name', value: 'value' },
};

/** A tenant's own time series (queue depths, token spend, latencies…): append-only, each point with its `system_metric.recorded` event. */
@Injectable()
export class SystemMetricsService {
  constructor(
    private readonly metrics: SystemMetricsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async record(ctx: RequestContext, input: CreateSystemMetricDto): Promise<SystemMetric> {
    const row: NewSystemMetric = {
      id: uuidv7(),
      tenantId: ctx.tenantId,
      name: input.name,
      value: input.value,
      unit: input.unit ?? null,
      tags: input.tags ?? {},
    };
    // Without recordedAt the database stamps it: the column is left out of the insert.
    if (input.recordedAt !== undefined) row.recordedAt = new Date(input.recordedAt);
    const [stored] = await this.unitOfWork.append(ctx, SystemMetric, [row as SystemMetric], SYSTEM_METRIC_RECORDED);
    return stored;
  }

  async get(ctx: RequestContext, id: string): Promise<SystemMetric> {
    const metric = await this.metrics.findById(ctx.tenantId, id);
    if (!metric) throw new AggregateNotFoundError('system metric', id);
    return metric;
  }

  list(ctx: RequestContext, filters: SystemMetricFilters, page: PageRequest): Promise<Page<SystemMetric>> {
    return this.metrics.list(ctx.tenantId, filters, page);
  }
}
