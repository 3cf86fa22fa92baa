import { UnprocessableError } from '../errors';
import { canTransition, IllegalTransitionError, isFinal, TransitionTable } from './transitions';

/** The statuses a run shares, whether a workflow or a task. */
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** What a run's lifecycle stamps when its status changes. */
export interface RunStamps {
  startedAt?: Date | null;
  finishedAt?: Date;
}

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
export function runTimestampsFor(from: RunStatus, to: RunStatus, now: Date, startedAt: Date = now): RunStamps {
  const stamps: RunStamps = {};
  if (startsRun(from, to)) stamps.startedAt = startedAt;
  if (to === 'pending') stamps.startedAt = null;
  if (FINAL.includes(to)) stamps.finishedAt = now;
  return stamps;
}

/** A change to a run in a final state (completed, failed, cancelled): 422. */
export class RunFinishedError extends UnprocessableError {
  constructor(aggregateType: 'workflow' | 'task', id: string, status: RunStatus) {
    super(`${aggregateType} ${id} is ${status}, a final state: it can no longer change`, { currentStatus: status });
  }
}

/** `startedAt` sent with a change that does not start the workflow or task: 422, nothing changed. */
export class StartedAtWithoutStartError extends UnprocessableError {
  constructor(aggregateType: 'workflow' | 'task', id: string) {
    super(`startedAt is taken only by a change that starts ${aggregateType} ${id} (pending → running, or pending → completed | failed)`, {
      field: 'startedAt',
    });
  }
}

/** What a change does to a run the lifecycle rules let it change: whether it starts the run, and what it writes besides the caller's fields. */
export interface RunChange<S extends RunStatus> {
  starts: boolean;
  patch: { status?: S } & RunStamps;
}

/**
 * The lifecycle rules of a change to a run (a workflow or a task) in its current status: a new
 * `status` must be a transition of its table (IllegalTransitionError), and a run in a final state
 * changes no more (RunFinishedError); `startedAt`, when the caller says the work started, is taken
 * only by a change that starts the run (StartedAtWithoutStartError), which otherwise starts it now.
 * Answers whether the change starts the run and what it writes besides the caller's fields: the
 * status and its stamps (see runTimestampsFor).
 */
export function runChange<S extends RunStatus>(
  run: { type: 'workflow' | 'task'; id: string; status: S },
  transitions: TransitionTable<S>,
  change: { status?: S; startedAt?: Date },
  now = new Date(),
): RunChange<S> {
  const verdict = judgeRunChange(run, transitions, change, now);
  if (typeof verdict === 'function') throw verdict();
  return verdict;
}

/**
 * The change judged for every status the run may be in when it is applied (the statuses of its
 * table): what runChange answers for each status it allows, and, through `refusal`, the error it
 * throws for the others. For a single statement that reads the run's status and applies the change
 * only from a status allowed here, with that status's patch, so that the database itself can never
 * apply a change these rules refuse.
 */
export function runChangeByStatus<S extends RunStatus>(
  run: { type: 'workflow' | 'task'; id: string },
  transitions: TransitionTable<S>,
  change: { status?: S; startedAt?: Date },
  now = new Date(),
): { allowed: Map<S, RunChange<S>>; refusal(status: S): UnprocessableError | undefined } {
  const allowed = new Map<S, RunChange<S>>();
  const refusals = new Map<S, () => UnprocessableError>();
  for (const status of Object.keys(transitions) as S[]) {
    const verdict = judgeRunChange({ type: run.type, id: run.id, status }, transitions, change, now);
    if (typeof verdict === 'function') refusals.set(status, verdict);
    else allowed.set(status, verdict);
  }
  return { allowed, refusal: (status) => refusals.get(status)?.() };
}

/** runChange's answer, or the error it throws, made only when asked for (building errors is not free). */
function judgeRunChange<S extends RunStatus>(
  run: { type: 'workflow' | 'task'; id: string; status: S },
  transitions: TransitionTable<S>,
  change: { status?: S; startedAt?: Date },
  now: Date,
): RunChange<S> | (() => UnprocessableError) {
  const { type, id, status: from } = run;
  const { status: to, startedAt } = change;
  if (to === undefined) {
    if (isFinal(transitions, from)) return () => new RunFinishedError(type, id, from);
    if (startedAt !== undefined) return () => new StartedAtWithoutStartError(type, id);
    return { starts: false, patch: {} };
  }
  if (!canTransition(transitions, from, to)) return () => new IllegalTransitionError(type, id, from, to, transitions[from]);
  const starts = startsRun(from, to);
  if (startedAt !== undefined && !starts) return () => new StartedAtWithoutStartError(type, id);
  return { starts, patch: { status: to, ...runTimestampsFor(from, to, now, startedAt) } };
}
