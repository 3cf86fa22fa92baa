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

  /** Inserts a result in the caller's transaction (bulk and single creates go through UnitOfWork.append). */
  async insert(manager: EntityManager, row: NewJobResultRow): Promise<JobResult> {
    const [stored] = await insertReturning(manager, JobResult, [row]);
    return stored;
  }

  findById(tenantId: string, id: string): Promise<JobResult | null> {
    return this.dataSource.manager.findOneBy(JobResult, { tenantId, id });
  }

  list(tenantId: string, filters: { jobId?: string }, page: PageRequest): Promise<Page<JobResult>> {
    const query = this.dataSource.manager.createQueryBuilder(JobResult, 'result').where('result.tenantId = :tenantId', { tenantId });
    if (filters.jobId !== undefined) query.andWhere('result.jobId = :jobId', { jobId: filters.jobId });
    return paginate(query, page);
  }
}
