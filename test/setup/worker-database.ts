/**
 * Runs in each test worker before its files: points the app under test, the owner connection and
 * every process a test starts at the database of this worker (created by global-setup.ts), and
 * gives its apps a queue prefix of their own.
 */

/** The test files that run side by side (vitest's maxWorkers); one database each. */
export const TEST_WORKERS = 2;

/** The start of the names of the workers' databases of the test database at `url`. */
export function workerDatabasePrefix(url: string): string {
  return `${new URL(url).pathname.slice(1)}_worker_`;
}

export function workerDatabaseName(url: string, runPid: number, worker: number): string {
  return `${workerDatabasePrefix(url)}r${runPid}_w${worker}`;
}

function useWorkerDatabase(): void {
  const runPid = Number(process.env.TEST_RUN_PID);
  const worker = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(runPid) || !Number.isInteger(worker) || worker < 1 || worker > TEST_WORKERS) {
    throw new Error(`No database for test worker ${process.env.VITEST_POOL_ID} of run ${process.env.TEST_RUN_PID}: start the tests with vitest`);
  }
  const at = (url: string) =>
    Object.assign(new URL(url), { pathname: `/${workerDatabaseName(process.env.TEST_BASE_DATABASE_URL!, runPid, worker)}` }).toString();
  process.env.TEST_BASE_DATABASE_URL ??= process.env.TEST_DATABASE_URL;
  process.env.TEST_DATABASE_URL = at(process.env.TEST_BASE_DATABASE_URL!);
  process.env.DATABASE_URL = at(process.env.DATABASE_URL!);
  process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX}-w${worker}`;
}

if (process.env.VITEST_POOL_ID !== undefined && process.env.TEST_WORKER_DATABASE !== 'set') {
  useWorkerDatabase();
  process.env.TEST_WORKER_DATABASE = 'set';
}
