import { UnprocessableError } from '../errors';

/** Allowed status changes of an aggregate: `from → [to, …]`. Terminal states map to `[]`. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export class IllegalTransitionError extends UnprocessableError {
  constructor(aggregateType: string, id: string, from: string, to: string, allowed: readonly string[]) {
    super(
      allowed.length === 0
        ? `${aggregateType} ${id} is ${from}, a final state: it cannot become ${to}`
        : `${aggregateType} ${id} cannot go from ${from} to ${to} (allowed: ${allowed.join(', ')})`,
      { from, to, allowed: [...allowed] },
    );
  }
}

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** Throws IllegalTransitionError (422) unless `from → to` is in the table. Staying put is not a transition. */
export function assertTransition<S extends string>(table: TransitionTable<S>, aggregateType: string, id: string, from: S, to: S): void {
  if (!canTransition(table, from, to)) throw new IllegalTransitionError(aggregateType, id, from, to, table[from]);
}

/** Whether `status` is final in the table: no transition leaves it. */
export function isFinal<S extends string>(table: TransitionTable<S>, status: S): boolean {
  return table[status].length === 0;
}
