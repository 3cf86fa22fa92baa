import autocannon from 'autocannon';

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * A fixed-body POST load: `warmupSeconds` unmeasured, then `seconds` measured, at `connections`
 * keep-alive connections without pipelining. Requests/s counts only 2xx answers.
 */
export async function measurePost({ url, body, headers = {}, connections, seconds, warmupSeconds }) {
  const options = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    pipelining: 1,
    timeout: 10,
  };
  if (warmupSeconds > 0) await run({ ...options, duration: warmupSeconds });
  const result = await run({ ...options, duration: seconds });
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

/** One request, checked, so a misconfigured target fails loudly instead of being measured. */
export async function probe(url, { body, headers = {}, expectStatus = 201 }) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  if (response.status !== expectStatus) throw new Error(`POST ${url} answered ${response.status}, expected ${expectStatus}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** `runs` sequential POSTs of the same body; returns per-request durations in milliseconds. */
export async function sequentialPosts(url, { body, headers = {}, runs, warmups, expectStatus = 201 }) {
  const post = async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await response.text();
    if (response.status !== expectStatus) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  };
  for (let i = 0; i < warmups; i++) await post();
  const durations = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await post();
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return durations;
}
