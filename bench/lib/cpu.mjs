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

function totalTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  return line.trim().split(/\s+/).slice(1).reduce((sum, n) => sum + Number(n), 0);
}

/** A point-in-time reading; `since(before)` gives the share of all CPUs used by unrelated processes in between. */
export function cpuSnapshot() {
  try {
    return { processes: readProcesses(), total: totalTicks() };
  } catch {
    return undefined;
  }
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

/** Fraction (0-1) of the machine's CPU time between the snapshots used by processes outside this bench. */
export function foreignShare(before, after) {
  if (!before || !after) return undefined;
  const elapsed = after.total - before.total;
  if (elapsed <= 0) return undefined;
  let foreign = 0;
  for (const [pid, entry] of after.processes) {
    if (isOurs(pid, after.processes) || SHARED_SERVICES.has(entry.comm)) continue;
    foreign += entry.ticks - (before.processes.get(pid)?.ticks ?? 0);
  }
  return Math.max(0, foreign) / elapsed;
}
