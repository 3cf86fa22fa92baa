import { randomUUID } from 'node:crypto';
import { CreateWorkflowDto } from '../../src/modules/workflows/dto/create-workflow.dto';

/** A valid `POST /workflows` body; pass overrides for what the test is about. */
export function makeWorkflow(overrides: Partial<CreateWorkflowDto> = {}): CreateWorkflowDto {
  return {
    description: `Research run ${randomUUID().slice(0, 8)}`,
    input: { topic: 'solid-state batteries' },
    ...overrides,
  };
}
