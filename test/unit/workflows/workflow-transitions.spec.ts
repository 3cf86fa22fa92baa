import { checkTransitionTable } from '../../utils/transition-table';
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

describe('workflow transitions', () => {
  checkTransitionTable('workflow', WORKFLOW_TRANSITIONS, WORKFLOW_STATUSES, LEGAL, ['completed', 'failed', 'cancelled']);

  it('stamps startedAt on running and finishedAt on a final state; one step from pending stamps both', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    expect(runTimestampsFor('pending', 'running', now)).toEqual({ startedAt: now });
    for (const to of ['completed', 'failed', 'cancelled'] as const) expect(runTimestampsFor('running', to, now)).toEqual({ finishedAt: now });
    expect(runTimestampsFor('pending', 'completed', now)).toEqual({ startedAt: now, finishedAt: now });
    expect(runTimestampsFor('pending', 'cancelled', now)).toEqual({ finishedAt: now });
  });
});
