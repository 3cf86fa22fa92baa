import { spawn } from 'node:child_process';
import { startServer, waitUntilReady } from '../utils/server-process';

/** Runs `npm run example --ignore-scripts` (the example the test set-up compiled) to its end. */
function runExample(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', ['run', 'example', '--silent', '--ignore-scripts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('npm run example', () => {
  it('runs the multi-agent workflow against a server started as in production, and exits 0', { timeout: 180_000 }, async () => {
    const server = await startServer({
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      QUEUE_PREFIX: `client-example-${process.pid}`,
      AUTH: 'off',
    });
    try {
      await waitUntilReady(server);
      const { code, output } = await runExample({ AGENT_LEDGER_URL: server.baseUrl });

      expect(output).toMatch(/\[planner\] planned 3 tasks; the report waits for 2/);
      expect(output).toMatch(/handed the report to the outbox/);
      expect(output).toMatch(/\[planner\] event task\.status_changed \(.+\): the report is completed/);
      expect(output).toMatch(/\[planner\] workflow [0-9a-f-]{36} completed/);
      expect(code).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
