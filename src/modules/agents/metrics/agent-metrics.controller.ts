import { Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ErrorCode } from '../../../common/errors';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { AgentMetricsApiService } from './agent-metrics-api.service';
import { AgentMetricsResponse } from './dto/agent-metrics.response';
import { ApiController } from '../../../common/http/route-decorators';

@ApiController('agents', 'metrics')
export class AgentMetricsController {
  constructor(private readonly metrics: AgentMetricsApiService) {}

  @Get(':id/metrics')
  @ApiOperation({ summary: 'Task counters of an agent: totals, average duration, success rate (zeros before its first finished task)' })
  @ApiOkResponse({ type: AgentMetricsResponse })
  @ApiProblems(ErrorCode.NotFound)
  forAgent(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<AgentMetricsResponse> {
    return this.metrics.forAgent(ctx, id);
  }
}
