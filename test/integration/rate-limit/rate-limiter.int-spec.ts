import Redis from 'ioredis';
import { blockSize, RateLimiter } from '../../../src/common/rate-limit/rate-limiter';
import { waitFor } from '../../utils/wait';

const PREFIX = `limiter-${process.pid}-${Date.now().toString(36)}:`;

/** RateLimiter against the real Redis: each instance stands for one API process. */
describe('RateLimiter', () => {
  const clients: Redis[] = [];
  const limiters: RateLimiter[] = [];
  let key = 0;
  const nextKey = () => `caller-${++key}`;

  async function limiter(): Promise<{ limiter: RateLimiter; redis: Redis }> {
    const redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    await waitFor('Redis connection', async () => redis.status === 'ready');
    const created = new RateLimiter(redis, PREFIX);
    limiters.push(created);
    return { limiter: created, redis };
  }

  /** The Redis commands a client sends from now on (ioredis reports each through sendCommand). */
  function countCommands(redis: Redis): () => number {
    let sent = 0;
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
      sent++;
      return send(...args);
    };
    return () => sent;
  }

  afterAll(async () => {
    for (const each of limiters) await each.onApplicationShutdown();
    const keys = await clients[0].keys(`${PREFIX}*`);
    if (keys.length > 0) await clients[0].del(...keys);
    for (const redis of clients) redis.disconnect();
  });

  it('serves many requests, even concurrent ones, from one reservation', async () => {
    const { limiter: one, redis } = await limiter();
    const sent = countCommands(redis);
    const caller = nextKey();
    const decisions = await Promise.all(Array.from({ length: 100 }, () => one.admit(caller, 10_000, 60_000)));
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    expect(blockSize(10_000)).toBe(100);
    expect(sent()).toBe(1);
    expect(decisions.map((decision) => decision.remaining).sort((a, b) => a - b)[0]).toBe(10_000 - 100);
  });

  it('never lets processes together admit more than the limit in a window, whatever the interleaving', async () => {
    const [a, b, c] = await Promise.all([limiter(), limiter(), limiter()]);
    const caller = nextKey();
    const limit = 97; // blocks of 4 that do not divide the limit
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => [a, b, c][i % 3].limiter.admit(caller, limit, 60_000)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(limit);
    const refused = decisions.find((decision) => !decision.allowed)!;
    expect(refused.resetMs).toBeGreaterThan(0);
    expect(refused.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('gives back the unused part of its blocks at shutdown', async () => {
    const [a, b] = await Promise.all([limiter(), limiter()]);
    const caller = nextKey();
    expect((await a.limiter.admit(caller, 40, 60_000)).allowed).toBe(true); // reserves 2, uses 1
    await a.limiter.onApplicationShutdown();
    const decisions = [];
    for (let i = 0; i < 40; i++) decisions.push(await b.limiter.admit(caller, 40, 60_000));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(39);
  });

  it('starts a fresh budget when the window ends', async () => {
    const { limiter: one } = await limiter();
    const caller = nextKey();
    expect((await one.admit(caller, 1, 1000)).allowed).toBe(true);
    expect((await one.admit(caller, 1, 1000)).allowed).toBe(false);
    await waitFor('the next window', async () => (await one.admit(caller, 1, 1000)).allowed, 5000, 100);
  });
});
