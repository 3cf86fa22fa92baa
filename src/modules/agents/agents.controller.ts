import { Body, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { AgentsService } from './agents.service';
import { AgentList, AgentPage, AgentResponse } from './dto/agent.response';
import { BulkCreateAgentsDto } from './dto/bulk-create-agents.dto';
import { CreateAgentDto } from './dto/create-agent.dto';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { ListAgentsQuery } from './dto/list-agents.query';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { ApiController, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';

@ApiController('agents', 'agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @ApiOperation({ summary: 'Register an agent' })
  @ApiCreatedResponse({ type: AgentResponse })
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateAgentDto): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.register(ctx, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Register up to 1000 agents in one transaction: all or none' })
  @ApiCreatedResponse({ type: AgentList })
  @ApiProblems(HttpStatus.PAYLOAD_TOO_LARGE)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateAgentsDto): Promise<AgentList> {
    const agents = await this.agents.registerMany(ctx, body.items);
    return { items: agents.map((agent) => AgentResponse.from(agent)) };
  }

  @Get()
  @ApiOperation({ summary: 'List agents, oldest first, filtered by status and role' })
  @ApiOkResponse({ type: AgentPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListAgentsQuery): Promise<AgentPage> {
    const page = await this.agents.list(ctx, { status: query.status, role: query.role }, query);
    return { items: page.items.map((agent) => AgentResponse.from(agent)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an agent (the ETag header carries its version)' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiProblems(HttpStatus.NOT_FOUND)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.get(ctx, id));
  }

  @VersionedPatch(':id', { summary: 'Change an agent; needs If-Match or version' }, AgentResponse)
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateAgentDto,
  ): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.update(ctx, id, expectedVersion, body));
  }

  @Post(':id/heartbeat')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Record that the agent is alive, optionally with its status' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiProblems(HttpStatus.NOT_FOUND)
  async heartbeat(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: HeartbeatDto,
  ): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.heartbeat(ctx, id, body?.status));
  }

  @VersionedDelete(':id', { summary: 'Delete an agent (guarded by If-Match when sent)' })
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @OptionalExpectedVersion() expectedVersion?: number,
  ): Promise<void> {
    await this.agents.remove(ctx, id, expectedVersion);
  }
}
