import { TransitionTable } from '../../common/domain/transitions';
import { WorkflowStatus } from './workflow.entity';

/**
 * The life of a workflow, and the only status changes `PATCH /workflows/:id` accepts:
 * pending → running → completed | failed | cancelled, pending → cancelled before it starts, and
 * pending → completed | failed in one step. completed, failed and cancelled are final.
 */
export const WORKFLOW_TRANSITIONS: TransitionTable<WorkflowStatus> = {
  pending: ['running', 'completed', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};
