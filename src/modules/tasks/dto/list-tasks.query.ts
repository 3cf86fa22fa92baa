import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsAgentReference } from '../../agents/agent-key';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { TASK_STATUSES, TaskStatus } from '../task.entity';

/** `GET /workflows/:id/tasks`: the workflow is in the path. */
export class ListWorkflowTasksQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ example: 'agent_sena', description: 'An agent id or key' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string;
}

export class ListTasksQuery extends ListWorkflowTasksQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;
}

/** `GET /tasks/counts`. */
export class CountTasksQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Count only the tasks of this workflow' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;
}
