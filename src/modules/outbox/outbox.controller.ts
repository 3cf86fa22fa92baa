import { Body, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { BulkCreateServiceCallsDto, MAX_BULK_SERVICE_CALLS } from './dto/bulk-create-service-calls.dto';
import { CreateServiceCallDto } from './dto/create-service-call.dto';
import { HandlerList } from './dto/handler.response';
import { BulkIntakeEntry, BulkIntakeResponse, ServiceCallIntakeResponse } from './dto/intake.response';
import { ListDeadLettersQuery, ListServiceCallsQuery } from './dto/list-service-calls.query';
import { ServiceCallPage, ServiceCallResponse } from './dto/service-call.response';
import { HandlerRegistry } from './handler-registry';
import { OutboxService } from './outbox.service';
import { ApiController } from '../../common/http/route-decorators';
import { ContributesToDocument } from '../../common/http/openapi/document-contributions';
import { headerRef } from '../../common/http/openapi/response-headers';
import { HANDLER_SCHEMAS } from './handler-schemas.openapi';

const LOCATION = { Location: headerRef('Location') };

@ApiController(undefined, 'service calls (outbox)')
@ContributesToDocument(HANDLER_SCHEMAS)
export class OutboxController {
  constructor(
    private readonly serviceCalls: OutboxService,
    private readonly registry: HandlerRegistry,
  ) {}

  @Post('service-calls')
  @ApiOperation({
    summary: 'Hand over a structured result to be persisted exactly once',
    description:
      '202 once the result is stored in PostgreSQL. `outcome` says what happens next: `accepted` (its handler turns it into ' +
      'domain rows in the background), or `dead_lettered` (it does not match its handler schema: stored, not persisted, ' +
      '`problems` says why). `handler` null means no handler takes its (namespace, schema): it will be skipped. ' +
      'The same (callId, schema) with the same namespace and result again answers 200 with the first record (`duplicate`); ' +
      'with another namespace or result it is refused with 409 CALL_ID_CONFLICT naming the first record. ' +
      'The body is typed by the result schema of the handler of its `schema` (GET /handlers); a result for a schema no handler ' +
      'takes is stored and skipped. `Location` is the record (GET /service-calls/{id}).',
  })
  @ApiAcceptedResponse({ type: ServiceCallIntakeResponse, description: 'Stored: outcome accepted or dead_lettered', headers: LOCATION })
  @ApiOkResponse({
    type: ServiceCallIntakeResponse,
    description: 'Already accepted earlier with the same result: the first record (outcome duplicate)',
    headers: LOCATION,
  })
  @ApiProblems(ErrorCode.CallIdConflict)
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateServiceCallDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServiceCallIntakeResponse> {
    const { record, verdict, outcome } = await this.serviceCalls.accept(ctx, body);
    void reply.status(outcome === 'duplicate' ? HttpStatus.OK : HttpStatus.ACCEPTED).header('Location', `/api/v1/service-calls/${record.id}`);
    return ServiceCallIntakeResponse.fromIntake(record, verdict, outcome);
  }

  @Post('service-calls/bulk')
  @ApiOperation({
    summary: `Hand over up to ${MAX_BULK_SERVICE_CALLS} results in one transaction`,
    description:
      'Each item is the body of POST /service-calls. 202 with one entry per item, in order: `accepted`, `dead_lettered` ' +
      '(stored, does not match its handler schema) or `duplicate` (the first record of that (callId, schema); an item repeated ' +
      'within the request counts once). An invalid item (400, naming items.N.field) or a conflicting one (409 CALL_ID_CONFLICT) ' +
      'refuses the whole request: nothing is stored. Counts as one request for the rate limiter.',
  })
  @ApiAcceptedResponse({ type: BulkIntakeResponse })
  @ApiProblems(ErrorCode.CallIdConflict)
  @HttpCode(HttpStatus.ACCEPTED)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateServiceCallsDto): Promise<BulkIntakeResponse> {
    const entries = await this.serviceCalls.acceptMany(ctx, body.items);
    return { items: entries.map(({ record, verdict, outcome }) => BulkIntakeEntry.from(record, verdict, outcome)) };
  }

  @Get('handlers')
  @ApiOperation({
    summary: 'The persistence handlers this service runs: which (namespace, schema) results become domain rows',
    description: 'Each names its result schema (`resultSchema`), published in this document under that name.',
  })
  @ApiOkResponse({ type: HandlerList })
  handlers(): HandlerList {
    return { items: this.registry.list().map(({ identity: _identity, ...handler }) => handler) };
  }

  @Get('service-calls/:id')
  @ApiOperation({ summary: 'Status, attempts, last error and the domain objects a result became' })
  @ApiOkResponse({ type: ServiceCallResponse })
  @ApiProblems(ErrorCode.NotFound)
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
  @ApiProblems(ErrorCode.NotFound, ErrorCode.NotRedrivable)
  async redrive(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ServiceCallResponse> {
    void reply.status(HttpStatus.ACCEPTED);
    return ServiceCallResponse.from(await this.serviceCalls.redrive(ctx, id));
  }
}
