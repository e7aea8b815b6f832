// Load steps against the running system: the camera fleet publishes at a target rate for a fixed
// time while the benchmark watches the READS consumer's backlog, the consoles time every hit from
// the camera's read time to the frame's arrival, and /proc says what each process used.
// A step is *sustained* when the fleet reached ≥ 95% of the target and the backlog at the end was
// at most one second of reads: a pipeline that keeps up holds a bounded backlog (one storage batch
// in flight); one that does not falls further behind every second.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HITS_STREAM, PIPELINE_CONSUMER, READS_STREAM, type Counter } from '../../ingest/index.js';
import type { ConsoleFleet, LatencyPercentiles } from './consoles.js';
import type { CameraFleet } from './fleet.js';
import { ProcessMeter, type ProcUsage } from './proc-stats.js';

export const SUSTAINED_SHARE_OF_TARGET = 0.95;
export const SUSTAINED_BACKLOG_SECONDS = 1;
const POLL_MS = 500;
const DRAIN_TIMEOUT_MS = 120_000;

export interface StepResult {
  phase: 'ramp' | 'fixed';
  targetRate: number;
  /** Reads/s the fleet actually published. */
  publishedRate: number;
  /** Reads/s stored and acknowledged by the pipeline during the step. */
  processedRate: number;
  /** READS consumer backlog (pending + unacknowledged) at the end of the step, and the most seen. */
  backlogEnd: number;
  backlogMax: number;
  sustained: boolean;
  /** Why a step was not sustained: the backlog grew, or the fleet could not publish that fast here. */
  limitedBy: 'none' | 'backlog' | 'fleet';
  /** Hits the pipeline published to HITS during the step (and its drain). */
  hitsPublished: number;
  /** Hit frames received over all consoles, against hits published × consoles (every console sees every hit). */
  framesReceived: number;
  framesExpected: number;
  /** Hits received per console, and per second. */
  hitsPerConsole: number;
  hitsPerSecond: number;
  /** Hit frames delivered to all consoles per second. */
  deliveriesPerSecond: number;
  /** Camera publish (read ts) → hit frame received on a console, over every console. */
  latency: LatencyPercentiles;
  /** Per process role: cores busy on average and peak RSS. */
  processes: Record<string, ProcUsage>;
  seconds: number;
}

export interface LoadContext {
  nc: NatsConnection;
  fleet: CameraFleet;
  consoles: ConsoleFleet;
  /** The in-process pipeline worker's acknowledged-reads counter. */
  acked: Counter;
  /** Process ids per role, for the CPU and memory figures. */
  pids: ReadonlyMap<string, readonly number[]>;
  progress: (line: string) => void;
}

async function backlog(jsm: JetStreamManager): Promise<number> {
  const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
  return info.num_pending + info.num_ack_pending;
}

export async function waitForDrain(jsm: JetStreamManager, timeoutMs = DRAIN_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await backlog(jsm)) > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export async function runStep(ctx: LoadContext, phase: StepResult['phase'], rate: number, seconds: number): Promise<StepResult> {
  const jsm = await jetstreamManager(ctx.nc);
  if (!(await waitForDrain(jsm))) ctx.progress('warning: the previous step\'s backlog did not drain in time');
  await ctx.consoles.measure({ latencyFrom: 'readTs' });
  const meter = new ProcessMeter(ctx.pids);
  meter.start();
  const acked0 = ctx.acked.get();
  const hits0 = (await jsm.streams.info(HITS_STREAM)).state.messages;
  const started = performance.now();
  let running = true;
  const published = ctx.fleet.run(rate, seconds).finally(() => {
    running = false;
  });
  let backlogMax = 0;
  while (running) {
    await Promise.race([published.catch(() => {}), new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    backlogMax = Math.max(backlogMax, await backlog(jsm));
    meter.sample();
  }
  const report = await published;
  const elapsed = (performance.now() - started) / 1000;
  const backlogEnd = await backlog(jsm);
  const processedRate = (ctx.acked.get() - acked0) / elapsed;
  const usage = meter.stop();
  backlogMax = Math.max(backlogMax, backlogEnd);
  // Let the backlog clear so every hit of the step reaches the consoles before they report.
  await waitForDrain(jsm);
  // Hits are published before their reads are stored and acked, so by now every hit is on its
  // way; a second covers the gateway's hop even on a loaded machine.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const seen = await ctx.consoles.finish(false);
  const hitsPublished = (await jsm.streams.info(HITS_STREAM)).state.messages - hits0;
  const publishedRate = (report.published - report.refused) / report.seconds;
  const fleetKeptUp = publishedRate >= SUSTAINED_SHARE_OF_TARGET * rate;
  const backlogBounded = backlogEnd <= Math.max(500, rate * SUSTAINED_BACKLOG_SECONDS);
  const result: StepResult = {
    phase,
    targetRate: rate,
    publishedRate,
    processedRate,
    backlogEnd,
    backlogMax,
    sustained: fleetKeptUp && backlogBounded,
    limitedBy: !backlogBounded ? 'backlog' : !fleetKeptUp ? 'fleet' : 'none',
    hitsPublished,
    framesReceived: seen.frames,
    framesExpected: hitsPublished * ctx.consoles.count,
    hitsPerConsole: seen.frames / ctx.consoles.count,
    hitsPerSecond: seen.frames / ctx.consoles.count / elapsed,
    deliveriesPerSecond: seen.frames / elapsed,
    latency: seen.latency,
    processes: Object.fromEntries(usage),
    seconds: elapsed,
  };
  ctx.progress(
    `${phase} ${rate} reads/s: published ${Math.round(publishedRate)}/s, stored ${Math.round(processedRate)}/s, backlog ${backlogEnd}, ` +
      `${hitsPublished} hits → ${seen.frames} frames, p99 ${seen.latency.p99.toFixed(1)} ms → ${result.sustained ? 'sustained' : `not sustained (${result.limitedBy})`}`,
  );
  return result;
}

/** Raises the rate by `factor` until a step is not sustained, then bisects between the last two. */
export async function ramp(ctx: LoadContext, options: { start: number; factor: number; maxSteps: number; bisections: number; seconds: number }): Promise<{ steps: StepResult[]; highestSustained: number }> {
  const steps: StepResult[] = [];
  let good = 0;
  let bad: number | undefined;
  let rate = options.start;
  for (let i = 0; i < options.maxSteps; i++) {
    const step = await runStep(ctx, 'ramp', rate, options.seconds);
    steps.push(step);
    if (!step.sustained) {
      bad = rate;
      break;
    }
    good = rate;
    rate = Math.round((rate * options.factor) / 500) * 500;
  }
  for (let i = 0; i < options.bisections && bad !== undefined; i++) {
    const mid = Math.round((good + bad) / 2 / 250) * 250;
    if (mid <= good || mid >= bad) break;
    const step = await runStep(ctx, 'ramp', mid, options.seconds);
    steps.push(step);
    if (step.sustained) good = mid;
    else bad = mid;
  }
  return { steps, highestSustained: good };
}
