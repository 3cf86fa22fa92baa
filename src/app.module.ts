import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from './common/auth/auth.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { DomainEventsModule } from './common/events/domain-events.module';
import { IdempotencyInterceptor } from './common/http/idempotency.interceptor';
import { IdempotencyPurgeModule } from './common/persistence/idempotency-purger';
import { PersistenceModule } from './common/persistence/persistence.module';
import { QueueBoardModule } from './common/queues/bull-board.module';
import { QueuesModule } from './common/queues/queues.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppRole, configLoaders, validateEnv } from './config';
import { entities } from './data-source';
import { DatabaseModule } from './database/database.module';
import { AgentsModule } from './modules/agents/agents.module';
import { EventHistoryModule } from './modules/events/event-history.module';
import { HealthRecordsModule } from './modules/health/health-records.module';
import { HealthModule } from './modules/health/health.module';
import { IntegrationsModule } from './modules/integrations/integrations.module';
import { KnowledgeModule } from './modules/knowledge/knowledge.module';
import { MessagingModule } from './modules/messaging/messaging.module';
import { ObservabilityModule } from './common/observability/observability.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { OutboxModule } from './modules/outbox/outbox.module';
import { OutboxWorkerModule } from './modules/outbox/outbox-worker.module';
import { TasksModule } from './modules/tasks/tasks.module';
import { WorkflowsModule } from './modules/workflows/workflows.module';
import { RedisModule } from './redis/redis.module';

/**
 * The feature modules. Every role loads them (handlers use their services); a worker process
 * serves none of their routes (see create-app.ts).
 */
export const FEATURE_MODULES = [
  AgentsModule,
  WorkflowsModule,
  TasksModule,
  MessagingModule,
  HealthRecordsModule,
  MetricsModule,
  EventHistoryModule,
  KnowledgeModule,
  IntegrationsModule,
  OutboxModule,
];

/** What every process stands on (the server's roles and the command line): settings, the database, Redis, the unit of work and events. */
export const FOUNDATION_MODULES = [
  ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders, validate: validateEnv }),
  DatabaseModule.forRoot(entities),
  RedisModule,
  PersistenceModule,
  DomainEventsModule,
];

@Module({})
export class AppModule {
  /** `extraImports` lets an embedding program (or a test) add its own modules, e.g. event listeners. */
  static forRole(role: AppRole, extraImports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...FOUNDATION_MODULES,
        AuthModule,
        RateLimitModule,
        HealthModule,
        ObservabilityModule,
        QueuesModule,
        ...FEATURE_MODULES,
        ...(role === 'api' ? [] : [OutboxWorkerModule, IdempotencyPurgeModule]),
        ...(role === 'worker' ? [] : [QueueBoardModule]),
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Outermost (before the request scope of create-app.ts): a replay runs no handler at all.
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
