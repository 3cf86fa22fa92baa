import { Body, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateServiceCallDto } from './dto/create-service-call.dto';
import { ListDeadLettersQuery, ListServiceCallsQuery } from './dto/list-service-calls.query';
import { ServiceCallPage, ServiceCallResponse } from './dto/service-call.response';
import { OutboxService } from './outbox.service';
import { ApiController } from '../../common/http/route-decorators';

@ApiController(undefined, 'service calls (outbox)')
export class OutboxController {
  constructor(private readonly serviceCalls: OutboxService) {}

  @Post('service-calls')
  @ApiOperation({
    summary: 'Hand over a structured result to be persisted exactly once',
    description:
      '202 once the result is stored in PostgreSQL; its handler turns it into domain rows in the background. ' +
      'The same (callId, schema) again answers 200 with the first record and changes nothing.',
  })
  @ApiAcceptedResponse({ type: ServiceCallResponse, description: 'Accepted: stored, to be persisted' })
  @ApiOkResponse({ type: ServiceCallResponse, description: 'Already accepted earlier: the existing record' })
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateServiceCallDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServiceCallResponse> {
    const { record, created } = await this.serviceCalls.accept(ctx, body);
    void reply.status(created ? HttpStatus.ACCEPTED : HttpStatus.OK).header('Location', `/api/v1/service-calls/${record.id}`);
    return ServiceCallResponse.from(record);
  }

  @Get('service-calls/:id')
  @ApiOperation({ summary: 'Status, attempts, last error and the domain objects a result became' })
  @ApiOkResponse({ type: ServiceCallResponse })
  @ApiProblems(HttpStatus.NOT_FOUND)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<ServiceCallResponse> {
    const { record, domainObjects } = await this.serviceCalls.get(ctx, id);
    return ServiceCallResponse.from(record, domainObjects);
  }

  @Get('service-calls')
  @ApiOperation({ summary: 'Search results by status, namespace and schema' })
  @ApiOkResponse({ type: ServiceCallPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListServiceCallsQuery): Promise<ServiceCallPage> {
    const page = await this.serviceCalls.list(ctx, { status: query.status, namespace: query.namespace, schema: query.schema }, query);
    return { items: page.items.map(({ record, domainObjects }) => ServiceCallResponse.from(record, domainObjects)), nextCursor: page.nextCursor };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Results that failed permanently or ran out of attempts' })
  @ApiOkResponse({ type: ServiceCallPage })
  async deadLetters(@Ctx() ctx: RequestContext, @Query() query: ListDeadLettersQuery): Promise<ServiceCallPage> {
    const page = await this.serviceCalls.list(ctx, { status: 'dead_lettered' }, query);
    return { items: page.items.map(({ record, domainObjects }) => ServiceCallResponse.from(record, domainObjects)), nextCursor: page.nextCursor };
  }

  @Post('dead-letters/:id/redrive')
  @ApiOperation({ summary: 'Put a dead-lettered result back in line, attempts reset (idempotent)' })
  @ApiAcceptedResponse({ type: ServiceCallResponse })
  @ApiProblems(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async redrive(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServiceCallResponse> {
    void reply.status(HttpStatus.ACCEPTED);
    return ServiceCallResponse.from(await this.serviceCalls.redrive(ctx, id));
  }
}
