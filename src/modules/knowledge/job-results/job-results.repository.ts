import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { insertReturning } from '../../../common/persistence/insert-statement';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { JobResult } from './job-result.entity';

export type NewJobResultRow = Omit<JobResult, 'createdAt'>;

/** Every query on `job_results`. */
@Injectable()
export class JobResultsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: NewJobResultRow): Promise<JobResult> {
    const [stored] = await insertReturning(manager, JobResult, [row]);
    return stored;
  }

  /** All rows in one statement: every row or none. */
  insertMany(rows: NewJobResultRow[]): Promise<JobResult[]> {
    return insertReturning(this.dataSource.manager, JobResult, rows);
  }

  list(tenantId: string, filters: { jobId?: string }, page: PageRequest): Promise<Page<JobResult>> {
    const query = this.dataSource.manager.createQueryBuilder(JobResult, 'result').where('result.tenantId = :tenantId', { tenantId });
    if (filters.jobId !== undefined) query.andWhere('result.jobId = :jobId', { jobId: filters.jobId });
    return paginate(query, page);
  }
}
