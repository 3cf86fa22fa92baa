import { runTimestampsFor } from '../../../src/common/domain/run-lifecycle';
import { checkTransitionTable } from '../../utils/transition-table';
import { TASK_TRANSITIONS } from '../../../src/modules/tasks/task-transitions';
import { TASK_STATUSES, TaskStatus } from '../../../src/modules/tasks/task.entity';

/** Every legal status change of a task, written out independently of the table under test. */
const LEGAL: [TaskStatus, TaskStatus][] = [
  ['pending', 'running'],
  ['pending', 'completed'],
  ['pending', 'failed'],
  ['pending', 'cancelled'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['running', 'cancelled'],
  ['running', 'pending'],
];

describe('task transitions', () => {
  checkTransitionTable('task', TASK_TRANSITIONS, TASK_STATUSES, LEGAL, ['completed', 'failed', 'cancelled']);

  it('stamps startedAt on running, clears it on a retry, and stamps finishedAt on a final state', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    expect(runTimestampsFor('pending', 'running', now)).toEqual({ startedAt: now });
    expect(runTimestampsFor('running', 'pending', now)).toEqual({ startedAt: null });
    for (const to of ['completed', 'failed', 'cancelled'] as const) expect(runTimestampsFor('running', to, now)).toEqual({ finishedAt: now });
    expect(runTimestampsFor('pending', 'cancelled', now)).toEqual({ finishedAt: now });
  });

  it('starts and finishes a task that goes from pending to completed or failed in one step, at the reported start if given', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    const started = new Date('2026-01-31T11:59:58.500Z');
    for (const to of ['completed', 'failed'] as const) {
      expect(runTimestampsFor('pending', to, now)).toEqual({ startedAt: now, finishedAt: now });
      expect(runTimestampsFor('pending', to, now, started)).toEqual({ startedAt: started, finishedAt: now });
    }
    expect(runTimestampsFor('pending', 'running', now, started)).toEqual({ startedAt: started });
  });
});
