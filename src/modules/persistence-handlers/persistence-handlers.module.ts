import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AgentsModule } from '../agents/agents.module';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { MessagingModule } from '../messaging/messaging.module';
import { TasksModule } from '../tasks/tasks.module';
import { HandlerRegistry } from './handler-registry';
import { AgentMessageHandler } from './handlers/agent-message.handler';
import { AgentRegistrationHandler } from './handlers/agent-registration.handler';
import { InsightHandler } from './handlers/insight.handler';
import { PatternHandler } from './handlers/pattern.handler';
import { TaskResultHandler } from './handlers/task-result.handler';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { ServiceCallsController } from './service-calls.controller';
import { ServiceCallsRepository } from './service-calls.repository';
import { ServiceCallsService } from './service-calls.service';

/**
 * The outbox's intake and inspection API, the handler registry and the built-in handlers.
 * Loaded in every role; the processing side is PersistenceWorkerModule.
 */
@Module({
  imports: [DiscoveryModule, AgentsModule, MessagingModule, TasksModule, KnowledgeModule],
  controllers: [ServiceCallsController],
  providers: [HandlerRegistry, ServiceCallsRepository, ServiceCallsService, OutboxEnqueuer, AgentRegistrationHandler, AgentMessageHandler, TaskResultHandler, InsightHandler, PatternHandler],
  exports: [HandlerRegistry, ServiceCallsRepository, OutboxEnqueuer],
})
export class PersistenceHandlersModule {}
