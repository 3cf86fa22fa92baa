import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { TasksModule } from '../tasks/tasks.module';
import { ActionLogsController } from './action-logs.controller';
import { ActionLogsRepository } from './action-logs.repository';
import { ActionLogsService } from './action-logs.service';
import { InsightsController } from './insights.controller';
import { InsightsRepository } from './insights.repository';
import { InsightsService } from './insights.service';
import { JobResultsController } from './job-results.controller';
import { JobResultsRepository } from './job-results.repository';
import { JobResultsService } from './job-results.service';
import { KnowledgeReferences } from './knowledge-references';
import { PatternsController } from './patterns.controller';
import { PatternsRepository } from './patterns.repository';
import { PatternsService } from './patterns.service';

/** What agents learn and leave behind: action logs, job results, insights (full-text searchable) and patterns. */
@Module({
  imports: [AgentsModule, TasksModule],
  controllers: [ActionLogsController, JobResultsController, InsightsController, PatternsController],
  providers: [
    ActionLogsService,
    ActionLogsRepository,
    JobResultsService,
    JobResultsRepository,
    KnowledgeReferences,
    InsightsService,
    InsightsRepository,
    PatternsService,
    PatternsRepository,
  ],
  exports: [JobResultsService, InsightsService, PatternsService],
})
export class KnowledgeModule {}
