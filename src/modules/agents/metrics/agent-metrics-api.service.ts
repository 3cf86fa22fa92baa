import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { AgentsService } from '../agents.service';
import { AgentMetricsService, AgentMetricsView } from './agent-metrics.service';

/** Agent metrics as the API serves them: only for an agent of the caller's tenant. */
@Injectable()
export class AgentMetricsApiService {
  constructor(
    private readonly agents: AgentsService,
    private readonly metrics: AgentMetricsService,
  ) {}

  /** The agent's task counters (zeros before its first finished task); 404 for an agent the tenant cannot see. */
  async forAgent(ctx: RequestContext, agentId: string): Promise<AgentMetricsView> {
    await this.agents.get(ctx, agentId);
    return this.metrics.forAgent(ctx.tenantId, agentId);
  }
}
