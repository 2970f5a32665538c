/**
 * Linux /proc readings for the benchmark: resident memory (VmRSS) and CPU time of a process or a
 * process tree, sampled on a timer so that the peak is kept, and the process that listens on a TCP
 * port (to find the Temporal server, Postgres and the simulator without knowing how they started).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Kernel clock ticks per second for utime/stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** VmRSS of a process in bytes, or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process: its own user + system time plus that of the children it reaped. */
function ownCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return ticks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone, or no permission
  }
  return out;
}

/**
 * CPU seconds of a process and all its live descendants (a reaped child's time is in its parent's
 * cutime/cstime, so nothing is counted twice). Postgres backends are children of the postmaster.
 */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  const stack = [pid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    total += ownCpuSeconds(p);
    stack.push(...childrenOf(p));
  }
  return total;
}

/** The pid of the process listening on 127.0.0.1/0.0.0.0/[::]:port, when this user can see it. */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = Number.parseInt(cols[1].split(':')[1] ?? '', 16);
      if (localPort === port && cols[3] === '0A') inodes.add(cols[9]); // 0A = LISTEN
    }
  }
  if (inodes.size === 0) return undefined;
  let procs: string[];
  try {
    procs = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of procs) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** Samples a process's VmRSS every `intervalMs` and keeps the peak. */
export class RssSampler {
  peakBytes = 0;
  samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => number | undefined,
    private readonly intervalMs = 200,
  ) {}

  static ofPid(pid: number, intervalMs = 200): RssSampler {
    return new RssSampler(() => rssBytes(pid), intervalMs);
  }

  sample(): void {
    const value = this.read();
    if (value === undefined) return;
    this.samples += 1;
    if (value > this.peakBytes) this.peakBytes = value;
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops sampling (after one last sample) and returns the peak in bytes. */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peakBytes;
  }
}

/** CPU seconds used by a set of named processes (trees) between start() and stop(). */
export class CpuMeter {
  private readonly before = new Map<string, number>();

  constructor(private readonly processes: Map<string, () => number>) {}

  start(): this {
    for (const [name, read] of this.processes) this.before.set(name, read());
    return this;
  }

  stop(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, read] of this.processes) out[name] = Math.max(0, read() - (this.before.get(name) ?? 0));
    return out;
  }
}

export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
