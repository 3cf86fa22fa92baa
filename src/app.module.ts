import { DynamicModule, Module, ModuleMetadata, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './common/auth/auth.module';
import { KeyedIncomingMessage, redactUrl, requestLogLevel } from './common/http/request-log';
import { PRETTY_TRANSPORT } from './common/logging/pretty-transport';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { DomainEventsModule } from './common/events/domain-events.module';
import { IdempotencyInterceptor } from './common/http/idempotency.interceptor';
import { IdempotencyPurgeModule } from './common/persistence/idempotency-purger';
import { PersistenceModule } from './common/persistence/persistence.module';
import { QueueBoardModule } from './common/queues/bull-board.module';
import { QueuesModule } from './common/queues/queues.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig, appConfig, AppRole, configLoaders, LogLevel, validateEnv } from './config';
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

const REQUEST_LOG_LEVELS = new Set<LogLevel>(['info', 'debug', 'trace']);

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

@Module({})
export class AppModule {
  /** `extraImports` lets an embedding program (or a test) add its own modules, e.g. event listeners. */
  static forRole(role: AppRole, extraImports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders, validate: validateEnv }),
        LoggerModule.forRootAsync({
          inject: [appConfig.KEY],
          useFactory: (config: AppConfig) => ({
            // Request logs are written at info (server errors at error): above info the per-request
            // logging middleware is not mounted at all, which roughly doubles throughput on small requests.
            forRoutes: REQUEST_LOG_LEVELS.has(config.logLevel) ? [{ path: '{*splat}', method: RequestMethod.ALL }] : [],
            pinoHttp: {
              level: config.logLevel,
              transport: config.logFormat === 'pretty' ? PRETTY_TRANSPORT : undefined,
              customLogLevel: requestLogLevel,
              // Which key acted (its id, never the key); headers are not logged, and would be redacted.
              customProps: (req) => ({ keyId: (req as KeyedIncomingMessage).apiKeyId }),
              redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
            },
          }),
        }),
        DatabaseModule.forRoot(entities),
        RedisModule,
        PersistenceModule,
        DomainEventsModule,
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
