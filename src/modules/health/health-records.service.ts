import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { AggregateNotFoundError, singleItem } from '../../common/errors';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { checkItemReferences } from '../../common/persistence/references';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { AgentKeys, WithAgentKeys } from '../agents/agent-keys';
import { AgentsService } from '../agents/agents.service';
import { CreateHealthRecordDto } from './dto/create-health-record.dto';
import { HealthRecord } from './health-record.entity';
import { HealthRecordEvents } from './health-records.events';
import { HealthRecordFilters, HealthRecordsRepository, NewHealthRecord } from './health-records.repository';
import { createdBy } from '../../common/persistence/new-row';
import { RecordEvent } from '../../common/persistence/record-events';

/** Every observation's event, derived from its row. */
export const HEALTH_RECORD_RECORDED: RecordEvent<HealthRecord, 'health_record.recorded'> = {
  type: HealthRecordEvents.recorded,
  aggregateType: 'health_record',
  payload: { healthRecordId: 'id', component: 'component', status: 'status', agentId: 'agentId' },
};

/** Health observations reported by agents and components: append-only, each with its `health_record.recorded` event. */
@Injectable()
export class HealthRecordsService {
  constructor(
    private readonly records: HealthRecordsRepository,
    private readonly agents: AgentsService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Stores an observation; an agentId the tenant cannot see is a 422 naming the field. */
  async record(ctx: RequestContext, input: CreateHealthRecordDto): Promise<WithAgentKeys<HealthRecord>> {
    const resolved = await checkItemReferences(ctx.tenantId, [input], singleItem, [['agentId', this.agents.references]]);
    const row: NewHealthRecord = {
      id: uuidv7(),
      tenantId: ctx.tenantId,
      component: input.component,
      status: input.status,
      message: input.message ?? null,
      responseTimeMs: input.responseTimeMs ?? null,
      agentId: resolved.id(this.agents.references, input.agentId),
      details: input.details ?? {},
      ...createdBy(ctx),
    };
    const [stored] = await this.unitOfWork.append(ctx, HealthRecord, [row as HealthRecord], HEALTH_RECORD_RECORDED);
    return { value: stored, agentKeys: this.agents.keysResolved(resolved) };
  }

  async get(ctx: RequestContext, id: string): Promise<WithAgentKeys<HealthRecord>> {
    const record = await this.records.findById(ctx.tenantId, id);
    if (!record) throw new AggregateNotFoundError('health record', id);
    return this.agents.withKeys(ctx, record, [record.agentId]);
  }

  /** The tenant's records; `filters.agentId` may be an agent's id or key (one that names no agent matches nothing). */
  async list(ctx: RequestContext, filters: HealthRecordFilters, page: PageRequest): Promise<WithAgentKeys<Page<HealthRecord>>> {
    const agentId = filters.agentId === undefined ? undefined : await this.agents.resolveOne(ctx, filters.agentId);
    if (agentId === null) return { value: { items: [], nextCursor: null }, agentKeys: AgentKeys.none };
    const found = await this.records.list(ctx.tenantId, { ...filters, agentId }, page);
    return this.agents.pageWithKeys(ctx, found);
  }
}
