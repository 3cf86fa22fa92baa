import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { AgentMetricsRepository } from './agent-metrics.repository';
import { AgentMetricsService } from './agent-metrics.service';
import { MetricsController } from './metrics.controller';
import { StatusCountsRepository } from './status-counts.repository';
import { StatusGauges } from './status-gauges';

// Process metrics (CPU, memory, event loop lag, GC), registered once per process.
if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();

@Module({
  controllers: [MetricsController],
  providers: [AgentMetricsService, AgentMetricsRepository, StatusCountsRepository, StatusGauges],
  exports: [AgentMetricsService],
})
export class MetricsModule {}
