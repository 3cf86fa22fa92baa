import type { OutgoingHttpHeaders } from 'node:http';
import { Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ApiController } from '../../common/http/route-decorators';
import { DomainEventPage } from './dto/domain-event.response';
import { EventFiltersQuery, ListEventsQuery } from './dto/list-events.query';
import { START } from './event-cursor';
import { EventFeed } from './event-feed.service';
import { typeFilter } from './event-type-pattern';
import { EventStreams } from './stream/event-streams.service';

@ApiController('events', 'events')
export class EventsController {
  constructor(
    private readonly feed: EventFeed,
    private readonly streams: EventStreams,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail: committed domain events of your tenant, in commit-safe order',
    description:
      'Follow it with ?after=<nextCursor>: every committed event comes exactly once, whatever order transactions commit in. ' +
      'Events committed before the request are in it unless an older transaction is still running after EVENTS_READ_WAIT_MS (500 ms).',
  })
  @ApiOkResponse({ type: DomainEventPage })
  @ApiProblems(ErrorCode.InvalidCursor)
  async list(@Ctx() ctx: RequestContext, @Query() query: ListEventsQuery): Promise<DomainEventPage> {
    const after = this.feed.positionOf(ctx.tenantId, query.after);
    const page = await this.feed.settledPage(ctx.tenantId, after, query, query.limit);
    const items = page.items.map((event) => this.feed.toResponse(event));
    return { items, nextCursor: items.at(-1)?.id ?? this.feed.cursorOf(ctx.tenantId, after) };
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Live events of your tenant as Server-Sent Events',
    description:
      'Each event is a `message` whose `id` is its cursor and whose data is the event as GET /events returns it. ' +
      'Reconnect with Last-Event-ID (or ?after=) to get exactly what you missed; without either, the stream starts at the start of your history, as the feed does. ' +
      'Control events: `ready` (first, with the position it starts after), `dropped` (a client too slow to read, with the cursor to resume after), `closing` (shutdown). Comments are heartbeats.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received: resumes right after it' })
  @ApiOkResponse({ description: 'A text/event-stream that stays open', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems(ErrorCode.InvalidCursor, ErrorCode.TooManyStreams)
  async stream(
    @Ctx() ctx: RequestContext,
    @Query() query: EventFiltersQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Everything that can be refused is refused here, as problem+json, before the stream starts.
    if (query.type) typeFilter(query.type);
    const resumed = lastEventId !== undefined ? this.feed.positionOf(ctx.tenantId, lastEventId, 'Last-Event-ID') : undefined;
    const given = resumed ?? (query.after !== undefined ? this.feed.positionOf(ctx.tenantId, query.after) : undefined);
    // Without a cursor the stream starts where the feed does, at the start of the tenant's history.
    const after = given ?? START;
    const release = await this.streams.admit(request.apiKeyId ?? `tenant:${ctx.tenantId}`);
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    // The connection's idle timeout would cut a quiet stream: heartbeats and failed writes find dead clients instead.
    reply.raw.socket?.setTimeout(0);
    this.streams.serve({ tenantId: ctx.tenantId, filters: query, after }, reply.raw, release);
  }
}
