import { RunFinishedError, runChange, runChangeByStatus, StartedAtWithoutStartError } from '../../../src/common/domain/run-lifecycle';
import { IllegalTransitionError } from '../../../src/common/domain/transitions';
import { TASK_TRANSITIONS } from '../../../src/modules/tasks/task-transitions';
import { WORKFLOW_TRANSITIONS } from '../../../src/modules/workflows/workflow-transitions';

const now = new Date('2026-01-31T12:00:00Z');
const reported = new Date('2026-01-31T11:59:58.500Z');

describe('runChange: the life of a workflow or a task', () => {
  it('starts a run that completes or fails straight from pending now, or when the body says it started', () => {
    for (const status of ['completed', 'failed'] as const) {
      expect(runChange({ type: 'task', id: 't', status: 'pending' }, TASK_TRANSITIONS, { status }, now)).toEqual({
        starts: true,
        patch: { status, startedAt: now, finishedAt: now },
      });
      expect(runChange({ type: 'workflow', id: 'w', status: 'pending' }, WORKFLOW_TRANSITIONS, { status, startedAt: reported }, now)).toEqual({
        starts: true,
        patch: { status, startedAt: reported, finishedAt: now },
      });
    }
  });

  it('stamps only finishedAt when a started run ends, and changes no status when none is asked', () => {
    expect(runChange({ type: 'task', id: 't', status: 'running' }, TASK_TRANSITIONS, { status: 'completed' }, now)).toEqual({
      starts: false,
      patch: { status: 'completed', finishedAt: now },
    });
    expect(runChange({ type: 'workflow', id: 'w', status: 'running' }, WORKFLOW_TRANSITIONS, {}, now)).toEqual({ starts: false, patch: {} });
  });

  it('refuses startedAt with a change that does not start the run (422 naming the field)', () => {
    const refusals = [
      () => runChange({ type: 'task', id: 't', status: 'running' }, TASK_TRANSITIONS, { status: 'completed', startedAt: reported }, now),
      () => runChange({ type: 'task', id: 't', status: 'pending' }, TASK_TRANSITIONS, { status: 'cancelled', startedAt: reported }, now),
      () => runChange({ type: 'workflow', id: 'w', status: 'pending' }, WORKFLOW_TRANSITIONS, { startedAt: reported }, now),
    ];
    for (const refusal of refusals) {
      expect(refusal).toThrow(StartedAtWithoutStartError);
      expect(refusal).toThrow(expect.objectContaining({ extensions: { field: 'startedAt' } }));
    }
  });

  it('refuses any change to a finished run, and a status change its table does not allow', () => {
    expect(() => runChange({ type: 'task', id: 't', status: 'completed' }, TASK_TRANSITIONS, {}, now)).toThrow(new RunFinishedError('task', 't', 'completed'));
    expect(() => runChange({ type: 'workflow', id: 'w', status: 'cancelled' }, WORKFLOW_TRANSITIONS, { startedAt: reported }, now)).toThrow(RunFinishedError);
    expect(() => runChange({ type: 'workflow', id: 'w', status: 'running' }, WORKFLOW_TRANSITIONS, { status: 'pending' }, now)).toThrow(IllegalTransitionError);
  });

  describe('runChangeByStatus: the change judged for every status the run may be found in', () => {
    const statuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

    it('allows exactly the statuses runChange allows, with the same answer, and refuses the others with the same error', () => {
      const changes = [
        { status: 'running' as const },
        { status: 'completed' as const },
        { status: 'pending' as const },
        {},
        { status: 'running' as const, startedAt: reported },
        { startedAt: reported },
      ];
      for (const change of changes) {
        const judged = runChangeByStatus({ type: 'task', id: 't' }, TASK_TRANSITIONS, change, now);
        for (const status of statuses) {
          let expected: unknown;
          try {
            expected = runChange({ type: 'task', id: 't', status }, TASK_TRANSITIONS, change, now);
          } catch (error) {
            expected = error;
          }
          if (expected instanceof Error) {
            expect([change, status, judged.allowed.has(status)]).toEqual([change, status, false]);
            expect(judged.refusal(status)).toEqual(expected);
            expect(judged.refusal(status)?.constructor).toBe(expected.constructor);
          } else {
            expect([change, status, judged.allowed.get(status)]).toEqual([change, status, expected]);
            expect(judged.refusal(status)).toBeUndefined();
          }
        }
      }
    });

    it('tells a start apart by the status it leaves: pending → completed starts the task, running → completed does not', () => {
      const judged = runChangeByStatus({ type: 'task', id: 't' }, TASK_TRANSITIONS, { status: 'completed' }, now);
      expect([...judged.allowed.keys()]).toEqual(['pending', 'running']);
      expect(judged.allowed.get('pending')).toEqual({ starts: true, patch: { status: 'completed', startedAt: now, finishedAt: now } });
      expect(judged.allowed.get('running')).toEqual({ starts: false, patch: { status: 'completed', finishedAt: now } });
      expect(judged.refusal('completed')).toEqual(new IllegalTransitionError('task', 't', 'completed', 'completed', []));
    });
  });
});
