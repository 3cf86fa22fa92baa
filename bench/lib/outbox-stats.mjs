/**
 * Small numeric helpers of the outbox benchmark: drain rates from completion timestamps,
 * latency percentiles, and where the CPU went during a measurement.
 */
import { cpuSnapshot, unaccountedTicks } from './cpu.mjs';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1],
    min: sorted[0],
  };
}

/**
 * Items completed per second from completion times in milliseconds (any order): from the
 * completion of item `skip` (the first ones are the warm-up) to the last one.
 */
export function drainRate(times, warmupShare) {
  const sorted = Float64Array.from(times).sort();
  const skip = Math.min(sorted.length - 2, Math.floor(sorted.length * warmupShare));
  const first = sorted[skip];
  const last = sorted[sorted.length - 1];
  const spanMs = last - first;
  return {
    rate: spanMs > 0 ? (sorted.length - 1 - skip) / (spanMs / 1000) : NaN,
    skipped: skip,
    measured: sorted.length - 1 - skip,
    spanMs,
    overallRate: sorted.length > 1 && last > sorted[0] ? (sorted.length - 1) / ((last - sorted[0]) / 1000) : NaN,
    totalMs: last - sorted[0],
  };
}

/**
 * Where the CPU went between two snapshots of `cpuSnapshot()`, per group, as a share of ALL cpus
 * (1.0 = every cpu busy the whole time). `groups` maps a label to a pid (that process and its
 * descendants) or to a process name (`comm`, e.g. 'postgres'); the rest, and processes that exited
 * in between, is "other".
 */
export function cpuBreakdown(before, after, groups) {
  if (!before || !after) return undefined;
  const elapsed = after.total - before.total;
  if (elapsed <= 0) return undefined;
  const byPid = Object.entries(groups).filter(([, key]) => typeof key === 'number');
  const byName = Object.entries(groups).filter(([, key]) => typeof key === 'string');
  const shares = Object.fromEntries(Object.keys(groups).map((label) => [label, 0]));
  // Processes that exited in between are gone from the readings but not from the machine's busy time.
  shares.other = unaccountedTicks(before, after);
  const descendsFrom = (pid, root) => {
    for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
      if (current === root) return true;
      current = after.processes.get(current)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, entry] of after.processes) {
    const ticks = entry.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (ticks <= 0) continue;
    const named = byName.find(([, comm]) => entry.comm === comm);
    // The deepest matching pid wins (a worker is a child of the bench process, say).
    const owners = byPid.filter(([, root]) => descendsFrom(pid, root));
    let label = named?.[0];
    if (!label && owners.length > 0) {
      label = owners.reduce((best, candidate) => (descendsFrom(candidate[1], best[1]) ? candidate : best))[0];
    }
    shares[label ?? 'other'] += ticks;
  }
  for (const label of Object.keys(shares)) shares[label] /= elapsed;
  return shares;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds the processes `pids` (and their descendants) used between two snapshots, per
 * item: unlike a rate or a share of the machine, it barely moves when other work loads the machine.
 */
export function cpuMsPerItem(before, after, pids, items) {
  if (!before || !after || items <= 0) return NaN;
  const roots = new Set(pids);
  const within = (pid) => {
    for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
      if (roots.has(current)) return true;
      current = after.processes.get(current)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, entry] of after.processes) if (within(pid)) ticks += Math.max(0, entry.ticks - (before.processes.get(pid)?.ticks ?? 0));
  return (ticks * 1000) / TICKS_PER_SECOND / items;
}

export function describeCpu(shares, cpus) {
  if (!shares) return 'cpu use: n/a';
  const parts = Object.entries(shares).map(([label, share]) => `${label} ${Math.round(share * cpus * 100)}%`);
  return `cpu use in % of one cpu (${cpus} cpus = ${cpus * 100}%): ${parts.join(', ')}`;
}

export { cpuSnapshot };
