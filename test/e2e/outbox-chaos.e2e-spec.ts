import { execFile } from 'node:child_process';

interface ScenarioResult {
  scenario: string;
  posted: number;
  persisted: number;
  domainObjects: number;
  chunks: number;
  duplicates: number;
  lost: number;
  drained: boolean;
}

function siblingUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = path;
  return url.toString();
}

/**
 * Real processes: one API process and two workers (the compiled server) draining in batches, 250
 * results each time. One worker is SIGKILLed mid-drain; then Redis is flushed mid-drain; then every
 * PostgreSQL backend of the database is terminated, twice, mid-drain.
 */
describe('outbox chaos (npm run chaos)', () => {
  it(
    'loses nothing and duplicates nothing when a worker is killed, Redis is flushed or PostgreSQL drops every connection mid-drain',
    { timeout: 300_000 },
    async () => {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['scripts/chaos.mjs', '--results', '250', '--json'],
          {
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              CHAOS_DATABASE_URL: siblingUrl(process.env.TEST_DATABASE_URL!, `/agent_ledger_chaos_${process.pid}`),
              CHAOS_REDIS_URL: siblingUrl(process.env.TEST_REDIS_URL!, '/12'),
            },
            timeout: 280_000,
            maxBuffer: 10 * 1024 * 1024,
          },
          (error, stdout, stderr) => (error && !stdout.trim() ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      const results = JSON.parse(output.trim().split('\n').pop()!) as ScenarioResult[];
      expect(results.map((r) => r.scenario)).toEqual(['kill', 'flush', 'terminate']);
      for (const result of results) {
        expect(result, result.scenario).toMatchObject({
          posted: 250,
          persisted: 250,
          domainObjects: 250,
          chunks: 250,
          duplicates: 0,
          lost: 0,
          drained: true,
        });
      }
    },
  );
});
