import { assertTransition, canTransition, IllegalTransitionError, isFinal, TransitionTable } from '../../src/common/domain/transitions';

/**
 * The checks every lifecycle table gets, against its legal changes written out independently of
 * the table under test: every status has a row, each legal change is allowed, every other one is
 * refused with the 422 that names what is allowed, and exactly `finals` are final.
 */
export function checkTransitionTable<S extends string>(
  aggregateType: string,
  table: TransitionTable<S>,
  statuses: readonly S[],
  legal: [S, S][],
  finals: S[],
): void {
  const allPairs = statuses.flatMap((from) => statuses.map((to) => [from, to] as [S, S]));
  const isLegal = (from: S, to: S) => legal.some(([f, t]) => f === from && t === to);
  const key = ([from, to]: [string, string]) => `${from}→${to}`;

  it('has a row for every status', () => {
    expect(Object.keys(table).sort()).toEqual([...statuses].sort());
  });

  it.each(allPairs.filter(([from, to]) => isLegal(from, to)))('allows %s → %s', (from, to) => {
    expect(canTransition(table, from, to)).toBe(true);
    expect(() => assertTransition(table, aggregateType, 'id-1', from, to)).not.toThrow();
  });

  it.each(allPairs.filter(([from, to]) => !isLegal(from, to)))('refuses %s → %s with 422 naming what is allowed', (from, to) => {
    expect(canTransition(table, from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(table, aggregateType, 'id-1', from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    const error = thrown as IllegalTransitionError;
    expect(error.code).toBe('UNPROCESSABLE');
    expect(error.message).toContain(from);
    expect(error.message).toContain(to);
    expect(error.extensions).toEqual({ from, to, allowed: legal.filter(([f]) => f === from).map(([, t]) => t) });
  });

  it(`allows exactly the ${legal.length} legal changes of the ${allPairs.length} pairs`, () => {
    expect(
      allPairs
        .filter(([from, to]) => canTransition(table, from, to))
        .map(key)
        .sort(),
    ).toEqual(legal.map(key).sort());
  });

  it(`treats ${finals.join(', ')} as final, and nothing else`, () => {
    expect(statuses.filter((status) => isFinal(table, status))).toEqual(finals);
  });
}
