/**
 * CPU seconds per process, read from /proc: a service's (the process listening on its port and its
 * children), every process's, and this one's. Linux only, as the benchmarks are.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used, from /proc; with `reaped`, also what its children
 * that have ended used (a Postgres backend's CPU moves to the postmaster's count when it exits).
 */
export function cpuSeconds(pid: number, reaped = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  let ticks = Number(fields[11]) + Number(fields[12]);
  if (reaped) ticks += Number(fields[13]) + Number(fields[14]);
  return ticks / 100;
}

/** The process listening on 127.0.0.1:`port` (of several holding the socket, the parent). */
function listenerPid(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address ends in :PORT, state 0A is LISTEN, field 9 the socket's inode.
      if (f.length > 9 && f[1]!.endsWith(hex) && f[3] === '0A') inodes.add(`socket:[${f[9]!}]`);
    }
  }
  const holders = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fds = readdirSync(`/proc/${entry}/fd`);
      if (fds.some((fd) => inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`)))) {
        holders.set(Number(entry), parentOf(Number(entry)));
      }
    } catch {
      // the process ended while we looked, or its fds are not ours to read
    }
  }
  for (const [pid, parent] of holders) if (!holders.has(parent)) return pid;
  throw new Error(`no process found listening on port ${port}`);
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
}

/**
 * CPU seconds used so far by the service listening on `port` — the Kafka JVM, or PostgreSQL's
 * postmaster with its server processes and backends (live, and those that ended) — and only it,
 * whatever else runs on the machine (the test suites' own Kafka and Postgres, say).
 */
export function serviceCpu(port: number): () => number {
  const root = listenerPid(port);
  return () => {
    let total = cpuSeconds(root, true);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (parentOf(Number(entry)) === root) total += cpuSeconds(Number(entry));
      } catch {
        // the process ended while we looked (its CPU is now the root's `reaped`)
      }
    }
    return total;
  };
}

/**
 * CPU seconds used so far by every process on the machine, and by the children each has reaped:
 * with the processes measured here subtracted, what others took. (Summed from the processes, as
 * the services are, rather than read from /proc/stat, whose tick-sampled totals do not agree with
 * per-process counts on this VM.)
 */
export function allProcessesCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      total += cpuSeconds(Number(entry), true);
    } catch {
      // the process ended while we looked (its CPU is now its parent's `reaped`)
    }
  }
  return total;
}

/** This process's CPU seconds (the sender and the recording hub). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
