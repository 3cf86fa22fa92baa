import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { ApiController } from '../../../common/http/route-decorators';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ErrorCode } from '../../../common/errors';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { ActionLogsService } from './action-logs.service';
import { ActionLogList, ActionLogPage, ActionLogResponse } from './dto/action-log.response';
import { BulkCreateActionLogsDto, CreateActionLogDto } from './dto/create-action-log.dto';
import { ListActionLogsQuery } from './dto/list-action-logs.query';
import { CreatedResponse } from '../../../common/http/created-response';

@ApiController('action-logs', 'knowledge')
export class ActionLogsController {
  constructor(private readonly logs: ActionLogsService) {}

  @Post()
  @ApiProblems(ErrorCode.Unprocessable)
  @ApiOperation({ summary: 'Log an action an agent took (append-only)' })
  @CreatedResponse('action-logs', ActionLogResponse)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateActionLogDto): Promise<ActionLogResponse> {
    const { value: log, agentKeys } = await this.logs.log(ctx, body);
    return ActionLogResponse.from(log, agentKeys);
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Log up to 1000 actions in one statement: all or none' })
  @ApiCreatedResponse({ type: ActionLogList })
  @ApiProblems(ErrorCode.Unprocessable)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateActionLogsDto): Promise<ActionLogList> {
    const { value: logs, agentKeys } = await this.logs.logMany(ctx, body.items);
    return { items: logs.map((log) => ActionLogResponse.from(log, agentKeys)) };
  }

  @Get()
  @ApiOperation({ summary: 'List actions, oldest first, by action type and by trace id' })
  @ApiOkResponse({ type: ActionLogPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListActionLogsQuery): Promise<ActionLogPage> {
    const { value: page, agentKeys } = await this.logs.list(ctx, { actionType: query.actionType, traceId: query.traceId }, query);
    return { items: page.items.map((log) => ActionLogResponse.from(log, agentKeys)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an action log' })
  @ApiOkResponse({ type: ActionLogResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<ActionLogResponse> {
    const { value: log, agentKeys } = await this.logs.get(ctx, id);
    return ActionLogResponse.from(log, agentKeys);
  }
}
