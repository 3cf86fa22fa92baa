import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AgentMetricsApiService } from './agent-metrics-api.service';
import { AgentMetricsController } from './agent-metrics.controller';
import { MetricsModule } from './metrics.module';
import { SystemMetricsController } from './system-metrics.controller';
import { SystemMetricsRepository } from './system-metrics.repository';
import { SystemMetricsService } from './system-metrics.service';

/** The tenant-facing metrics API. The Prometheus endpoint and the counters live in MetricsModule (every role). */
@Module({
  imports: [AgentsModule, MetricsModule],
  controllers: [AgentMetricsController, SystemMetricsController],
  providers: [AgentMetricsApiService, SystemMetricsService, SystemMetricsRepository],
})
export class MetricsApiModule {}
