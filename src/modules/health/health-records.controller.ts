import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { ApiController } from '../../common/http/route-decorators';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateHealthRecordDto } from './dto/create-health-record.dto';
import { HealthRecordPage, HealthRecordResponse } from './dto/health-record.response';
import { ListHealthRecordsQuery } from './dto/list-health-records.query';
import { HealthRecordsService } from './health-records.service';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('health-records', 'health-records')
export class HealthRecordsController {
  constructor(private readonly records: HealthRecordsService) {}

  @Post()
  @ApiOperation({
    summary: 'Record a health observation of a component or an agent (append-only)',
    description: 'recordedAt is set by the service. An agentId you cannot see is a 422 naming the field.',
  })
  @CreatedResponse('health-records', HealthRecordResponse)
  @ApiProblems(ErrorCode.Unprocessable)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateHealthRecordDto): Promise<HealthRecordResponse> {
    const { value: record, agentKeys } = await this.records.record(ctx, body);
    return HealthRecordResponse.from(record, agentKeys);
  }

  @Get()
  @ApiOperation({
    summary: 'List health records in the order they were stored (oldest first), by component and since an instant',
    description: 'Paged by cursor like every list: follow nextCursor to reach the newest records.',
  })
  @ApiOkResponse({ type: HealthRecordPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListHealthRecordsQuery): Promise<HealthRecordPage> {
    const since = query.since === undefined ? undefined : new Date(query.since);
    const { value: page, agentKeys } = await this.records.list(ctx, { component: query.component, agentId: query.agentId, since }, query);
    return { items: page.items.map((record) => HealthRecordResponse.from(record, agentKeys)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a health record' })
  @ApiOkResponse({ type: HealthRecordResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<HealthRecordResponse> {
    const { value: record, agentKeys } = await this.records.get(ctx, id);
    return HealthRecordResponse.from(record, agentKeys);
  }
}
