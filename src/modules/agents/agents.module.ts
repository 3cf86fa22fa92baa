import { Module } from '@nestjs/common';
import { AgentRegistrationHandler } from './agent-registration.handler';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { AgentMetricsApiService } from './metrics/agent-metrics-api.service';
import { AgentMetricsController } from './metrics/agent-metrics.controller';
import { AgentMetricsRepository } from './metrics/agent-metrics.repository';
import { AgentMetricsService } from './metrics/agent-metrics.service';

@Module({
  controllers: [AgentsController, AgentMetricsController],
  providers: [AgentsService, AgentsRepository, AgentRegistrationHandler, AgentMetricsService, AgentMetricsRepository, AgentMetricsApiService],
  exports: [AgentsService, AgentMetricsService],
})
export class AgentsModule {}
