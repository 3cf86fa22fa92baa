import { readdirSync, readFileSync } from 'node:fs';

/** Database servers this bench drives; their CPU is part of what is measured, not interference. */
const SHARED_SERVICES = new Set(['postgres', 'redis-server']);

function readProcesses() {
  const processes = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
      processes.set(Number(entry), { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return processes;
}

/** All cpu ticks of the machine so far, and the idle ones among them (idle and iowait). */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: fields.reduce((sum, n) => sum + n, 0), idle: fields[3] + (fields[4] ?? 0) };
}

/**
 * A point-in-time reading of every process and of the machine's busy time. Busy time also holds
 * processes that exited between two readings (a test runner's short-lived workers, say), which
 * per-process ticks miss.
 */
export function cpuSnapshot() {
  try {
    const { total, idle } = machineTicks();
    return { processes: readProcesses(), total, busy: total - idle };
  } catch {
    return undefined;
  }
}

/** Busy ticks between two snapshots that no process alive at the second one accounts for (exited processes). */
export function unaccountedTicks(before, after) {
  let accounted = 0;
  for (const [pid, entry] of after.processes) accounted += Math.max(0, entry.ticks - (before.processes.get(pid)?.ticks ?? 0));
  return Math.max(0, after.busy - before.busy - accounted);
}

function isOurs(pid, processes) {
  for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
    if (current === process.pid) return true;
    const entry = processes.get(current);
    if (!entry) return false;
    current = entry.ppid;
  }
  return false;
}

/** Fraction (0-1) of the machine's CPU time between the snapshots used by processes outside this bench (exited ones included). */
export function foreignShare(before, after) {
  if (!before || !after) return undefined;
  const elapsed = after.total - before.total;
  if (elapsed <= 0) return undefined;
  let foreign = unaccountedTicks(before, after);
  for (const [pid, entry] of after.processes) {
    if (isOurs(pid, after.processes) || SHARED_SERVICES.has(entry.comm)) continue;
    foreign += entry.ticks - (before.processes.get(pid)?.ticks ?? 0);
  }
  return Math.max(0, foreign) / elapsed;
}
