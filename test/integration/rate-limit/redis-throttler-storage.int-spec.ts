import { createServer, Server, Socket } from 'node:net';
import Redis, { RedisOptions } from 'ioredis';
import { RedisThrottlerStorage } from '../../../src/common/rate-limit/redis-throttler.storage';
import { freePort } from '../../utils/server-process';
import { waitFor } from '../../utils/wait';

const PREFIX = `throttler-${process.pid}-${Date.now().toString(36)}:`;

describe('RedisThrottlerStorage', () => {
  const clients: Redis[] = [];
  let key = 0;
  const nextKey = () => `caller-${++key}`;

  function client(url = process.env.TEST_REDIS_URL!, options: RedisOptions = {}): Redis {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, ...options });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  }

  async function connectedStorage(): Promise<RedisThrottlerStorage> {
    const redis = client();
    await waitFor('Redis connection', async () => redis.status === 'ready');
    return new RedisThrottlerStorage(redis, PREFIX);
  }

  afterAll(async () => {
    const [first] = clients;
    const keys = await first.keys(`${PREFIX}*`);
    if (keys.length > 0) await first.del(...keys);
    for (const redis of clients) redis.disconnect();
  });

  it('counts hits in a window that starts with the first one', async () => {
    const storage = await connectedStorage();
    const caller = nextKey();
    const first = await storage.increment(caller, 60_000, 3, 60_000, 'default');
    expect(first).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    const second = await storage.increment(caller, 60_000, 3, 60_000, 'default');
    expect(second.totalHits).toBe(2);
    expect(second.isBlocked).toBe(false);
    // Another caller has a count of its own.
    expect((await storage.increment(nextKey(), 60_000, 3, 60_000, 'default')).totalHits).toBe(1);
  });

  it('blocks a caller over the limit for the block duration, without counting blocked hits', async () => {
    const storage = await connectedStorage();
    const caller = nextKey();
    for (let i = 0; i < 2; i++) await storage.increment(caller, 60_000, 2, 30_000, 'default');
    const over = await storage.increment(caller, 60_000, 2, 30_000, 'default');
    expect(over).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
    const again = await storage.increment(caller, 60_000, 2, 30_000, 'default');
    expect(again.isBlocked).toBe(true);
    expect(again.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('starts a fresh count once the block is over', async () => {
    const storage = await connectedStorage();
    const caller = nextKey();
    await storage.increment(caller, 60_000, 1, 300, 'default');
    expect((await storage.increment(caller, 60_000, 1, 300, 'default')).isBlocked).toBe(true);
    const after = await waitFor('the block to end', async () => {
      const record = await storage.increment(caller, 60_000, 1, 300, 'default');
      return record.isBlocked ? undefined : record;
    });
    expect(after.totalHits).toBe(1);
  });

  it('tells how long a caller stays blocked without counting a hit', async () => {
    const storage = await connectedStorage();
    const caller = nextKey();
    expect(await storage.blockedForMs(caller)).toBe(0);
    await storage.increment(caller, 60_000, 1, 30_000, 'default');
    expect(await storage.blockedForMs(caller)).toBe(0);
    expect((await storage.increment(caller, 60_000, 1, 30_000, 'default')).isBlocked).toBe(true);
    const left = await storage.blockedForMs(caller);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(30_000);
  });

  it('shares one count between storages on different connections (API processes)', async () => {
    const a = await connectedStorage();
    const b = await connectedStorage();
    const caller = nextKey();
    expect((await a.increment(caller, 60_000, 3, 60_000, 'default')).totalHits).toBe(1);
    expect((await b.increment(caller, 60_000, 3, 60_000, 'default')).totalHits).toBe(2);
    expect((await a.increment(caller, 60_000, 3, 60_000, 'default')).totalHits).toBe(3);
    expect((await b.increment(caller, 60_000, 3, 60_000, 'default')).isBlocked).toBe(true);
    expect((await a.increment(caller, 60_000, 3, 60_000, 'default')).isBlocked).toBe(true);
  });

  it('counts concurrent hits exactly (one atomic script per hit)', async () => {
    const storages = [await connectedStorage(), await connectedStorage()];
    const caller = nextKey();
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => storages[i % 2].increment(caller, 60_000, 1000, 60_000, 'default')));
    expect(records.map((record) => record.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('fails open when nothing answers at the Redis address', async () => {
    const storage = new RedisThrottlerStorage(client(`redis://127.0.0.1:${await freePort()}`), PREFIX);
    for (let i = 0; i < 3; i++) {
      expect(await storage.increment(nextKey(), 60_000, 1, 60_000, 'default')).toEqual({
        totalHits: 0,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    expect(await storage.blockedForMs(nextKey())).toBe(0);
  });

  it('fails open, after its timeout, when Redis accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      // Commands wait for an answer (or for the connection to be ready) instead of failing at once.
      const redis = client(`redis://127.0.0.1:${port}`, { enableOfflineQueue: true, maxRetriesPerRequest: null });
      await waitFor('the TCP connection', async () => sockets.size > 0);
      const storage = new RedisThrottlerStorage(redis, PREFIX, 100);
      const record = await storage.increment(nextKey(), 60_000, 1, 60_000, 'default');
      expect(record).toMatchObject({ totalHits: 0, isBlocked: false });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
