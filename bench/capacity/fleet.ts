// The benchmark's handle on the camera fleet process (fleet-process.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';

export interface FleetSetup {
  natsUrl: string;
  cameras: number;
  /** Share of reads that are listed plates (DESIGN.md: ~0.5%). */
  hitRate: number;
  hotPlates: { plate: string; state?: string }[];
  seed: number;
}

/** What one run published: reads, of which hot, of which refused by JetStream, over the seconds it ran. */
export interface FleetReport {
  published: number;
  hot: number;
  refused: number;
  seconds: number;
}

export type FleetCommand = { cmd: 'setup'; setup: FleetSetup } | { cmd: 'run'; rate: number; seconds: number };
export type FleetMessage = { started: true } | { ready: true } | { done: FleetReport } | { error: string };

export class CameraFleet {
  readonly #child: ChildProcess;
  #waiting: ((m: FleetMessage) => void) | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (m: FleetMessage) => this.#waiting?.(m));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  static async start(setup: FleetSetup): Promise<CameraFleet> {
    const script = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
    const fleet = new CameraFleet(fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    // Sent once the child listens: an IPC message that arrives before its listener is lost.
    await fleet.#next();
    const ready = fleet.#next();
    fleet.#child.send({ cmd: 'setup', setup } satisfies FleetCommand);
    const m = await ready;
    if (!('ready' in m)) throw new BenchError(BENCH_ERROR_CODES.fleetFailed, `camera fleet: ${'error' in m ? m.error : 'unexpected message'}`);
    return fleet;
  }

  /** Publishes at `rate` reads/s for `seconds`; resolves with what was actually published. */
  async run(rate: number, seconds: number): Promise<FleetReport> {
    const reply = this.#next();
    this.#child.send({ cmd: 'run', rate, seconds } satisfies FleetCommand);
    const m = await reply;
    if ('done' in m) return m.done;
    throw new BenchError(BENCH_ERROR_CODES.fleetFailed, `camera fleet: ${'error' in m ? m.error : 'unexpected message'}`);
  }

  stop(): void {
    this.#child.disconnect();
  }

  #next(): Promise<FleetMessage> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new BenchError(BENCH_ERROR_CODES.fleetFailed, `camera fleet exited with ${code}`));
      this.#child.once('exit', onExit);
      this.#waiting = (m) => {
        this.#child.off('exit', onExit);
        this.#waiting = undefined;
        resolve(m);
      };
    });
  }
}
