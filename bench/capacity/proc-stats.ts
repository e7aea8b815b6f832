// CPU time and resident memory of a process, read from /proc, so every process of the system —
// this one (pipeline, chDB's threads, gateway), nats-server, the camera fleet, the consoles — is
// measured the same way. Linux only: the benchmark reports "n/a" elsewhere rather than guessing.
import { readFileSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every mainstream Linux architecture. */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size (VmRSS). */
  rssBytes: number;
}

/** One reading, or null when /proc cannot tell (process gone, not Linux). */
export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After comm the fields start at 3 (state); utime is field 14 and stime 15.
    const utime = Number(fields[14 - 3]);
    const stime = Number(fields[15 - 3]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!Number.isFinite(utime) || !Number.isFinite(stime) || rss === null) return null;
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: Number(rss[1]) * 1024 };
  } catch {
    return null;
  }
}

/** What one process used over an interval: cores busy on average and the highest RSS seen. */
export interface ProcUsage {
  cores: number;
  maxRssBytes: number;
}

/** Tracks a set of named processes over an interval; `sample()` between start and stop catches RSS peaks. */
export class ProcessMeter {
  readonly #pids: ReadonlyMap<string, readonly number[]>;
  #startCpu = new Map<string, number>();
  #maxRss = new Map<string, number>();
  #startedAt = 0;

  /** `pids`: a name per role; a role may be several processes (two console processes), summed. */
  constructor(pids: ReadonlyMap<string, readonly number[]>) {
    this.#pids = pids;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#maxRss = new Map();
    this.#startCpu = new Map([...this.#pids].map(([name]) => [name, this.#read(name).cpuSeconds]));
  }

  sample(): void {
    for (const [name] of this.#pids) {
      const rss = this.#read(name).rssBytes;
      if (rss > (this.#maxRss.get(name) ?? 0)) this.#maxRss.set(name, rss);
    }
  }

  stop(): Map<string, ProcUsage> {
    this.sample();
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const usage = new Map<string, ProcUsage>();
    for (const [name] of this.#pids) {
      const cpu = this.#read(name).cpuSeconds - (this.#startCpu.get(name) ?? 0);
      usage.set(name, { cores: seconds > 0 ? cpu / seconds : 0, maxRssBytes: this.#maxRss.get(name) ?? 0 });
    }
    return usage;
  }

  #read(name: string): ProcSample {
    let cpuSeconds = 0;
    let rssBytes = 0;
    for (const pid of this.#pids.get(name) ?? []) {
      const s = sampleProcess(pid);
      if (s === null) continue;
      cpuSeconds += s.cpuSeconds;
      rssBytes += s.rssBytes;
    }
    return { cpuSeconds, rssBytes };
  }
}
