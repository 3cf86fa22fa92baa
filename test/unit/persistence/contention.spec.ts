import { ContentionError } from '../../../src/common/errors';
import { buildProblem, problemHeaders } from '../../../src/common/errors/problem-details';
import { isContention, MAX_ATTEMPTS, retryOnContention } from '../../../src/common/persistence/contention';

/** A pg error as the driver raises it, wrapped by TypeORM like a QueryFailedError. */
const pgError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { driverError: { code } });

describe('retry on contention', () => {
  it('knows deadlocks and serialization failures, and nothing else', () => {
    expect(isContention(pgError('40P01'))).toBe(true);
    expect(isContention(pgError('40001'))).toBe(true);
    expect(isContention({ code: '40P01' })).toBe(true);
    expect(isContention(pgError('23505'))).toBe(false);
    expect(isContention(new Error('boom'))).toBe(false);
  });

  it('runs a transaction again after a deadlock and returns what the successful run returned', async () => {
    let runs = 0;
    const result = await retryOnContention(async () => {
      runs += 1;
      if (runs < 3) throw pgError('40P01');
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(runs).toBe(3);
  });

  it('gives up after MAX_ATTEMPTS with a 503 that says when to come back', async () => {
    let runs = 0;
    const failure = await retryOnContention(async () => {
      runs += 1;
      throw pgError('40001');
    }).catch((error: unknown) => error);
    expect(runs).toBe(MAX_ATTEMPTS);
    expect(failure).toBeInstanceOf(ContentionError);
    const problem = buildProblem((failure as ContentionError).code, (failure as ContentionError).message, {
      extensions: (failure as ContentionError).extensions,
    });
    expect(problem.status).toBe(503);
    expect(problemHeaders(problem)).toEqual({ 'Retry-After': '1' });
  });

  it('never runs again a transaction that failed for another reason', async () => {
    let runs = 0;
    await expect(
      retryOnContention(async () => {
        runs += 1;
        throw pgError('23505');
      }),
    ).rejects.toThrow('sqlstate 23505');
    expect(runs).toBe(1);
  });
});
