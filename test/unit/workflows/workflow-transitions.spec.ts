import { assertTransition, canTransition, IllegalTransitionError, isFinal } from '../../../src/common/domain/transitions';
import { runTimestampsFor } from '../../../src/common/domain/run-lifecycle';
import { WORKFLOW_TRANSITIONS } from '../../../src/modules/workflows/workflow-transitions';
import { WORKFLOW_STATUSES, WorkflowStatus } from '../../../src/modules/workflows/workflow.entity';

/** Every legal status change of a workflow, written out independently of the table under test. */
const LEGAL: [WorkflowStatus, WorkflowStatus][] = [
  ['pending', 'running'],
  ['pending', 'completed'],
  ['pending', 'failed'],
  ['pending', 'cancelled'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['running', 'cancelled'],
];
const ALL_PAIRS = WORKFLOW_STATUSES.flatMap((from) => WORKFLOW_STATUSES.map((to) => [from, to] as [WorkflowStatus, WorkflowStatus]));
const isLegal = (from: WorkflowStatus, to: WorkflowStatus) => LEGAL.some(([f, t]) => f === from && t === to);

describe('workflow transitions', () => {
  it('has a row for every status', () => {
    expect(Object.keys(WORKFLOW_TRANSITIONS).sort()).toEqual([...WORKFLOW_STATUSES].sort());
  });

  it.each(ALL_PAIRS.filter(([from, to]) => isLegal(from, to)))('allows %s → %s', (from, to) => {
    expect(canTransition(WORKFLOW_TRANSITIONS, from, to)).toBe(true);
    expect(() => assertTransition(WORKFLOW_TRANSITIONS, 'workflow', 'w1', from, to)).not.toThrow();
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isLegal(from, to)))('refuses %s → %s with 422 naming what is allowed', (from, to) => {
    expect(canTransition(WORKFLOW_TRANSITIONS, from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(WORKFLOW_TRANSITIONS, 'workflow', 'w1', from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect((thrown as IllegalTransitionError).extensions).toEqual({ from, to, allowed: LEGAL.filter(([f]) => f === from).map(([, t]) => t) });
  });

  it('checks all 25 pairs: 7 legal, 18 illegal', () => {
    expect(ALL_PAIRS).toHaveLength(25);
    const key = ([from, to]: [string, string]) => `${from}→${to}`;
    expect(
      ALL_PAIRS.filter(([from, to]) => canTransition(WORKFLOW_TRANSITIONS, from, to))
        .map(key)
        .sort(),
    ).toEqual(LEGAL.map(key).sort());
  });

  it('treats completed, failed and cancelled as final, and nothing else', () => {
    expect(WORKFLOW_STATUSES.filter((status) => isFinal(WORKFLOW_TRANSITIONS, status))).toEqual(['completed', 'failed', 'cancelled']);
  });

  it('stamps startedAt on running and finishedAt on a final state; one step from pending stamps both', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    expect(runTimestampsFor('pending', 'running', now)).toEqual({ startedAt: now });
    for (const to of ['completed', 'failed', 'cancelled'] as const) expect(runTimestampsFor('running', to, now)).toEqual({ finishedAt: now });
    expect(runTimestampsFor('pending', 'completed', now)).toEqual({ startedAt: now, finishedAt: now });
    expect(runTimestampsFor('pending', 'cancelled', now)).toEqual({ finishedAt: now });
  });
});
