/** The statuses a workflow and a task share. */
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

const FINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Whether `from → to` starts the run: into running, or straight from pending to completed or
 * failed (an agent that reports the outcome of its work in one call, as agent systems do).
 */
export function startsRun(from: RunStatus, to: RunStatus): boolean {
  return to === 'running' || (from === 'pending' && (to === 'completed' || to === 'failed'));
}

/**
 * What a transition stamps: startedAt when it starts the run (when the caller says the work
 * started, else now), cleared on the way back to pending (a retried task shows when its latest
 * attempt started); finishedAt on a final state.
 */
export function runTimestampsFor(from: RunStatus, to: RunStatus, now: Date, startedAt: Date = now): { startedAt?: Date | null; finishedAt?: Date } {
  const stamps: { startedAt?: Date | null; finishedAt?: Date } = {};
  if (startsRun(from, to)) stamps.startedAt = startedAt;
  if (to === 'pending') stamps.startedAt = null;
  if (FINAL.includes(to)) stamps.finishedAt = now;
  return stamps;
}
