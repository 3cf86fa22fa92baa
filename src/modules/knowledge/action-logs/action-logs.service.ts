import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { bulkItem, FieldPath, singleItem } from '../../../common/errors';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { uuidv7 } from '../../../common/persistence/uuid-v7';
import { ActionLog } from './action-log.entity';
import { ActionLogFilters, ActionLogsRepository } from './action-logs.repository';
import { CreateActionLogDto } from './dto/create-action-log.dto';
import { KnowledgeReferences } from '../knowledge-references';

/** The log of what agents did. Append-only telemetry: the row is the record, so writing one emits no domain event. */
@Injectable()
export class ActionLogsService {
  constructor(
    private readonly logs: ActionLogsRepository,
    private readonly references: KnowledgeReferences,
  ) {}

  /** Stores an entry; an agentId the tenant cannot see is a 422 naming the field. */
  async log(ctx: RequestContext, input: CreateActionLogDto): Promise<ActionLog> {
    const [log] = await this.insert(ctx, [input], singleItem);
    return log;
  }

  /** Stores every entry or none, in one statement; each agentId the tenant cannot see is a 422 naming `items.<i>.agentId`. */
  logMany(ctx: RequestContext, inputs: CreateActionLogDto[]): Promise<ActionLog[]> {
    return this.insert(ctx, inputs, bulkItem);
  }

  list(ctx: RequestContext, filters: ActionLogFilters, page: PageRequest): Promise<Page<ActionLog>> {
    return this.logs.list(ctx.tenantId, filters, page);
  }

  private async insert(ctx: RequestContext, inputs: CreateActionLogDto[], field: FieldPath): Promise<ActionLog[]> {
    await this.references.assertKnown(ctx, inputs, field);
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
}
