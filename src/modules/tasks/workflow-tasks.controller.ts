import { Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { ListWorkflowTasksQuery } from './dto/list-tasks.query';
import { TaskPage } from './dto/task.response';
import { TasksService } from './tasks.service';
import { ApiController } from '../../common/http/route-decorators';

/** The tasks of a workflow: served by the tasks module, which depends on workflows (not the other way round). */
@ApiController('workflows', 'workflows')
export class WorkflowTasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get(':id/tasks')
  @ApiOperation({ summary: 'List the tasks of a workflow, oldest first, filtered by status and agent' })
  @ApiOkResponse({ type: TaskPage })
  @ApiProblems(ErrorCode.NotFound)
  async list(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @Query() query: ListWorkflowTasksQuery): Promise<TaskPage> {
    return TaskPage.from(await this.tasks.listForWorkflow(ctx, id, { status: query.status, agentId: query.agentId }, query));
  }
}
