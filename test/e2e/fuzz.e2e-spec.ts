import fc from 'fast-check';
import { requestArbitrary } from '../utils/fuzz/arbitraries';
import { FuzzHarness } from '../utils/fuzz/fuzz-harness';
import { Operation, operationName } from '../utils/fuzz/openapi';

/**
 * Generated requests against every operation of the app's OpenAPI document. The time budget is
 * shared by the operations. A failure prints the failing request as sent (shrunk) with fast-check's
 * seed and path; replay its generation with
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/e2e/fuzz.e2e-spec.ts -t '<METHOD> <path> '`
 * (the ids it picks come from this run's rows, so they differ; the rest of the request does not).
 */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 60_000);
const MAX_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;
/** FUZZ_REPORT=1 prints how often each operation answered each status. */
const REPORT = process.env.FUZZ_REPORT === '1';

// The factory is async: the app boots while tests are collected, so that each operation is a test of its own.
describe('fuzz: every operation of the OpenAPI document under generated requests', async () => {
  const h = await FuzzHarness.boot();
  const timePerOperation = Math.max(250, Math.floor(BUDGET_MS / h.operations.length));
  const statuses = new Map<string, Map<number, number>>();

  beforeAll(() => h.seed());
  afterAll(async () => {
    if (REPORT)
      for (const [name, counts] of statuses)
        console.log(
          name.padEnd(45),
          [...counts]
            .sort(([a], [b]) => a - b)
            .map(([status, n]) => `${status}×${n}`)
            .join(' '),
        );
    await h.close();
  });

  it('discovers the routes from the document', () => {
    expect(h.operations.length).toBeGreaterThan(40);
    expect(h.operations.map(operationName)).toEqual(expect.arrayContaining(['POST /api/v1/agents', 'PATCH /api/v1/tasks/{id}', 'GET /api/v1/events']));
  });

  it('describes every field with a format (uuid, date-time) as a string', () => {
    const mistyped = h.operations.flatMap((operation) =>
      Object.entries(operation.body?.properties ?? {})
        .filter(([, field]) => field.format && field.type !== 'string')
        .map(([name, field]) => `${operationName(operation)} ${name}: ${field.type}`),
    );
    expect(mistyped).toEqual([]);
  });

  async function fuzz(operation: Operation): Promise<void> {
    const counts = new Map<number, number>();
    statuses.set(operationName(operation), counts);
    // Past the deadline a run sends nothing: the budget bounds the file without cutting a request
    // short (an interrupted request would still be writing while the next one is checked).
    const deadline = Date.now() + timePerOperation;
    const property = fc.asyncProperty(requestArbitrary(operation, await h.targets()), async (request) => {
      if (Date.now() > deadline) return;
      const res = await h.send(request);
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    });
    try {
      await fc.assert(property, { numRuns: MAX_RUNS, seed: SEED, path: PATH });
    } catch (error) {
      (error as Error).message = `${operationName(operation)}: ${(error as Error).message}`;
      throw error;
    }
    expect(
      [...counts.values()].reduce((sum, n) => sum + n, 0),
      'requests sent within the budget',
    ).toBeGreaterThan(0);
  }

  for (const operation of h.operations) {
    it(`${operationName(operation)} answers cleanly, leaks nothing, and changes nothing when it refuses`, () => fuzz(operation), timePerOperation * 4 + 30_000);
  }

  it('still serves after the run', async () => {
    const res = await h.send({ method: 'GET', url: '/health/live', headers: {} });
    expect(res.status).toBe(200);
  });
});
