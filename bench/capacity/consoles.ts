// The benchmark's console sockets: the raw RFC 6455 clients of the fan-out benchmark
// (bench/gateway/console-clients.ts) in a few forked processes, driven over IPC. They connect to
// the gateway with a real session token, or to the raw uWebSockets.js broadcaster for the ceiling.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LatencyHistogram } from '../gateway/latency.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';

type ClientReport = { started?: true; ready?: number; frames?: number; done?: true; latency?: Array<[number, number]>; cpuMs?: number; measuring?: true; closed?: true; error?: string };

const STEP_TIMEOUT_MS = 60_000;

class ConsoleProcess {
  readonly #reports: ClientReport[] = [];
  readonly #wakers = new Set<() => void>();
  frames = 0;
  error: string | undefined;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: ClientReport) => {
      if (m.error !== undefined) this.error = m.error;
      if (m.frames !== undefined) this.frames = Math.max(this.frames, m.frames);
      this.#reports.push(m);
      for (const wake of this.#wakers) wake();
    });
  }

  send(command: object): void {
    this.child.send(command);
  }

  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#wakers.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  async waitFor(what: string, test: (r: ClientReport) => boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<ClientReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#reports.findIndex(test);
      if (i >= 0) return this.#reports.splice(i, 1)[0] as ClientReport;
      if (this.error !== undefined) throw new BenchError(BENCH_ERROR_CODES.consolesFailed, `consoles: ${this.error}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new BenchError(BENCH_ERROR_CODES.consolesFailed, `consoles: timed out waiting for ${what}`);
      await this.changed(Math.min(left, 1000));
    }
  }
}

/** Milliseconds, upper bounds of 0.05 ms buckets. */
export interface LatencyPercentiles {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ConsoleMeasurement {
  frames: number;
  latency: LatencyPercentiles;
}

export class ConsoleFleet {
  readonly #processes: ConsoleProcess[];

  private constructor(readonly count: number, processes: ConsoleProcess[]) {
    this.#processes = processes;
  }

  static async start(count: number, processes: number): Promise<ConsoleFleet> {
    const script = fileURLToPath(new URL('../gateway/console-clients.ts', import.meta.url));
    const fleet = new ConsoleFleet(count, Array.from({ length: processes }, () => new ConsoleProcess(fork(script, [], { execArgv: ['--import', 'tsx'] }))));
    await Promise.all(fleet.#processes.map((p) => p.waitFor('consoles process', (r) => r.started === true)));
    return fleet;
  }

  get pids(): number[] {
    return this.#processes.map((p) => p.child.pid ?? -1);
  }

  get frames(): number {
    return this.#processes.reduce((n, p) => n + p.frames, 0);
  }

  #share(i: number): number {
    return Math.floor(this.count / this.#processes.length) + (i < this.count % this.#processes.length ? 1 : 0);
  }

  /** Opens every socket on `port` and subscribes it (no filter); resolves once each has its replay. */
  async connect(port: number, token: string): Promise<void> {
    await Promise.all(this.#processes.map(async (p, i) => {
      p.send({ cmd: 'connect', port, count: this.#share(i), token });
      await p.waitFor('consoles subscribed', (r) => r.ready !== undefined);
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.#processes.map(async (p) => {
      p.send({ cmd: 'close' });
      await p.waitFor('consoles closed', (r) => r.closed === true);
    }));
  }

  /**
   * Starts counting (and timing, from `latencyFrom`) hit frames. `expectedPerConsole` ends the
   * measurement by itself once that many arrived; progress is reported every `reportEveryPerConsole`.
   */
  async measure(options: { expectedPerConsole?: number; reportEveryPerConsole?: number; latencyFrom?: 'publishedAt' | 'readTs' }): Promise<void> {
    await Promise.all(this.#processes.map(async (p, i) => {
      p.frames = 0;
      const share = this.#share(i);
      p.send({
        cmd: 'measure',
        expectedFrames: options.expectedPerConsole === undefined ? Number.MAX_SAFE_INTEGER : options.expectedPerConsole * share,
        reportEvery: options.reportEveryPerConsole === undefined ? Number.MAX_SAFE_INTEGER : options.reportEveryPerConsole * share,
        latency: options.latencyFrom !== undefined,
        latencyFrom: options.latencyFrom ?? 'publishedAt',
      });
      await p.waitFor('measure', (r) => r.measuring === true);
    }));
  }

  /** Waits until `frames` hit frames arrived across all consoles (progress reports). */
  async waitForFrames(frames: number, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames < frames) {
      if (Date.now() > deadline) throw new BenchError(BENCH_ERROR_CODES.consolesFailed, `consoles: only ${this.frames} of ${frames} frames arrived`);
      await Promise.race(this.#processes.map((p) => p.changed(100)));
    }
  }

  /** Ends the measurement now (or waits for the expected count) and merges what each process saw. */
  async finish(waitForExpected: boolean): Promise<ConsoleMeasurement> {
    const reports = await Promise.all(this.#processes.map(async (p) => {
      if (waitForExpected) {
        try {
          return await p.waitFor('measurement', (r) => r.done === true);
        } catch {
          // Fall through: ask for what arrived.
        }
      }
      p.send({ cmd: 'finish' });
      return p.waitFor('measurement report', (r) => r.done === true);
    }));
    const histogram = new LatencyHistogram();
    for (const r of reports) histogram.addPairs(r.latency ?? []);
    const latency = { samples: histogram.samples, p50: histogram.quantile(0.5), p95: histogram.quantile(0.95), p99: histogram.quantile(0.99), max: histogram.quantile(1) };
    return { frames: reports.reduce((n, r) => n + (r.frames ?? 0), 0), latency };
  }

  stop(): void {
    for (const p of this.#processes) p.child.kill();
  }
}
