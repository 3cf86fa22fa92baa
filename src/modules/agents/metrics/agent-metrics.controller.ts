import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/ctx.decorator';
import { RequestContext } from '../../../common/auth/request-context';
import { ApiProblems } from '../../../common/http/api-problems.decorator';
import { ParseIdPipe } from '../../../common/http/parse-id.pipe';
import { AgentMetricsApiService } from './agent-metrics-api.service';
import { AgentMetricsResponse } from './dto/agent-metrics.response';

@ApiTags('metrics')
@ApiSecurity('api-key')
@ApiProblems(HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED)
@Controller('agents')
export class AgentMetricsController {
  constructor(private readonly metrics: AgentMetricsApiService) {}

  @Get(':id/metrics')
  @ApiOperation({ summary: 'Task counters of an agent: totals, average duration, success rate (zeros before its first finished task)' })
  @ApiOkResponse({ type: AgentMetricsResponse })
  @ApiProblems(HttpStatus.NOT_FOUND)
  forAgent(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<AgentMetricsResponse> {
    return this.metrics.forAgent(ctx, id);
  }
}
