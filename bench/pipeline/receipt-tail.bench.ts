// Where the pipeline's read→receipt tail comes from (issue 4, p99 read→hit ≤ 5 ms): the same camera
// fleet (5,000 reads/s, acked publishes, its own process) into a running system, with read→receipt
// timed for every read at two places in the pipeline's process:
//   - a core NATS queue subscription on alpr.reads.> (a read as nats-server receives it, before
//     the READS stream stores it: what a fast hit path in front of the stream would see);
//   - the pipeline worker's hand-off to storage (a read after its pull, as the durable path sees it).
// Phases: no worker pulling at all; a worker whose storage is a no-op; a worker on embedded chDB.
//
//   node --import tsx bench/pipeline/receipt-tail.bench.ts [--seconds 10] [--rounds 2]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { acceptOnly } from '../storage/machine.js';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { embeddedNatsAuthFile, readEmbeddedNatsAuth } from '../../bin/embedded-nats-auth.js';
import { detectionSink, startSystem, type RunningSystem } from '../../bin/system.js';
import { createPipelineMetrics, decodeReadMessage, MetricsRegistry, PipelineWorker, READS_STREAM, type DetectionSink } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { LatencySample, type LatencySummary } from './latency-sample.js';

type Phase = 'no worker' | 'worker, no-op storage' | 'worker, chDB';
const RATE = 5000;
const logger = pino({ level: 'warn' });

async function phase(system: RunningSystem, kind: Phase, seconds: number): Promise<{ early: LatencySummary; pulled: LatencySummary | undefined; loopP99: number }> {
  // A phase without a worker leaves its reads on READS: the next phase starts on an empty stream.
  await (await jetstreamManager(system.nc)).streams.purge(READS_STREAM);
  const early = new LatencySample();
  const pulled = new LatencySample();
  const sub = system.nc.subscribe('alpr.reads.>', { queue: 'receipt-tail', callback: (_e, m) => {
    const now = Date.now();
    for (const read of decodeReadMessage(m.data, undefined, 'bench', now).reads) early.add(read.ts, now);
  } });
  await system.nc.flush();
  const stored = detectionSink(system.writer);
  const sink: DetectionSink = {
    enqueue: (reads) => {
      const now = Date.now();
      for (const read of reads) pulled.add(read.ts, now);
      return kind === 'worker, chDB' ? stored.enqueue(reads) : Promise.resolve({ durable: Promise.resolve() });
    },
  };
  const worker = kind === 'no worker' ? undefined : new PipelineWorker({ js: system.js, matcher: system.matcher, sink, metrics: createPipelineMetrics(new MetricsRegistry()), logger });
  await worker?.start();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const fleet = spawn(process.execPath, ['--import', 'tsx', new URL('./camera-fleet.ts', import.meta.url).pathname, system.natsUrl, String(RATE), String(seconds), '[]', 'bench'], { stdio: ['ignore', 'ignore', 'inherit'], env: fleetEnv });
  await new Promise<void>((resolve, reject) => fleet.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`camera fleet exited with ${code}`)))));
  await new Promise((r) => setTimeout(r, 500));
  loop.disable();
  await worker?.stop();
  sub.unsubscribe();
  return { early: early.summary(), pulled: worker === undefined ? undefined : pulled.summary(), loopP99: loop.percentile(99) / 1e6 };
}

acceptOnly('Usage: node --import tsx bench/pipeline/receipt-tail.bench.ts [--seconds 10] [--rounds 2]\nRead → receipt latency in ms, before and after the pull.', ['seconds', 'rounds']);
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const dir = mkdtempSync(join(tmpdir(), 'platewatch-receipt-tail-'));
const load = loadavg()[0]!.toFixed(2);
const system = await startSystem({ dataDir: dir, matcher: resolveMatcherConfig(), logger, pipeline: false, gateway: false });
// The fleet connects as cameras do on the embedded server (bin/embedded-nats-auth.ts).
const camera = (await readEmbeddedNatsAuth(embeddedNatsAuthFile(dir)))?.camera;
const fleetEnv = camera === undefined ? process.env : { ...process.env, NATS_USER: camera.user, NATS_PASSWORD: camera.password };
const rows: string[] = [];
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const kind of ['no worker', 'worker, no-op storage', 'worker, chDB'] as const) {
      const r = await phase(system, kind, seconds);
      const cell = (s: LatencySummary | undefined): string => (s === undefined ? '—' : `${s.p50} / ${s.p99} / ${s.steadyP99} / ${s.max}`);
      rows.push(`| ${round} | ${kind} | ${cell(r.early)} | ${cell(r.pulled)} | ${r.loopP99.toFixed(1)} ms |`);
    }
  }
} finally {
  await system.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Command: \`node --import tsx bench/pipeline/receipt-tail.bench.ts --seconds ${seconds} --rounds ${values.rounds}\` · ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.version}, nats-server (Debian), embedded chDB, camera fleet in its own process on the same machine; load average at start ${load}.\n`);
console.log(`| round | ${RATE.toLocaleString('en-US')} reads/s for ${seconds} s | read → core subscription (before the stream): p50 / p99 / p99 steady / max ms | read → worker's hand-off to storage (after the pull): p50 / p99 / p99 steady / max ms | event loop delay p99 |`);
console.log('|---|---|---:|---:|---:|');
for (const row of rows) console.log(row);
