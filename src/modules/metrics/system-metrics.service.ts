import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { CreateSystemMetricDto } from './dto/create-system-metric.dto';
import { SystemMetric } from './system-metric.entity';
import { SystemMetricFilters, SystemMetricsRepository } from './system-metrics.repository';

/**
 * A tenant's own time series (queue depths, token spend, latencies…). Append-only telemetry:
 * the row is the record, so writing one emits no domain event.
 */
@Injectable()
export class SystemMetricsService {
  constructor(private readonly metrics: SystemMetricsRepository) {}

  record(ctx: RequestContext, input: CreateSystemMetricDto): Promise<SystemMetric> {
    return this.metrics.insert({
      id: uuidv7(),
      tenantId: ctx.tenantId,
      name: input.name,
      value: input.value,
      unit: input.unit ?? null,
      tags: input.tags ?? {},
      recordedAt: input.recordedAt === undefined ? undefined : new Date(input.recordedAt),
    });
  }

  list(ctx: RequestContext, filters: SystemMetricFilters, page: PageRequest): Promise<Page<SystemMetric>> {
    return this.metrics.list(ctx.tenantId, filters, page);
  }
}
