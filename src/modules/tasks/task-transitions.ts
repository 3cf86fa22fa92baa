import { TransitionTable } from '../../common/domain/transitions';
import { TaskStatus } from './task.entity';

/**
 * The life of a task, and the only status changes `PATCH /tasks/:id` accepts:
 * pending → running → completed | failed | cancelled, pending → cancelled, running → pending to
 * retry, and pending → completed | failed in one step (an agent reporting its outcome at once:
 * the task starts and finishes then). completed, failed and cancelled are final.
 */
export const TASK_TRANSITIONS: TransitionTable<TaskStatus> = {
  pending: ['running', 'completed', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled', 'pending'],
  completed: [],
  failed: [],
  cancelled: [],
};
