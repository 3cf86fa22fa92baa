import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { JobResult } from './job-result.entity';

export type NewJobResultRow = Omit<JobResult, 'createdAt'>;

/** Every query on `job_results`. */
@Injectable()
export class JobResultsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string): Promise<JobResult | null> {
    return this.dataSource.manager.findOneBy(JobResult, { tenantId, id });
  }

  list(tenantId: string, filters: { jobId?: string }, page: PageRequest): Promise<Page<JobResult>> {
    const query = this.dataSource.manager.createQueryBuilder(JobResult, 'result').where('result.tenantId = :tenantId', { tenantId });
    if (filters.jobId !== undefined) query.andWhere('result.jobId = :jobId', { jobId: filters.jobId });
    return paginate(query, page);
  }
}
