import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { FieldError, FieldPath, UnknownReferenceError, unknownReference } from '../../common/errors';
import { AgentsService } from '../agents/agents.service';
import { TasksService } from '../tasks/tasks.service';

/** The references a knowledge row may carry. */
export interface KnowledgeRefs {
  agentId?: string | null;
  taskId?: string | null;
}

/** Checks that knowledge rows name the tenant's own agents and tasks. */
@Injectable()
export class KnowledgeReferences {
  constructor(
    private readonly agents: AgentsService,
    private readonly tasks: TasksService,
  ) {}

  /**
   * Throws UnknownReferenceError (422) naming every `agentId` and `taskId` of `items` that is not
   * one of the tenant's agents or tasks: another tenant's id and one that exists nowhere get the
   * same answer. One query per kind of reference, however many items.
   */
  async assertKnown(ctx: RequestContext, items: readonly KnowledgeRefs[], field: FieldPath): Promise<void> {
    // PostgreSQL answers uuids in lower case; compare them that way.
    const named = (key: keyof KnowledgeRefs) => items.map((item) => item[key]?.toLowerCase());
    const agentIds = named('agentId');
    const taskIds = named('taskId');
    const [agents, tasks] = await Promise.all([this.agents.existingIds(ctx, distinct(agentIds)), this.tasks.existingIds(ctx, distinct(taskIds))]);
    const errors: FieldError[] = [];
    items.forEach((_item, i) => {
      if (agentIds[i] && !agents.has(agentIds[i])) errors.push(unknownReference(field(i, 'agentId'), 'agent'));
      if (taskIds[i] && !tasks.has(taskIds[i])) errors.push(unknownReference(field(i, 'taskId'), 'task'));
    });
    if (errors.length > 0) throw new UnknownReferenceError(errors);
  }
}

function distinct(ids: (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}
