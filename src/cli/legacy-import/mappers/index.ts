import { ActionLogMapper } from './action-log.mapper';
import { AgentMapper } from './agent.mapper';
import { InsightMapper } from './insight.mapper';
import { IntegratedObjectMapper } from './integrated-object.mapper';
import { JobResultMapper } from './job-result.mapper';
import { LegacyMapper } from './legacy-mapper';
import { MessageMapper } from './message.mapper';
import { PatternMapper } from './pattern.mapper';
import { TaskMapper } from './task.mapper';
import { WorkflowMapper } from './workflow.mapper';

/**
 * One mapper per known legacy type, in the order of LEGACY_TYPES: every type comes after the
 * types it references (a message names agents and a task, a task names a workflow, an agent,
 * its parent and the tasks it depends on). Fresh instances: a mapper may keep state for one run.
 */
export function createMappers(): LegacyMapper[] {
  return [
    new AgentMapper(),
    new WorkflowMapper(),
    new TaskMapper(),
    new MessageMapper(),
    new JobResultMapper(),
    new ActionLogMapper(),
    new InsightMapper(),
    new PatternMapper(),
    new IntegratedObjectMapper(),
  ] as LegacyMapper[];
}

export { LegacyMapper } from './legacy-mapper';
