import { LegacyImport } from '../cli/legacy-import/legacy-import.entity';
import { ApiKeyEntity } from '../common/auth/api-key.entity';
import { DomainEventEntity } from '../common/events/domain-event.entity';
import { Agent } from '../modules/agents/agent.entity';
import { HealthRecord } from '../modules/health/health-record.entity';
import { IntegratedObject } from '../modules/integrations/integrated-object.entity';
import { ActionLog } from '../modules/knowledge/action-log.entity';
import { Insight } from '../modules/knowledge/insight.entity';
import { JobResult } from '../modules/knowledge/job-result.entity';
import { Pattern } from '../modules/knowledge/pattern.entity';
import { Message } from '../modules/messaging/message.entity';
import { AgentMetrics } from '../modules/metrics/agent-metrics.entity';
import { PersistedChunk } from '../modules/persistence-handlers/persisted-chunk.entity';
import { ServiceCallRecord } from '../modules/persistence-handlers/service-call-record.entity';
import { SystemMetric } from '../modules/metrics/system-metric.entity';
import { TaskDependency } from '../modules/tasks/task-dependency.entity';
import { Task } from '../modules/tasks/task.entity';
import { Workflow } from '../modules/workflows/workflow.entity';

/**
 * Every entity, listed explicitly: one list for the app, the migration CLI and the tests
 * (TypeORM's globbing loads files with a bare `require`, which bypasses transpilers).
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
