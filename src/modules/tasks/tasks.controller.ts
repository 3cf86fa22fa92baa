import { Body, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ApiController, IF_MATCH, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { AddDependenciesDto } from './dto/add-dependencies.dto';
import { BulkCreateTasksDto } from './dto/bulk-create-tasks.dto';
import { CreateSubtaskDto, CreateTaskDto } from './dto/create-task.dto';
import { CountTasksQuery, ListTasksQuery } from './dto/list-tasks.query';
import { BulkTaskList, TaskPage, TaskResponse } from './dto/task.response';
import { UpdateTaskDto } from './dto/update-task.dto';
import { TaskCountsResponse } from '../workflows/dto/workflow.response';
import { TasksService } from './tasks.service';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('tasks', 'tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a task in one of your workflows (status pending)',
    description:
      'workflowId, agentId and dependsOn must name rows of your tenant (422 otherwise, naming the field); ' +
      'dependencies must be tasks of the same workflow.',
  })
  @CreatedResponse('tasks', TaskResponse)
  @ApiProblems(ErrorCode.Unprocessable)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateTaskDto): Promise<TaskResponse> {
    const { value, agentKeys } = await this.tasks.create(ctx, body);
    return TaskResponse.from(value, agentKeys);
  }

  @Post('bulk')
  @ApiOperation({
    summary: 'Create up to 1000 tasks in one transaction: all or none',
    description:
      'An item may carry a ref (unique in the request); dependsOn may name task ids or refs of other items. ' +
      'The answer lists the tasks in the order of the items, each with its ref. A cycle among the items is 422 with the refs in `cycle`.',
  })
  @ApiCreatedResponse({ type: BulkTaskList })
  @ApiProblems(ErrorCode.Unprocessable)
  async createMany(@Ctx() ctx: RequestContext, @Body() body: BulkCreateTasksDto): Promise<BulkTaskList> {
    const { value: created, agentKeys } = await this.tasks.createMany(ctx, body.items);
    return { items: created.map((view) => Object.assign(TaskResponse.from(view, agentKeys), { ref: view.ref })) };
  }

  @Get()
  @ApiOperation({ summary: 'List tasks, oldest first, filtered by status, agent and workflow' })
  @ApiOkResponse({ type: TaskPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListTasksQuery): Promise<TaskPage> {
    return TaskPage.from(await this.tasks.list(ctx, { status: query.status, agentId: query.agentId, workflowId: query.workflowId }, query));
  }

  @Get('counts')
  @ApiOperation({ summary: 'How many of your tasks (of one workflow, with ?workflowId=) are in each status, zeros included' })
  @ApiOkResponse({ type: TaskCountsResponse })
  countByStatus(@Ctx() ctx: RequestContext, @Query() query: CountTasksQuery): Promise<TaskCountsResponse> {
    return this.tasks.countByStatus(ctx, query.workflowId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a task with the ids it depends on (the ETag header carries its version)' })
  @ApiOkResponse({ type: TaskResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<TaskResponse> {
    const { value, agentKeys } = await this.tasks.get(ctx, id);
    return TaskResponse.from(value, agentKeys);
  }

  @VersionedPatch(
    ':id',
    {
      summary: 'Change a task: status (along its transitions), output, error, durationMs, description, priority, agentId; needs If-Match or version',
      description:
        'Allowed status changes: pending → running | completed | failed | cancelled, running → completed | failed | cancelled | pending (a retry). ' +
        'Starting (running, or completed | failed straight from pending) stamps startedAt (the body’s startedAt when sent), a final state finishedAt. ' +
        'Starting a task whose dependencies have not all completed is 409 with their ids in `blockedBy`. ' +
        'completed or failed counts in the assigned agent’s metrics. A task in a final state no longer changes (422).',
    },
    TaskResponse,
    ErrorCode.Unprocessable,
    ErrorCode.TaskBlocked,
  )
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateTaskDto,
  ): Promise<TaskResponse> {
    const { value, agentKeys } = await this.tasks.update(ctx, id, expectedVersion, body);
    return TaskResponse.from(value, agentKeys);
  }

  @VersionedDelete(':id', {
    summary: 'Delete a task with its subtasks and their dependencies (guarded by If-Match when sent)',
    description:
      'Tasks that depended on it no longer wait for it. Messages about it stay, with taskId null. ' +
      'Agent metrics keep counting the outcomes of finished tasks.',
  })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.tasks.remove(ctx, id, expectedVersion);
  }

  @Post(':id/subtasks')
  @ApiOperation({ summary: 'Create a subtask: a task in the parent’s workflow whose parentTaskId is the parent' })
  @CreatedResponse('tasks', TaskResponse)
  @ApiProblems(ErrorCode.NotFound, ErrorCode.Unprocessable)
  async createSubtask(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @Body() body: CreateSubtaskDto): Promise<TaskResponse> {
    const { value, agentKeys } = await this.tasks.createSubtask(ctx, id, body);
    return TaskResponse.from(value, agentKeys);
  }

  @Get(':id/subtasks')
  @ApiOperation({ summary: 'List the subtasks of a task, oldest first' })
  @ApiOkResponse({ type: TaskPage })
  @ApiProblems(ErrorCode.NotFound)
  async listSubtasks(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @Query() query: PageQueryDto): Promise<TaskPage> {
    return TaskPage.from(await this.tasks.listSubtasks(ctx, id, query));
  }

  @Get(':id/dependencies')
  @ApiOperation({ summary: 'List the tasks this task depends on, with their status' })
  @ApiOkResponse({ type: TaskPage })
  @ApiProblems(ErrorCode.NotFound)
  async listDependencies(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @Query() query: PageQueryDto): Promise<TaskPage> {
    return TaskPage.from(await this.tasks.listDependencies(ctx, id, query));
  }

  @Post(':id/dependencies')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Make a pending task also wait for other tasks of its workflow (guarded by If-Match when sent)',
    description:
      'Dependencies already present are kept as they are. One that would close a cycle is 422 with the cycle, in order, in `cycle` ' +
      '(e.g. [a, b, c, a]: a waits for b, b for c, c for a); a task that would depend on itself is the cycle [a, a].',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: TaskResponse })
  @ApiProblems(ErrorCode.NotFound, ErrorCode.VersionConflict, ErrorCode.Unprocessable)
  async addDependencies(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: AddDependenciesDto,
    @OptionalExpectedVersion() expectedVersion?: number,
  ): Promise<TaskResponse> {
    const { value, agentKeys } = await this.tasks.addDependencies(ctx, id, body.dependsOn, expectedVersion);
    return TaskResponse.from(value, agentKeys);
  }
}
