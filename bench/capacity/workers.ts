// Scale-out on NATS, measured: one and then two pipeline worker processes on the one durable
// consumer, draining the same-sized backlog. Embedded chDB binds one directory per process, so
// each process stores into its own chDB directory — the shape of two workers writing to two
// shards of a ClickHouse cluster, on one machine. A second mode drops detections instead of
// storing them, to show the NATS + decode + match + hits + ack stage alone.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PIPELINE_CONSUMER, READS_STREAM, readsSubject } from '../../ingest/index.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import type { WorkerCommand, WorkerMessage, WorkerSetup } from './worker-process.js';

export interface ScaleOutResult {
  /** 'store': the full pipeline, each process with its own chDB; 'match': detections dropped. */
  mode: 'store' | 'match';
  processes: number;
  reads: number;
  readsPerSecond: number;
}

const DRAIN_TIMEOUT_MS = 180_000;

class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #messages: WorkerMessage[] = [];
  #wake: (() => void) | undefined;

  constructor(setup: WorkerSetup) {
    const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
    this.#child = fork(script, [JSON.stringify(setup)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.#child.on('message', (m: WorkerMessage) => {
      this.#messages.push(m);
      this.#wake?.();
    });
    this.#child.on('exit', () => this.#wake?.());
  }

  async request(command: WorkerCommand | null, want: (m: WorkerMessage) => boolean): Promise<WorkerMessage> {
    if (command !== null) this.#child.send(command);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const i = this.#messages.findIndex((m) => want(m) || 'error' in m);
      if (i >= 0) {
        const m = this.#messages.splice(i, 1)[0] as WorkerMessage;
        if ('error' in m) throw new BenchError(BENCH_ERROR_CODES.workerFailed, `worker process: ${m.error}`);
        return m;
      }
      if (this.#child.exitCode !== null) throw new BenchError(BENCH_ERROR_CODES.workerFailed, `worker process exited with ${this.#child.exitCode}`);
      if (Date.now() > deadline) throw new BenchError(BENCH_ERROR_CODES.workerFailed, 'worker process: no answer within 2 minutes');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
  }

  async exit(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.send({ cmd: 'exit' } satisfies WorkerCommand);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
    clearTimeout(timer);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

async function publishBacklog(js: JetStreamClient, messages: readonly Uint8Array[], ids: readonly string[], round: number): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < messages.length; i++) {
    inFlight.push(js.publish(readsSubject('bench', `cam${i % 200}`), messages[i] as Uint8Array, { msgID: `${ids[i]}-r${round}` }));
    if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
}

async function waitForDrain(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline) throw new BenchError(BENCH_ERROR_CODES.notDrained, `backlog not drained: ${info.num_pending} pending, ${info.num_ack_pending} unacked`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Two worker processes, started early (their start-up — tsx, chDB, migrations, hot lists — takes
 * seconds) and idle until `measure`; `ready` resolves once both have the hot lists in force.
 */
export class ScaleOutWorkers {
  readonly #workers: WorkerProcess[];
  readonly ready: Promise<void>;

  constructor(options: { natsUrl: string; dir: string; lists: number }) {
    this.#workers = [0, 1].map((i) => new WorkerProcess({ natsUrl: options.natsUrl, dataDir: join(options.dir, `worker${i}`), lists: options.lists }));
    this.ready = Promise.all(this.#workers.map((w) => w.request(null, (m) => 'ready' in m))).then(() => {});
    this.ready.catch(() => {}); // awaited by measure(); a failure there is the one reported
  }

  /**
   * `messages`: one read each, already packed; the READS consumer must have no other worker.
   * Read ids are suffixed per round so JetStream's duplicate window does not drop a round.
   */
  async measure(options: { nc: NatsConnection; js: JetStreamClient; messages: readonly Uint8Array[]; ids: readonly string[]; progress: (line: string) => void }): Promise<ScaleOutResult[]> {
    const { nc, js, messages } = options;
    await this.ready;
    const results: ScaleOutResult[] = [];
    let round = 0;
    // Untimed warm-up through both processes: the first reads a process handles pay for JIT
    // compilation and chDB's first parts; without it the first timed figure is the slowest.
    const warmUp = Math.max(1, Math.floor(messages.length / 5));
    await publishBacklog(js, messages.slice(0, warmUp), options.ids.slice(0, warmUp), round++);
    await Promise.all(this.#workers.map((w) => w.request({ cmd: 'go', store: true }, (m) => 'started' in m)));
    await waitForDrain(nc);
    for (const w of this.#workers) await w.request({ cmd: 'pause' }, (x) => 'paused' in x);
    for (const mode of ['store', 'match'] as const) {
      for (const processes of [1, 2]) {
        const active = this.#workers.slice(0, processes);
        await publishBacklog(js, messages, options.ids, round++);
        const started = performance.now();
        await Promise.all(active.map((w) => w.request({ cmd: 'go', store: mode === 'store' }, (m) => 'started' in m)));
        await waitForDrain(nc);
        const seconds = (performance.now() - started) / 1000;
        let reads = 0;
        for (const w of active) {
          const m = await w.request({ cmd: 'pause' }, (x) => 'paused' in x);
          if ('paused' in m) reads += m.reads;
        }
        if (reads < messages.length) throw new BenchError(BENCH_ERROR_CODES.workerFailed, `scale-out: the workers saw ${reads} of ${messages.length} reads`);
        results.push({ mode, processes, reads: messages.length, readsPerSecond: messages.length / seconds });
        options.progress(`scale-out ${mode}: ${processes} process${processes === 1 ? '' : 'es'} ${Math.round(messages.length / seconds)} reads/s`);
      }
    }
    return results;
  }

  async exit(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.exit()));
  }
}
