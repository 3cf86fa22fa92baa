import Redis from 'ioredis';
import { EventsConfig } from '../../../src/config/events.config';
import { StreamSeats } from '../../../src/modules/events/stream/stream-seats';

const HEARTBEAT_MS = 100;
const config = { maxStreamsPerKey: 1, heartbeatMs: HEARTBEAT_MS } as EventsConfig;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seats of live streams in real Redis: two StreamSeats stand for two API processes of one deployment. */
describe('stream seats (the per-key stream limit across processes)', () => {
  const clients: Redis[] = [];
  const deployment = { url: process.env.TEST_REDIS_URL!, queuePrefix: `seats-${process.pid}-${Date.now()}` };
  const processOf = (url = deployment.url) => {
    const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
    client.on('error', () => undefined);
    clients.push(client);
    return new StreamSeats(client, { ...deployment, url } as never, config);
  };
  afterAll(() => clients.forEach((client) => client.disconnect()));

  it('counts the seats of every process, and a released seat is free at once', async () => {
    const [a, b] = [processOf(), processOf()];
    const release = await a.take('key-1');
    expect(release).toBeDefined();
    expect(await b.take('key-1')).toBeUndefined();
    expect(await b.take('key-2')).toBeDefined();
    release!();
    await sleep(50);
    expect(await b.take('key-1')).toBeDefined();
  });

  it('frees the seats of a process that stopped renewing them (it died) after three heartbeats', async () => {
    const [dead, alive] = [processOf(), processOf()];
    expect(await dead.take('key-3')).toBeDefined();
    expect(await alive.take('key-3')).toBeUndefined();
    await sleep(3 * HEARTBEAT_MS + 100);
    expect(await alive.take('key-3')).toBeDefined();
  });

  it('keeps renewed seats past their first lease', async () => {
    const [holder, other] = [processOf(), processOf()];
    expect(await holder.take('key-4')).toBeDefined();
    for (let i = 0; i < 6; i++) {
      await sleep(HEARTBEAT_MS);
      await holder.renew();
    }
    expect(await other.take('key-4')).toBeUndefined();
  });

  it("admits within the process's own count when Redis does not answer", async () => {
    const cut = processOf('redis://127.0.0.1:1/0');
    expect(await cut.take('key-5')).toBeDefined();
    expect(await cut.take('key-5')).toBeUndefined();
  });
});
