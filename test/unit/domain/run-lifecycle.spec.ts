import { RunFinishedError, runChange, StartedAtWithoutStartError } from '../../../src/common/domain/run-lifecycle';
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
});
