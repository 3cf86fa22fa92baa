import autocannon from 'autocannon';
import { cpuSnapshot, foreignShare } from './cpu.mjs';

function run(options, onLatency) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    if (onLatency) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Fixed-body POST load on several targets at `connections` keep-alive connections (no pipelining).
 * Each target is warmed up for `warmupSeconds`, then measured in `rounds` slices of `seconds / rounds`,
 * the targets taking turns (in a rotating order) so that interference from the rest of the machine
 * falls on all of them alike. Requests/s and latency percentiles count 2xx answers only.
 */
export async function measureInterleaved({ targets, body, connections, seconds, warmupSeconds, rounds }) {
  const base = { method: 'POST', body, connections, pipelining: 1, timeout: 10 };
  const options = (target) => ({ ...base, url: target.url, headers: { 'content-type': 'application/json', ...target.headers } });
  for (const target of targets) {
    if (warmupSeconds > 0) await run({ ...options(target), duration: warmupSeconds });
  }
  const totals = new Map(targets.map((t) => [t.key, { latencies: [], ok: 0, non2xx: 0, errors: 0, timeouts: 0, seconds: 0, foreign: 0, max: 0 }]));
  const slice = seconds / rounds;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      const total = totals.get(target.key);
      const before = cpuSnapshot();
      const result = await run({ ...options(target), duration: slice }, (ms) => total.latencies.push(ms));
      total.foreign += (foreignShare(before, cpuSnapshot()) ?? 0) * result.duration;
      total.ok += result['2xx'];
      total.non2xx += result.non2xx;
      total.errors += result.errors;
      total.timeouts += result.timeouts;
      total.seconds += result.duration;
      total.max = Math.max(total.max, result.latency.max);
    }
  }
  const summaries = {};
  for (const [key, total] of totals) {
    const sorted = Float64Array.from(total.latencies).sort();
    summaries[key] = {
      requestsPerSecond: total.ok / total.seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: total.max,
      ok: total.ok,
      non2xx: total.non2xx,
      errors: total.errors,
      timeouts: total.timeouts,
      seconds: total.seconds,
      foreignCpu: total.foreign / total.seconds,
    };
  }
  return summaries;
}

/** One request, checked, so a misconfigured target fails loudly instead of being measured. */
export async function probe(url, { body, headers = {}, expectStatus = 201 }) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  if (response.status !== expectStatus) throw new Error(`POST ${url} answered ${response.status}, expected ${expectStatus}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Sends one POST and returns how long it took to the last byte of the answer, in milliseconds. */
export async function timedPost(url, { body, headers = {}, expectStatus = 201 }) {
  const started = process.hrtime.bigint();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== expectStatus) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return elapsed;
}
