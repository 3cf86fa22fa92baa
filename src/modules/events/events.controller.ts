import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { DomainEventPage } from './dto/domain-event.response';
import { ListEventsQuery } from './dto/list-events.query';
import { EventsRepository } from './events.repository';
import { ApiController } from '../../common/http/route-decorators';

@ApiController('events', 'events')
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail: committed domain events of your tenant, in log order' })
  @ApiOkResponse({ type: DomainEventPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListEventsQuery): Promise<DomainEventPage> {
    const { items, hasMore } = await this.events.list(ctx.tenantId, query);
    return {
      items: items.map((event) => ({
        id: String(event.id),
        type: event.type,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        aggregateVersion: event.aggregateVersion,
        tenantId: event.tenantId,
        actorId: event.actorId,
        correlationId: event.correlationId,
        payload: event.payload,
        occurredAt: event.occurredAt.toISOString(),
      })),
      nextCursor: hasMore ? String(items[items.length - 1].id) : null,
    };
  }
}
