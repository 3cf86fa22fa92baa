import { startServer, waitUntilReady } from '../utils/server-process';

/** What a person sees when the service starts: the lines that matter, readable, not buried. */
describe('start-up output', () => {
  const serverEnv = (format: Record<string, string>) => ({
    DATABASE_URL: process.env.DATABASE_URL!,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    QUEUE_PREFIX: `first-run-${process.pid}`,
    APP_ROLE: 'api',
    AUTH: 'apikey',
    LOG_LEVEL: 'info',
    ...format,
  });

  it('on a terminal: readable lines, the route table at debug, where it listens among the first lines', async () => {
    const server = await startServer(serverEnv({ LOG_FORMAT: 'pretty' }));
    try {
      await waitUntilReady(server);
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      const listening = lines.findIndex((line) => line.includes('agent-ledger listening on'));
      expect(listening).toBeGreaterThanOrEqual(0);
      expect(listening).toBeLessThan(12);
      expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
      expect(lines.filter((line) => /Mapped \{|dependencies initialized/.test(line))).toEqual([]);
      expect(lines[listening]).toMatch(/PostgreSQL/);
    } finally {
      await server.stop();
    }
  });

  it('collected (not a terminal): one JSON object per line, and the route table still only at debug', async () => {
    const server = await startServer(serverEnv({}));
    try {
      await waitUntilReady(server);
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(lines.some((line) => line.includes('agent-ledger listening on'))).toBe(true);
      expect(lines.filter((line) => line.includes('Mapped {'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
