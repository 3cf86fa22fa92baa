import { TransitionTable } from '../../common/domain/transitions';
import { Task, TaskStatus } from './task.entity';

/**
 * The life of a task, and the only status changes `PATCH /tasks/:id` accepts:
 * pending → running → completed | failed | cancelled, pending → cancelled, and running → pending
 * to retry. completed, failed and cancelled are final.
 */
export const TASK_TRANSITIONS: TransitionTable<TaskStatus> = {
  pending: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled', 'pending'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** A final state: nothing about the task changes any more. */
export function isFinalTaskStatus(status: TaskStatus): boolean {
  return TASK_TRANSITIONS[status].length === 0;
}

/**
 * What a transition into `to` stamps: startedAt on running (and clears it on the way back to
 * pending, so a retried task shows when its latest attempt started), finishedAt on a final state.
 */
export function taskTimestampsFor(to: TaskStatus, now: Date): Partial<Pick<Task, 'startedAt' | 'finishedAt'>> {
  if (to === 'running') return { startedAt: now };
  if (to === 'pending') return { startedAt: null };
  return { finishedAt: now };
}
