import { runTimestampsFor } from '../../../src/common/domain/run-lifecycle';
import { canTransition, IllegalTransitionError, assertTransition, isFinal } from '../../../src/common/domain/transitions';
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
const ALL_PAIRS = TASK_STATUSES.flatMap((from) => TASK_STATUSES.map((to) => [from, to] as [TaskStatus, TaskStatus]));
const isLegal = (from: TaskStatus, to: TaskStatus) => LEGAL.some(([f, t]) => f === from && t === to);

describe('task transitions', () => {
  it('has a row for every status', () => {
    expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...TASK_STATUSES].sort());
  });

  it.each(ALL_PAIRS.filter(([from, to]) => isLegal(from, to)))('allows %s → %s', (from, to) => {
    expect(canTransition(TASK_TRANSITIONS, from, to)).toBe(true);
    expect(() => assertTransition(TASK_TRANSITIONS, 'task', 't1', from, to)).not.toThrow();
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isLegal(from, to)))('refuses %s → %s with 422 naming what is allowed', (from, to) => {
    expect(canTransition(TASK_TRANSITIONS, from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(TASK_TRANSITIONS, 'task', 't1', from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect((thrown as IllegalTransitionError).extensions).toEqual({ from, to, allowed: LEGAL.filter(([f]) => f === from).map(([, t]) => t) });
  });

  it('checks all 25 pairs: 8 legal, 17 illegal', () => {
    expect(ALL_PAIRS).toHaveLength(25);
    const key = ([from, to]: [string, string]) => `${from}→${to}`;
    expect(
      ALL_PAIRS.filter(([from, to]) => canTransition(TASK_TRANSITIONS, from, to))
        .map(key)
        .sort(),
    ).toEqual(LEGAL.map(key).sort());
  });

  it('treats completed, failed and cancelled as final, and nothing else', () => {
    expect(TASK_STATUSES.filter((status) => isFinal(TASK_TRANSITIONS, status))).toEqual(['completed', 'failed', 'cancelled']);
  });

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
