/**
 * Subscribers and writers of the event-stream benchmark: SSE clients of the app, Redis
 * subscribers of the raw baseline, and a writer loop that tags every write with a sequence number
 * so each delivery can be matched to the moment its write was sent.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';

/** Collects, per subscriber, when each sequence number arrived. */
export class Deliveries {
  constructor() {
    this.sentAt = new Map();
    this.latencies = [];
    this.count = 0;
    this.last = 0;
  }

  sent(seq) {
    this.sentAt.set(seq, performance.now());
  }

  delivered(seq) {
    const now = performance.now();
    const sent = this.sentAt.get(seq);
    if (sent === undefined) return;
    this.latencies.push(now - sent);
    this.count++;
    this.last = now;
  }
}

/** The sequence number a writer put in the agent's name (`bench-<seq>`). */
export function sequenceOf(name) {
  const match = /^bench-(\d+)$/.exec(name ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Opens one SSE subscriber of the app; resolves once its `ready` frame arrived. */
export function openSseSubscriber(url, headers, deliveries) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith('event: ready')) resolve({ close: () => req.destroy() });
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (!data || frame.startsWith('event: ')) continue;
          deliveries.delivered(sequenceOf(JSON.parse(data.slice(6)).payload?.name));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens one Redis subscriber of the raw baseline. */
export async function openRedisSubscriber(url, channel, deliveries) {
  const redis = new IORedis(url, { maxRetriesPerRequest: null });
  redis.on('message', (_channel, message) => deliveries.delivered(sequenceOf(JSON.parse(message).name)));
  await redis.subscribe(channel);
  return { close: () => redis.disconnect() };
}

/**
 * Writes for `seconds`: `concurrency` loops as fast as they go, or paced to `ratePerSecond` in
 * total when given. `write(seq)` performs one write; returns how many were made.
 */
export async function writeLoad({ seconds, concurrency, ratePerSecond, deliveries, write }) {
  const stopAt = performance.now() + seconds * 1000;
  const started = performance.now();
  let next = 0;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const seq = next++;
      if (ratePerSecond) {
        const due = started + (seq * 1000) / ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= stopAt) return;
      }
      deliveries.sent(seq);
      await write(seq);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { written: deliveries.sentAt.size, started };
}

/** Waits until every write reached every subscriber, or `timeoutMs` passed; returns whether it did. */
export async function drained(deliveries, subscribers, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (deliveries.count >= deliveries.sentAt.size * subscribers) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
