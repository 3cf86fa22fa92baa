import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from './config/database.config';
import { createDataSource } from './database/create-data-source';
import { LegacyImport } from './database/legacy-import.entity';
import { ApiKeyEntity } from './common/auth/api-key.entity';
import { DomainEventEntity } from './common/events/domain-event.entity';
import { Agent } from './modules/agents/agent.entity';
import { HealthRecord } from './modules/health/health-record.entity';
import { IntegratedObject } from './modules/integrations/integrated-object.entity';
import { ActionLog } from './modules/knowledge/action-logs/action-log.entity';
import { Insight } from './modules/knowledge/insights/insight.entity';
import { JobResult } from './modules/knowledge/job-results/job-result.entity';
import { Pattern } from './modules/knowledge/patterns/pattern.entity';
import { Message } from './modules/messaging/message.entity';
import { AgentMetrics } from './modules/agents/metrics/agent-metrics.entity';
import { PersistedChunk } from './modules/outbox/persisted-chunk.entity';
import { ServiceCallRecord } from './modules/outbox/service-call-record.entity';
import { SystemMetric } from './modules/metrics/system-metric.entity';
import { TaskDependency } from './modules/tasks/task-dependency.entity';
import { Task } from './modules/tasks/task.entity';
import { Workflow } from './modules/workflows/workflow.entity';

/**
 * Every entity, listed explicitly: one list for the app, the migration CLI and the tests
 * (TypeORM's globbing loads files with a bare `require`, which bypasses transpilers). It lives
 * here, above the feature modules, so that the database layer knows none of them.
 */
export const entities = [
  ApiKeyEntity,
  DomainEventEntity,
  Agent,
  Workflow,
  Task,
  TaskDependency,
  Message,
  HealthRecord,
  AgentMetrics,
  SystemMetric,
  ServiceCallRecord,
  PersistedChunk,
  JobResult,
  ActionLog,
  Insight,
  Pattern,
  IntegratedObject,
  LegacyImport,
];

/** A data source over the application's entities, for either profile: the CLI, tests and benches use it. */
export function createAppDataSource(config: DatabaseConfig, overrides: Partial<DataSourceOptions> = {}): DataSource {
  return createDataSource(config, entities, overrides);
}
