import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { insertReturning } from '../../../common/persistence/insert-statement';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { ActionLog } from './action-log.entity';

export type NewActionLog = Omit<ActionLog, 'createdAt'>;

export interface ActionLogFilters {
  actionType?: string;
  traceId?: string;
}

/** Every query on `action_logs`, an append-only table. */
@Injectable()
export class ActionLogsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** All rows in one statement: every row or none. */
  insert(rows: NewActionLog[], manager: EntityManager = this.dataSource.manager): Promise<ActionLog[]> {
    return insertReturning(manager, ActionLog, rows);
  }

  list(tenantId: string, filters: ActionLogFilters, page: PageRequest): Promise<Page<ActionLog>> {
    const query = this.dataSource.manager.createQueryBuilder(ActionLog, 'log').where('log.tenantId = :tenantId', { tenantId });
    if (filters.actionType !== undefined) query.andWhere('log.actionType = :actionType', { actionType: filters.actionType });
    if (filters.traceId !== undefined) query.andWhere('log.traceId = :traceId', { traceId: filters.traceId });
    return paginate(query, page);
  }
}
