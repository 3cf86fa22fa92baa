import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { ActionLog } from './action-log.entity';

export type NewActionLog = Omit<ActionLog, 'createdAt'>;

export interface ActionLogFilters {
  actionType?: string;
  traceId?: string;
}

/** Every read of `action_logs`, an append-only table (inserts go through UnitOfWork.append, with their events). */
@Injectable()
export class ActionLogsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(tenantId: string, id: string): Promise<ActionLog | null> {
    return this.dataSource.manager.findOneBy(ActionLog, { tenantId, id });
  }

  list(tenantId: string, filters: ActionLogFilters, page: PageRequest): Promise<Page<ActionLog>> {
    const query = this.dataSource.manager.createQueryBuilder(ActionLog, 'log').where('log.tenantId = :tenantId', { tenantId });
    if (filters.actionType !== undefined) query.andWhere('log.actionType = :actionType', { actionType: filters.actionType });
    if (filters.traceId !== undefined) query.andWhere('log.traceId = :traceId', { traceId: filters.traceId });
    return paginate(query, page);
  }
}
