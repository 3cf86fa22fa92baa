import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { TasksModule } from '../tasks/tasks.module';
import { ActionLogsController } from './action-logs/action-logs.controller';
import { ActionLogsRepository } from './action-logs/action-logs.repository';
import { ActionLogsService } from './action-logs/action-logs.service';
import { InsightHandler } from './insights/insight.handler';
import { InsightsController } from './insights/insights.controller';
import { InsightsRepository } from './insights/insights.repository';
import { InsightsService } from './insights/insights.service';
import { JobResultsController } from './job-results/job-results.controller';
import { JobResultsRepository } from './job-results/job-results.repository';
import { JobResultsService } from './job-results/job-results.service';
import { TaskResultHandler } from './job-results/task-result.handler';
import { PatternHandler } from './patterns/pattern.handler';
import { PatternsController } from './patterns/patterns.controller';
import { PatternsRepository } from './patterns/patterns.repository';
import { PatternsService } from './patterns/patterns.service';

/** What agents learn and leave behind: action logs, job results, insights (full-text searchable) and patterns. */
@Module({
  imports: [AgentsModule, TasksModule],
  controllers: [ActionLogsController, JobResultsController, InsightsController, PatternsController],
  providers: [
    ActionLogsService,
    ActionLogsRepository,
    JobResultsService,
    JobResultsRepository,
    InsightsService,
    InsightsRepository,
    PatternsService,
    PatternsRepository,
    TaskResultHandler,
    InsightHandler,
    PatternHandler,
  ],
  exports: [JobResultsService, InsightsService, PatternsService],
})
export class KnowledgeModule {}
