import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { UnknownReferenceError } from '../../common/errors';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { AgentNotFoundError } from '../agents/agents.errors';
import { AgentsService } from '../agents/agents.service';
import { CreateHealthRecordDto } from './dto/create-health-record.dto';
import { HealthRecord } from './health-record.entity';
import { HealthRecordFilters, HealthRecordsRepository } from './health-records.repository';

/**
 * Health observations reported by agents and components. Append-only telemetry: the row is the
 * record, so writing one emits no domain event.
 */
@Injectable()
export class HealthRecordsService {
  constructor(
    private readonly records: HealthRecordsRepository,
    private readonly agents: AgentsService,
  ) {}

  /** Stores an observation; an agentId the tenant cannot see is a 422 naming the field. */
  async record(ctx: RequestContext, input: CreateHealthRecordDto): Promise<HealthRecord> {
    if (input.agentId != null) await this.assertAgent(ctx, input.agentId);
    return this.records.insert({
      id: uuidv7(),
      tenantId: ctx.tenantId,
      component: input.component,
      status: input.status,
      message: input.message ?? null,
      responseTimeMs: input.responseTimeMs ?? null,
      agentId: input.agentId ?? null,
      details: input.details ?? {},
      createdBy: ctx.actorId,
    });
  }

  list(ctx: RequestContext, filters: HealthRecordFilters, page: PageRequest): Promise<Page<HealthRecord>> {
    return this.records.list(ctx.tenantId, filters, page);
  }

  private async assertAgent(ctx: RequestContext, agentId: string): Promise<void> {
    try {
      await this.agents.get(ctx, agentId);
    } catch (error) {
      if (error instanceof AgentNotFoundError) {
        throw new UnknownReferenceError([{ field: 'agentId', message: 'agentId does not name an existing agent' }]);
      }
      throw error;
    }
  }
}
