import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { ApiController } from '../../../common/http/route-decorators';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ErrorCode } from '../../../common/errors';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { BulkCreateJobResultsDto, CreateJobResultDto } from './dto/create-job-result.dto';
import { JobResultList, JobResultPage, JobResultResponse } from './dto/job-result.response';
import { ListJobResultsQuery } from './dto/list-job-results.query';
import { JobResultsService } from './job-results.service';
import { CreatedResponse } from '../../../common/http/created-response';

@ApiController('job-results', 'knowledge')
export class JobResultsController {
  constructor(private readonly results: JobResultsService) {}

  @Post()
  @ApiProblems(ErrorCode.Unprocessable)
  @ApiOperation({ summary: 'Record what a job produced (append-only)' })
  @CreatedResponse('job-results', JobResultResponse)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateJobResultDto): Promise<JobResultResponse> {
    const { value: result, agentKeys } = await this.results.record(ctx, body);
    return JobResultResponse.from(result, agentKeys);
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Record up to 1000 job results in one statement: all or none' })
  @ApiCreatedResponse({ type: JobResultList })
  @ApiProblems(ErrorCode.Unprocessable)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateJobResultsDto): Promise<JobResultList> {
    const { value: results, agentKeys } = await this.results.recordMany(ctx, body.items);
    return { items: results.map((result) => JobResultResponse.from(result, agentKeys)) };
  }

  @Get()
  @ApiOperation({ summary: 'List job results, oldest first, by job id' })
  @ApiOkResponse({ type: JobResultPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListJobResultsQuery): Promise<JobResultPage> {
    const { value: page, agentKeys } = await this.results.list(ctx, { jobId: query.jobId }, query);
    return { items: page.items.map((result) => JobResultResponse.from(result, agentKeys)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a job result' })
  @ApiOkResponse({ type: JobResultResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<JobResultResponse> {
    const { value: result, agentKeys } = await this.results.get(ctx, id);
    return JobResultResponse.from(result, agentKeys);
  }
}
