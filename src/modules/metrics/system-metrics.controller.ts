import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { ApiController } from '../../common/http/route-decorators';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateSystemMetricDto } from './dto/create-system-metric.dto';
import { ListSystemMetricsQuery } from './dto/list-system-metrics.query';
import { SystemMetricPage, SystemMetricResponse } from './dto/system-metric.response';
import { SystemMetricsService } from './system-metrics.service';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('system-metrics', 'metrics')
export class SystemMetricsController {
  constructor(private readonly metrics: SystemMetricsService) {}

  @Post()
  @ApiOperation({ summary: 'Record one point of a time series (append-only); recordedAt defaults to now' })
  @CreatedResponse('system-metrics', SystemMetricResponse)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateSystemMetricDto): Promise<SystemMetricResponse> {
    return SystemMetricResponse.from(await this.metrics.record(ctx, body));
  }

  @Get()
  @ApiOperation({
    summary: 'List points in the order they were stored (oldest first), by name and since an instant',
    description: 'since filters on recordedAt; the order is that of the POSTs, whatever recordedAt they carried.',
  })
  @ApiOkResponse({ type: SystemMetricPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListSystemMetricsQuery): Promise<SystemMetricPage> {
    const since = query.since === undefined ? undefined : new Date(query.since);
    const page = await this.metrics.list(ctx, { name: query.name, since }, query);
    return { items: page.items.map((metric) => SystemMetricResponse.from(metric)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a point of a time series' })
  @ApiOkResponse({ type: SystemMetricResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<SystemMetricResponse> {
    return SystemMetricResponse.from(await this.metrics.get(ctx, id));
  }
}
