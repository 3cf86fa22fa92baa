import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { ActionLog } from './action-log.entity';
import { ActionLogFilters, ActionLogsRepository } from './action-logs.repository';
import { CreateActionLogDto } from './dto/create-action-log.dto';

/** The log of what agents did. Append-only telemetry: the row is the record, so writing one emits no domain event. */
@Injectable()
export class ActionLogsService {
  constructor(private readonly logs: ActionLogsRepository) {}

  async log(ctx: RequestContext, input: CreateActionLogDto): Promise<ActionLog> {
    const [log] = await this.logMany(ctx, [input]);
    return log;
  }

  /** Stores every entry or none, in one statement. */
  logMany(ctx: RequestContext, inputs: CreateActionLogDto[]): Promise<ActionLog[]> {
    return this.logs.insert(
      inputs.map((input) => ({
        id: uuidv7(),
        tenantId: ctx.tenantId,
        actionType: input.actionType,
        parameters: input.parameters ?? {},
        error: input.error ?? null,
        durationMs: input.durationMs ?? null,
        traceId: input.traceId ?? null,
        agentId: input.agentId ?? null,
        createdBy: ctx.actorId,
      })),
    );
  }

  list(ctx: RequestContext, filters: ActionLogFilters, page: PageRequest): Promise<Page<ActionLog>> {
    return this.logs.list(ctx.tenantId, filters, page);
  }
}
