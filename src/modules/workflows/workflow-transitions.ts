import { TransitionTable } from '../../common/domain/transitions';
import { Workflow, WorkflowStatus } from './workflow.entity';

/**
 * The life of a workflow, and the only status changes `PATCH /workflows/:id` accepts:
 * pending → running → completed | failed | cancelled, or pending → cancelled before it starts.
 * completed, failed and cancelled are final.
 */
export const WORKFLOW_TRANSITIONS: TransitionTable<WorkflowStatus> = {
  pending: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** A final state: nothing about the workflow changes any more. */
export function isFinalWorkflowStatus(status: WorkflowStatus): boolean {
  return WORKFLOW_TRANSITIONS[status].length === 0;
}

/** What a transition into `to` stamps: startedAt on running, finishedAt on a final state. */
export function workflowTimestampsFor(to: WorkflowStatus, now: Date): Partial<Pick<Workflow, 'startedAt' | 'finishedAt'>> {
  if (to === 'running') return { startedAt: now };
  if (isFinalWorkflowStatus(to)) return { finishedAt: now };
  return {};
}
