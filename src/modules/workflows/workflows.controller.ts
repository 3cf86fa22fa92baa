import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ApiController, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateWorkflowDto } from './dto/create-workflow.dto';
import { ListWorkflowsQuery } from './dto/list-workflows.query';
import { UpdateWorkflowDto } from './dto/update-workflow.dto';
import { WorkflowDetailResponse, WorkflowPage, WorkflowResponse } from './dto/workflow.response';
import { WorkflowsService } from './workflows.service';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('workflows', 'workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a workflow (status pending)' })
  @CreatedResponse('workflows', WorkflowDetailResponse)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateWorkflowDto): Promise<WorkflowDetailResponse> {
    const { workflow, taskCounts } = await this.workflows.create(ctx, body);
    return WorkflowDetailResponse.withCounts(workflow, taskCounts);
  }

  @Get()
  @ApiOperation({ summary: 'List workflows, oldest first, filtered by status' })
  @ApiOkResponse({ type: WorkflowPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListWorkflowsQuery): Promise<WorkflowPage> {
    const page = await this.workflows.list(ctx, { status: query.status }, query);
    return { items: page.items.map((workflow) => WorkflowResponse.from(workflow)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a workflow with its task counts by status (the ETag header carries its version)' })
  @ApiOkResponse({ type: WorkflowDetailResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<WorkflowDetailResponse> {
    const { workflow, taskCounts } = await this.workflows.getWithTaskCounts(ctx, id);
    return WorkflowDetailResponse.withCounts(workflow, taskCounts);
  }

  @VersionedPatch(
    ':id',
    {
      summary: 'Change a workflow: status (along its transitions), description, output, error; needs If-Match or version',
      description:
        'Allowed status changes: pending → running | cancelled, running → completed | failed | cancelled. ' +
        'running stamps startedAt, a final state finishedAt. A workflow in a final state no longer changes (422).',
    },
    WorkflowDetailResponse,
    ErrorCode.Unprocessable,
  )
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateWorkflowDto,
  ): Promise<WorkflowDetailResponse> {
    const { workflow, taskCounts } = await this.workflows.update(ctx, id, expectedVersion, body);
    return WorkflowDetailResponse.withCounts(workflow, taskCounts);
  }

  @VersionedDelete(':id', {
    summary: 'Delete a workflow with its tasks, their subtasks and dependencies (guarded by If-Match when sent)',
    description: 'Messages about its tasks stay, with taskId null. Agent metrics keep counting the outcomes of its finished tasks.',
  })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.workflows.remove(ctx, id, expectedVersion);
  }
}
