import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ErrorCode } from '../../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../../common/http/expected-version.decorator';
import { ApiController, VersionedDelete, VersionedPatch } from '../../../common/http/route-decorators';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { UpdateInsightDto } from './dto/update-insight.dto';
import { BulkCreateInsightsDto, CreateInsightDto } from './dto/create-insight.dto';
import { InsightList, InsightMatchList, InsightMatchResponse, InsightPage, InsightResponse } from './dto/insight.response';
import { ListInsightsQuery, SearchInsightsQuery } from './dto/list-insights.query';
import { InsightsService } from './insights.service';
import { CreatedResponse } from '../../../common/http/created-response';

@ApiController('insights', 'knowledge')
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  @Post()
  @ApiOperation({ summary: 'Record an insight (confidence from 0 to 1)' })
  @CreatedResponse('insights', InsightResponse)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateInsightDto): Promise<InsightResponse> {
    return InsightResponse.from(await this.insights.record(ctx, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Record up to 1000 insights in one statement: all or none' })
  @ApiCreatedResponse({ type: InsightList })
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateInsightsDto): Promise<InsightList> {
    const insights = await this.insights.recordMany(ctx, body.items);
    return { items: insights.map((insight) => InsightResponse.from(insight)) };
  }

  @Get()
  @ApiOperation({ summary: 'List insights, oldest first, by domain' })
  @ApiOkResponse({ type: InsightPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListInsightsQuery): Promise<InsightPage> {
    const page = await this.insights.list(ctx, { domain: query.domain }, query);
    return { items: page.items.map((insight) => InsightResponse.from(insight)), nextCursor: page.nextCursor };
  }

  @Get('search')
  @ApiOperation({
    summary: 'Full-text search over summary and content, best match first, with highlighted passages',
    description:
      'English stemming applies (running finds run). Returns at most `limit` matches; no cursor. Each match carries its highlight and ' +
      'the size of its content, not the content itself unless includeContent=true (then at most SEARCH_CONTENT_LIMIT_BYTES for the whole answer).',
  })
  @ApiOkResponse({ type: InsightMatchList })
  async search(@Ctx() ctx: RequestContext, @Query() query: SearchInsightsQuery): Promise<InsightMatchList> {
    const matches = await this.insights.search(ctx, query.q, { domain: query.domain, limit: query.limit, includeContent: query.includeContent });
    return { items: matches.map((match) => InsightMatchResponse.fromMatch(match)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an insight' })
  @ApiOkResponse({ type: InsightResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<InsightResponse> {
    return InsightResponse.from(await this.insights.get(ctx, id));
  }

  @VersionedPatch(':id', { summary: 'Change an insight; needs If-Match or version' }, InsightResponse)
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateInsightDto,
  ): Promise<InsightResponse> {
    return InsightResponse.from(await this.insights.update(ctx, id, expectedVersion, body));
  }

  @VersionedDelete(':id', { summary: 'Delete an insight (guarded by If-Match when sent)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.insights.remove(ctx, id, expectedVersion);
  }
}
