import { Body, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ErrorCode } from '../../../common/errors';
import { LimitQueryDto, PageQueryDto } from '../../../common/http/page-query.dto';
import { ExpectedVersion, OptionalExpectedVersion } from '../../../common/http/expected-version.decorator';
import { ApiController, VersionedDelete, VersionedPatch } from '../../../common/http/route-decorators';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { UpdatePatternDto } from './dto/update-pattern.dto';
import { BulkCreatePatternsDto, CreatePatternDto } from './dto/create-pattern.dto';
import { PatternList, PatternPage, PatternResponse } from './dto/pattern.response';
import { PatternsService } from './patterns.service';
import { CreatedResponse } from '../../../common/http/created-response';

@ApiController('patterns', 'knowledge')
export class PatternsController {
  constructor(private readonly patterns: PatternsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a pattern; its trigger must be new to the tenant' })
  @CreatedResponse('patterns', PatternResponse)
  @ApiProblems(ErrorCode.PatternTriggerTaken)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreatePatternDto): Promise<PatternResponse> {
    return PatternResponse.from(await this.patterns.create(ctx, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Create up to 1000 patterns in one statement: all or none' })
  @ApiCreatedResponse({ type: PatternList })
  @ApiProblems(ErrorCode.PatternTriggerTaken)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreatePatternsDto): Promise<PatternList> {
    const patterns = await this.patterns.createMany(ctx, body.items);
    return { items: patterns.map((pattern) => PatternResponse.from(pattern)) };
  }

  @Get()
  @ApiOperation({ summary: 'List patterns, oldest first' })
  @ApiOkResponse({ type: PatternPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<PatternPage> {
    const page = await this.patterns.list(ctx, query);
    return { items: page.items.map((pattern) => PatternResponse.from(pattern)), nextCursor: page.nextCursor };
  }

  @Get('most-used')
  @ApiOperation({ summary: 'The most used patterns, most used first (ties: newest first)' })
  @ApiOkResponse({ type: PatternList })
  async mostUsed(@Ctx() ctx: RequestContext, @Query() query: LimitQueryDto): Promise<PatternList> {
    const patterns = await this.patterns.mostUsed(ctx, query.limit);
    return { items: patterns.map((pattern) => PatternResponse.from(pattern)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a pattern' })
  @ApiOkResponse({ type: PatternResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<PatternResponse> {
    return PatternResponse.from(await this.patterns.get(ctx, id));
  }

  @Post(':id/usage')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Count one use of the pattern (atomic: concurrent uses all count)' })
  @ApiOkResponse({ type: PatternResponse })
  @ApiProblems(ErrorCode.NotFound)
  async use(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<PatternResponse> {
    return PatternResponse.from(await this.patterns.use(ctx, id));
  }

  @VersionedPatch(':id', { summary: 'Change a pattern; needs If-Match or version' }, PatternResponse, ErrorCode.PatternTriggerTaken)
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdatePatternDto,
  ): Promise<PatternResponse> {
    return PatternResponse.from(await this.patterns.update(ctx, id, expectedVersion, body));
  }

  @VersionedDelete(':id', { summary: 'Delete a pattern (guarded by If-Match when sent)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.patterns.remove(ctx, id, expectedVersion);
  }
}
