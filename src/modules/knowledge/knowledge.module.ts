import { Module } from '@nestjs/common';
import { JobResultsRepository } from './job-results.repository';
import { JobResultsService } from './job-results.service';

/** Knowledge records: so far the job results that the task-result handler writes. */
@Module({
  providers: [JobResultsService, JobResultsRepository],
  exports: [JobResultsService],
})
export class KnowledgeModule {}
