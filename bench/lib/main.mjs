import { stopAll } from './processes.mjs';

/**
 * Runs a benchmark script's `main()`: every child process is stopped at the end, on failure, on
 * SIGINT/SIGTERM and on a crash, and the process exits 1 when the run failed.
 */
export async function runMain(tag, main) {
  const fail = (error) => process.stderr.write(`[${tag}] failed: ${error?.stack ?? error}\n`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  function onSignal(signal) {
    process.stderr.write(`[${tag}] ${signal}: stopping child processes\n`);
    void stopAll().finally(() => process.exit(130));
  }
  function onCrash(error) {
    fail(error);
    void stopAll().finally(() => process.exit(1));
  }
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    exitCode = 1;
    fail(error);
  } finally {
    await stopAll();
  }
  process.exit(exitCode);
}
