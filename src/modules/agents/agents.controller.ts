import { Body, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ApiController, IF_MATCH, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { AGENT_KEY_RULE, ParseAgentKeyPipe } from './agent-key';
import { AgentsService } from './agents.service';
import { AgentCounts, AgentList, AgentPage, AgentResponse } from './dto/agent.response';
import { BulkCreateAgentsDto } from './dto/bulk-create-agents.dto';
import { CreateAgentDto, RegisterAgentByKeyDto } from './dto/create-agent.dto';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { ListAgentsQuery } from './dto/list-agents.query';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('agents', 'agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @ApiOperation({ summary: 'Register an agent' })
  @CreatedResponse('agents', AgentResponse)
  @ApiProblems(ErrorCode.AgentKeyTaken)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateAgentDto): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.register(ctx, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Register up to 1000 agents in one transaction: all or none' })
  @ApiCreatedResponse({ type: AgentList })
  @ApiProblems(ErrorCode.AgentKeyTaken)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateAgentsDto): Promise<AgentList> {
    const agents = await this.agents.registerMany(ctx, body.items);
    return { items: agents.map((agent) => AgentResponse.from(agent)) };
  }

  @Get()
  @ApiOperation({ summary: 'List agents, oldest first, filtered by status and role' })
  @ApiOkResponse({ type: AgentPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListAgentsQuery): Promise<AgentPage> {
    const page = await this.agents.list(ctx, { status: query.status, role: query.role, key: query.key }, query);
    return { items: page.items.map((agent) => AgentResponse.from(agent)), nextCursor: page.nextCursor };
  }

  @Get('counts')
  @ApiOperation({ summary: 'How many of your agents are in each status, zeros included' })
  @ApiOkResponse({ type: AgentCounts })
  async counts(@Ctx() ctx: RequestContext): Promise<AgentCounts> {
    return AgentCounts.from(await this.agents.countByStatus(ctx));
  }

  @Put('by-key/:key')
  @ApiOperation({
    summary: 'Register the agent with this key, or bring it up to date: one idempotent call',
    description:
      '201 the first time; 200 after. A repeat with the same body changes nothing and keeps the version; fields left out keep ' +
      'their value. With If-Match the update is guarded (409 when the agent moved on, 404 when there is none yet). ' +
      `A key is ${AGENT_KEY_RULE}.`,
  })
  @ApiParam({ name: 'key', example: 'agent_sena' })
  @ApiHeader(IF_MATCH)
  @CreatedResponse('agents', AgentResponse, 'Registered for the first time')
  @ApiOkResponse({ type: AgentResponse, description: 'Known already: updated, or unchanged' })
  @ApiProblems(ErrorCode.NotFound, ErrorCode.VersionConflict)
  async registerByKey(
    @Ctx() ctx: RequestContext,
    @Param('key', ParseAgentKeyPipe) key: string,
    @Body() body: RegisterAgentByKeyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @OptionalExpectedVersion() expectedVersion?: number,
  ): Promise<AgentResponse> {
    const { agent, created } = await this.agents.registerByKey(ctx, key, body, expectedVersion);
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return AgentResponse.from(agent);
  }

  @Get('by-key/:key')
  @ApiOperation({ summary: 'Get the agent with this key (the ETag header carries its version)' })
  @ApiParam({ name: 'key', example: 'agent_sena' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiProblems(ErrorCode.NotFound)
  async getByKey(@Ctx() ctx: RequestContext, @Param('key', ParseAgentKeyPipe) key: string): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.getByKey(ctx, key));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an agent (the ETag header carries its version)' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.get(ctx, id));
  }

  @VersionedPatch(':id', { summary: 'Change an agent; needs If-Match or version' }, AgentResponse, ErrorCode.AgentKeyTaken)
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
  @ApiProblems(ErrorCode.NotFound)
  async heartbeat(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @Body() body: HeartbeatDto): Promise<AgentResponse> {
    return AgentResponse.from(await this.agents.heartbeat(ctx, id, body?.status));
  }

  @VersionedDelete(':id', { summary: 'Delete an agent (guarded by If-Match when sent)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.agents.remove(ctx, id, expectedVersion);
  }
}
