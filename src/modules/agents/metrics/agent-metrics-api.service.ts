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

  /** The agent's task counters (zeros before its first finished task) with its key; 404 for an agent the tenant cannot see. */
  async forAgent(ctx: RequestContext, agentId: string): Promise<AgentMetricsView & { agentKey: string | null }> {
    const agent = await this.agents.get(ctx, agentId);
    return { ...(await this.metrics.forAgent(ctx.tenantId, agentId)), agentKey: agent.key };
  }
}
