import { Module } from '@nestjs/common';
import { StatusCountsRepository } from './status-counts.repository';
import { StatusGauges } from './status-gauges';
import { SystemMetricsController } from './system-metrics.controller';
import { SystemMetricsRepository } from './system-metrics.repository';
import { SystemMetricsService } from './system-metrics.service';

/**
 * System metrics (the tenant-facing time series API) and the operator gauges of agents and tasks
 * by status. Agents' task counters live with the agents; `/metrics` itself is ObservabilityModule.
 */
@Module({
  controllers: [SystemMetricsController],
  providers: [SystemMetricsService, SystemMetricsRepository, StatusCountsRepository, StatusGauges],
})
export class MetricsModule {}
