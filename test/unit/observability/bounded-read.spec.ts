import { register } from 'prom-client';
import { BoundedRead } from '../../../src/common/observability/bounded-read';

async function failures(collector: string, reason: string): Promise<number> {
  const metric = await register.getSingleMetric('agent_ledger_metrics_collector_failures_total')!.get();
  return metric.values.find((v) => v.labels.collector === collector && v.labels.reason === reason)?.value ?? 0;
}

describe('BoundedRead', () => {
  it('reads once for concurrent callers and reuses a fresh value', async () => {
    let reads = 0;
    const read = new BoundedRead(async () => ++reads, { name: 'unit_shared', maxAgeMs: 60_000 });
    expect(await Promise.all([read.value(), read.value(), read.value()])).toEqual([1, 1, 1]);
    expect(await read.value()).toBe(1);
    expect(reads).toBe(1);
  });

  it('answers a read that never settles with nothing at first, then with the last value, counting each timeout', async () => {
    let hang = false;
    let n = 0;
    const read = new BoundedRead(() => (hang ? new Promise<number>(() => undefined) : Promise.resolve(++n)), { name: 'unit_hang', maxAgeMs: 0, timeoutMs: 20 });
    hang = true;
    expect(await read.value()).toBeUndefined();
    expect(await failures('unit_hang', 'timeout')).toBe(1);

    hang = false;
    const fresh = new BoundedRead(() => (hang ? new Promise<number>(() => undefined) : Promise.resolve(++n)), {
      name: 'unit_hang',
      maxAgeMs: 0,
      timeoutMs: 20,
    });
    expect(await fresh.value()).toBe(1);
    hang = true;
    expect(await fresh.value()).toBe(1);
    expect(await failures('unit_hang', 'timeout')).toBe(2);
  });

  it('keeps the last value when a read fails, counts the error, and recovers', async () => {
    let fail = false;
    let n = 0;
    const read = new BoundedRead(
      async () => {
        if (fail) throw new Error('connection refused');
        return ++n;
      },
      { name: 'unit_error', maxAgeMs: 0 },
    );
    expect(await read.value()).toBe(1);
    fail = true;
    expect(await read.value()).toBe(1);
    expect(await failures('unit_error', 'error')).toBe(1);
    expect(await failures('unit_error', 'timeout')).toBe(0);
    fail = false;
    expect(await read.value()).toBe(2);
  });
});
