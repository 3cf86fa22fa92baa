import { ActionLog } from '../../../modules/knowledge/action-logs/action-log.entity';
import { CreateActionLogDto } from '../../../modules/knowledge/action-logs/dto/create-action-log.dto';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

/** Action logs are append-only: they keep `created_at` only (the legacy `updated_at` is not used). */
export class ActionLogMapper extends LegacyMapper<CreateActionLogDto> {
  readonly type = 'action_log';
  readonly entity = ActionLog;
  readonly dto = CreateActionLogDto;
  override readonly references = [{ field: 'agentId', type: 'agent' }];
  readonly fields = ['actionType', 'parameters', 'error', 'durationMs', 'traceId', 'agentId', 'createdAt'];

  protected values(body: CreateActionLogDto, row: LegacyRow): Record<string, unknown> {
    return {
      actionType: body.actionType,
      parameters: body.parameters ?? {},
      error: body.error ?? null,
      durationMs: body.durationMs ?? null,
      traceId: body.traceId ?? null,
      agentId: body.agentId ?? null,
      createdAt: row.createdAt,
    };
  }
}
