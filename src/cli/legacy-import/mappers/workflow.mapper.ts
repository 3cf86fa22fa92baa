import { CreateWorkflowDto } from '../../../modules/workflows/dto/create-workflow.dto';
import { Workflow } from '../../../modules/workflows/workflow.entity';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

export class WorkflowMapper extends LegacyMapper<CreateWorkflowDto> {
  readonly type = 'workflow';
  readonly entity = Workflow;
  readonly dto = CreateWorkflowDto;
  readonly fields = ['description', 'input', 'status', 'createdAt', 'updatedAt'];

  protected values(body: CreateWorkflowDto, row: LegacyRow): Record<string, unknown> {
    return { description: body.description, input: body.input ?? {}, status: 'pending', createdAt: row.createdAt, updatedAt: row.updatedAt };
  }
}
