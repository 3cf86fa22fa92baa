import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertReturning } from '../../common/persistence/insert-statement';
import { JobResult } from './job-result.entity';

/** Every query on `job_results`. */
@Injectable()
export class JobResultsRepository {
  async insert(manager: EntityManager, row: Omit<JobResult, 'createdAt'>): Promise<JobResult> {
    const [stored] = await insertReturning(manager, JobResult, [row]);
    return stored;
  }
}
