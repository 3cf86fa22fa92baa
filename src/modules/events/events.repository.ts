import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainEventEntity } from '../../common/events/domain-event.entity';
import { typeFilter } from './event-type-pattern';

export interface EventFilters {
  type?: string;
  aggregateId?: string;
  after?: string;
  limit: number;
}

/** Reads the tenant's event log in log order. */
@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(tenantId: string, filters: EventFilters): Promise<{ items: DomainEventEntity[]; hasMore: boolean }> {
    const query = this.dataSource.manager
      .createQueryBuilder(DomainEventEntity, 'event')
      .where('event.tenantId = :tenantId', { tenantId });
    if (filters.type) {
      const filter = typeFilter(filters.type);
      if ('exact' in filter) query.andWhere('event.type = :type', { type: filter.exact });
      else query.andWhere('event.type ~ :typePattern', { typePattern: filter.regex });
    }
    if (filters.aggregateId) query.andWhere('event.aggregateId = :aggregateId', { aggregateId: filters.aggregateId });
    if (filters.after) query.andWhere('event.id > :after', { after: filters.after });
    const rows = await query.orderBy('event.id', 'ASC').limit(filters.limit + 1).getMany();
    return { items: rows.slice(0, filters.limit), hasMore: rows.length > filters.limit };
  }
}
