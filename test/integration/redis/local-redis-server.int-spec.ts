import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { redisAnswers, RedisUnavailableError, resolveRedisEndpoint } from '../../../src/redis/local-redis-server';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis endpoint resolution', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-redis-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses an explicit REDIS_URL as it is', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const endpoint = await resolveRedisEndpoint({ url, defaulted: false, queuePrefix: 'x', serverSearchPath: process.env.PATH ?? '' }, dataDir);
    expect(endpoint.url).toBe(url);
  });

  it('starts a private redis-server when nothing answers at the default address, and stops it on shutdown', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const endpoint = await resolveRedisEndpoint({ url, defaulted: true, queuePrefix: 'x', serverSearchPath: process.env.PATH ?? '' }, dataDir);
    expect(endpoint.url).not.toBe(url);
    const client = new Redis(endpoint.url, { maxRetriesPerRequest: 1 });
    expect(await client.set('k', 'v')).toBe('OK');
    expect(await client.config('GET', 'dir')).toEqual(['dir', join(dataDir, 'redis')]);
    client.disconnect();

    // A second start reuses the running private server instead of starting another.
    const again = await resolveRedisEndpoint({ url, defaulted: true, queuePrefix: 'x', serverSearchPath: process.env.PATH ?? '' }, dataDir);
    expect(again.url).toBe(endpoint.url);

    await endpoint.stop();
    expect(await redisAnswers(endpoint.url)).toBe(false);
  });

  it('fails with one line naming both fixes when no Redis answers and redis-server is not installed', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const failure = resolveRedisEndpoint({ url, defaulted: true, queuePrefix: 'x', serverSearchPath: '/nonexistent' }, dataDir);
    await expect(failure).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(failure).rejects.toThrow(/install redis-server.*or set REDIS_URL/);
  });
});
