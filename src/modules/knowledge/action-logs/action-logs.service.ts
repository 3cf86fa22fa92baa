import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { AggregateNotFoundError, bulkItem, FieldPath, singleItem } from '../../../common/errors';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { UnitOfWork } from '../../../common/persistence/unit-of-work';
import { uuidv7 } from '../../../common/persistence/uuid-v7';
import { KnowledgeEvents } from '../knowledge.events';
import { ActionLog } from './action-log.entity';
import { ActionLogFilters, ActionLogsRepository, NewActionLog } from './action-logs.repository';
import { CreateActionLogDto } from './dto/create-action-log.dto';
import { checkItemReferences } from '../../../common/persistence/references';
import { WithAgentKeys } from '../../agents/agent-keys';
import { AgentsService } from '../../agents/agents.service';
import { createdBy } from '../../../common/persistence/new-row';
import { RecordEvent } from '../../../common/persistence/record-events';

/** Every entry's event, derived from its row. */
export const ACTION_LOG_RECORDED: RecordEvent<ActionLog, 'action_log.recorded'> = {
  type: KnowledgeEvents.actionLogRecorded,
  aggregateType: 'action_log',
  payload: { actionLogId: 'id', actionType: 'actionType', agentId: 'agentId', traceId: 'traceId' },
};

/** The row of an entry, its agent reference resolved to `agentId`. */
export function newActionLog(ctx: RequestContext, input: CreateActionLogDto, agentId: string | null): NewActionLog {
  return {
    id: uuidv7(),
    tenantId: ctx.tenantId,
    actionType: input.actionType,
    parameters: input.parameters ?? {},
    error: input.error ?? null,
    durationMs: input.durationMs ?? null,
    traceId: input.traceId ?? null,
    agentId,
    ...createdBy(ctx),
  };
}

/** The log of what agents did: append-only, each entry with its `action_log.recorded` event. */
@Injectable()
export class ActionLogsService {
  constructor(
    private readonly logs: ActionLogsRepository,
    private readonly agents: AgentsService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Stores an entry; an agentId the tenant cannot see is a 422 naming the field. */
  async log(ctx: RequestContext, input: CreateActionLogDto): Promise<WithAgentKeys<ActionLog>> {
    const { value, agentKeys } = await this.insert(ctx, [input], singleItem);
    return { value: value[0], agentKeys };
  }

  /** Stores every entry or none, in one statement; each agentId the tenant cannot see is a 422 naming `items.<i>.agentId`. */
  logMany(ctx: RequestContext, inputs: CreateActionLogDto[]): Promise<WithAgentKeys<ActionLog[]>> {
    return this.insert(ctx, inputs, bulkItem);
  }

  async get(ctx: RequestContext, id: string): Promise<WithAgentKeys<ActionLog>> {
    const log = await this.logs.findById(ctx.tenantId, id);
    if (!log) throw new AggregateNotFoundError('action log', id);
    return this.agents.withKeys(ctx, log, [log.agentId]);
  }

  async list(ctx: RequestContext, filters: ActionLogFilters, page: PageRequest): Promise<WithAgentKeys<Page<ActionLog>>> {
    const found = await this.logs.list(ctx.tenantId, filters, page);
    return this.agents.pageWithKeys(ctx, found);
  }

  private async insert(ctx: RequestContext, inputs: CreateActionLogDto[], field: FieldPath): Promise<WithAgentKeys<ActionLog[]>> {
    const agents = this.agents.references;
    const resolved = await checkItemReferences(ctx.tenantId, inputs, field, [['agentId', agents]]);
    const rows = inputs.map((input) => newActionLog(ctx, input, resolved.id(agents, input.agentId)));
    // One statement for the rows and their events: every entry of a bulk request, or none.
    const logs = await this.unitOfWork.append(ctx, ActionLog, rows as ActionLog[], ACTION_LOG_RECORDED);
    return { value: logs, agentKeys: this.agents.keysResolved(resolved) };
  }
}
