// Pipeline throughput and latency (issue 4): sustained reads/s through decode → match → hits →
// chDB → ack, next to the raw JetStream ceiling (consume + decode + ack, no work) measured in the
// same run; and read→hit-published latency at a steady 5,000 reads/s, next to the transport floor
// of the same run: the same camera fleet consumed by a bare pull consumer (decode + ack, nothing
// else running in the process).
//
//   node --import tsx bench/pipeline/pipeline.bench.ts [--quick] [--latency-only] [--in-flight 2]
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import pino from 'pino';
import { embeddedNatsAuthFile, readEmbeddedNatsAuth } from '../../bin/embedded-nats-auth.js';
import { startSystem, type RunningSystem, detectionSink } from '../../bin/system.js';
import {
  createPipelineMetrics,
  createRandom,
  decodeHitMessage,
  decodeReadMessage,
  ensureStreams,
  MetricsRegistry,
  PIPELINE_CONSUMER,
  PipelineWorker,
  READS_STREAM,
  readsSubject,
  simulatedRead,
  type WireRead,
} from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { DEFAULT_INSERTS_IN_FLIGHT } from '../../storage/index.js';
import { drainThroughPipeline, loadBenchList } from './drain.js';
import { LatencySample, type LatencySummary } from './latency-sample.js';
import { acceptOnly } from '../storage/machine.js';

acceptOnly(
  'Usage: node --import tsx bench/pipeline/pipeline.bench.ts [--quick] [--latency-only] [--in-flight 2]\nThroughput in reads/s next to the consume ceiling of the same run; read → hit latency in ms next to the transport floor.',
  ['in-flight'],
  ['quick', 'latency-only'],
);
const quick = process.argv.includes('--quick');
const latencyOnly = process.argv.includes('--latency-only');
// --in-flight N: detection batches the writer inserts at once (StorageConfig.insertsInFlight).
const inFlightAt = process.argv.indexOf('--in-flight');
const inFlight = inFlightAt === -1 ? DEFAULT_INSERTS_IN_FLIGHT : Number(process.argv[inFlightAt + 1]);
if (!Number.isInteger(inFlight) || inFlight < 1) {
  process.stderr.write(`--in-flight must be a whole number of batches, at least 1\n`);
  process.exit(2);
}
const N_SINGLE = quick ? 20_000 : 200_000;
const N_BATCHED = quick ? 100_000 : 1_000_000;
const LATENCY_SECONDS = quick ? 3 : 10;
const packr = new Packr({ useRecords: false });
const logger = pino({ level: 'warn' });

async function publishAll(js: JetStreamClient, subjectFor: (i: number) => string, messages: Uint8Array[], ids: string[]): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < messages.length; i++) {
    inFlight.push(js.publish(subjectFor(i), messages[i]!, { msgID: ids[i]! }));
    if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
}

function makeReads(count: number, seed: number): WireRead[] {
  const random = createRandom(seed);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => simulatedRead(random, { agency: 'bench', camera: `cam${i % 50}`, id: `b${seed}-${i}`, ts: now, misreadRate: 0.05 }));
}

function messagesOf(reads: WireRead[], perMessage: number): { data: Uint8Array[]; ids: string[] } {
  const data: Uint8Array[] = [];
  const ids: string[] = [];
  for (let i = 0; i < reads.length; i += perMessage) {
    const chunk = reads.slice(i, i + perMessage);
    data.push(packr.pack(perMessage === 1 ? chunk[0] : chunk));
    ids.push(`${chunk[0]!.id}+${chunk.length}`);
  }
  return { data, ids };
}

/** Raw ceiling: a stream of the same messages consumed with decode + ack and no other work. */
async function ceiling(system: RunningSystem, data: Uint8Array[], ids: string[], reads: number): Promise<number> {
  const jsm = await jetstreamManager(system.nc);
  const name = `CEILING${Date.now()}`;
  await jsm.streams.add({ name, subjects: [`bench.${name}.>`] });
  await jsm.consumers.add(name, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 50_000 });
  await publishAll(system.js, () => `bench.${name}.x`, data, ids);
  const consumer = await system.js.consumers.get(name, 'c');
  const started = performance.now();
  let n = 0;
  const messages = await consumer.consume({ max_messages: 1000 });
  const now = Date.now();
  for await (const m of messages) {
    decodeReadMessage(m.data, undefined, 'bench', now);
    m.ack();
    if (++n === data.length) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(name);
  return reads / seconds;
}

async function publishAndDrain(system: RunningSystem, workers: number, data: Uint8Array[], ids: string[], reads: number): Promise<number> {
  await publishAll(system.js, (i) => readsSubject('bench', `cam${i % 50}`), data, ids);
  return drainThroughPipeline(system, workers, reads, logger);
}

/** The fleet's environment: the embedded server's camera credentials (bin/embedded-nats-auth.ts). */
let fleetEnv: NodeJS.ProcessEnv = process.env;

async function cameraEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const camera = (await readEmbeddedNatsAuth(embeddedNatsAuthFile(dataDir)))?.camera;
  return camera === undefined ? process.env : { ...process.env, NATS_USER: camera.user, NATS_PASSWORD: camera.password };
}

function runFleet(system: RunningSystem, rate: number, seconds: number, hotPlates: { plate: string }[], agency: string): Promise<void> {
  const fleet = spawn(process.execPath, ['--import', 'tsx', new URL('./camera-fleet.ts', import.meta.url).pathname, system.natsUrl, String(rate), String(seconds), JSON.stringify(hotPlates.map((p) => ({ plate: p.plate }))), agency], { stdio: ['ignore', 'pipe', 'inherit'], env: fleetEnv });
  return new Promise<void>((resolve, reject) => fleet.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`camera fleet exited with ${code}`)))));
}

/**
 * The floor under read→hit latency on this machine: the same fleet at the same rate into READS
 * (under its own agency), taken off by a bare pull consumer that decodes and acks, and timed from
 * the read's `ts` to receipt — the transport alone, with no matching, hits or storage.
 */
async function transportFloor(system: RunningSystem, rate: number, seconds: number): Promise<LatencySummary> {
  const agency = 'floor';
  const jsm = await jetstreamManager(system.nc);
  // READS is a work queue, which allows one consumer per subject: the pipeline's steps aside for
  // this phase and ensureStreams puts it back as `up` creates it.
  await jsm.consumers.delete(READS_STREAM, PIPELINE_CONSUMER);
  await jsm.consumers.add(READS_STREAM, { durable_name: 'floor', ack_policy: AckPolicy.Explicit, filter_subject: `alpr.reads.${agency}.>`, max_ack_pending: 50_000 });
  const consumer = await system.js.consumers.get(READS_STREAM, 'floor');
  const sample = new LatencySample();
  let stopping = false;
  // Pulls one after another as the pipeline does (a fetch yields each message as it arrives).
  const consuming = (async () => {
    while (!stopping) {
      const messages = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      for await (const m of messages) {
        const now = Date.now();
        for (const read of decodeReadMessage(m.data, undefined, agency, now).reads) sample.add(read.ts, now);
        m.ack();
      }
    }
  })();
  await runFleet(system, rate, seconds, [], agency);
  await new Promise((r) => setTimeout(r, 500));
  stopping = true;
  await consuming;
  await jsm.consumers.delete(READS_STREAM, 'floor');
  await jsm.streams.purge(READS_STREAM, { filter: `alpr.reads.${agency}.>` });
  await ensureStreams(jsm);
  return sample.summary();
}

async function latencyAtRate(system: RunningSystem, rate: number, seconds: number, hotPlates: { plate: string }[]): Promise<{ toHit: LatencySummary; toReceipt: LatencySummary; loopDelayP99: number; loopDelayMax: number }> {
  const toHit = new LatencySample();
  const toReceipt = new LatencySample();
  const sub = system.nc.subscribe('alpr.hits.>', { callback: (_e, msg) => {
    const m = decodeHitMessage(msg.data);
    toHit.add(m.read.ts, m.publishedAt);
    toReceipt.add(m.read.ts, m.receivedAt ?? m.publishedAt);
  } });
  const worker = new PipelineWorker({ js: system.js, matcher: system.matcher, sink: detectionSink(system.writer), metrics: createPipelineMetrics(new MetricsRegistry()), logger });
  await worker.start();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  await runFleet(system, rate, seconds, hotPlates, 'bench');
  await new Promise((r) => setTimeout(r, 500));
  loopDelay.disable();
  await worker.stop();
  sub.unsubscribe();
  return { toHit: toHit.summary(), toReceipt: toReceipt.summary(), loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6 };
}

/** The V8 heap flags this run had, if any, for the Command line (bench/pipeline/young-generation.bench.ts compares them). */
function v8Flags(): string {
  return process.execArgv.filter((a) => a.startsWith('--max-') || a.startsWith('--semi')).map((a) => `${a} `).join('');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-bench-'));
  const config = resolveMatcherConfig();
  const system = await startSystem({ dataDir: dir, matcher: config, logger, pipeline: false, storage: { insertsInFlight: inFlight } });
  fleetEnv = await cameraEnv(dir);
  try {
    const svs = await loadBenchList(system, config, createRandom(99));

    const rows: string[] = [];
    for (const perMessage of latencyOnly ? [] : [1, 100]) {
      const count = perMessage === 1 ? N_SINGLE : N_BATCHED;
      const reads = makeReads(count, perMessage);
      const { data, ids } = messagesOf(reads, perMessage);
      const ceil = await ceiling(system, data, ids, count);
      const one = await publishAndDrain(system, 1, data, ids.map((id) => `${id}-w1`), count);
      const again = makeReads(count, perMessage + 1000);
      const m2 = messagesOf(again, perMessage);
      const two = await publishAndDrain(system, 2, m2.data, m2.ids, count);
      rows.push(`| ${perMessage} | ${count.toLocaleString('en-US')} | ${Math.round(ceil).toLocaleString('en-US')} | ${Math.round(one).toLocaleString('en-US')} (${Math.round((100 * one) / ceil)}%) | ${Math.round(two).toLocaleString('en-US')} (${Math.round((100 * two) / ceil)}%) |`);
    }
    const floor = await transportFloor(system, 5000, LATENCY_SECONDS);
    const latency = await latencyAtRate(system, 5000, LATENCY_SECONDS, svs.slice(0, 1000));
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(`### Pipeline (${quick ? 'quick' : 'full'} run)\n`);
    console.log(`Command: \`node ${v8Flags()}--import tsx bench/pipeline/pipeline.bench.ts${quick ? ' --quick' : ''}${latencyOnly ? ' --latency-only' : ''}${inFlightAt === -1 ? '' : ` --in-flight ${inFlight}`}\` · ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, nats-server (Debian) with file storage, embedded chDB, 100,000-entry SVS list loaded.\n`);
    if (rows.length > 0) {
      console.log('| reads/message | reads | ceiling: consume+decode+ack (reads/s) | pipeline, 1 worker (reads/s, % of ceiling) | pipeline, 2 workers in one process |');
      console.log('|---|---|---|---|---|');
      for (const row of rows) console.log(row);
    }
    const t = latency.toHit;
    const r = latency.toReceipt;
    console.log(`\nLatency at 5,000 reads/s for ${LATENCY_SECONDS} s (1 read/message, acked publishes from a camera fleet process on this machine; timestamps in whole ms; "steady" leaves out the first second):\n`);
    console.log('| measured | p50 | p99 | p99 steady | samples |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(`| pipeline: read → hit published (2 % hot) | ${t.p50} ms | ${t.p99} ms | ${t.steadyP99} ms | ${t.count.toLocaleString('en-US')} hits |`);
    console.log(`| of which read → pipeline receipt | ${r.p50} ms | ${r.p99} ms | ${r.steadyP99} ms | ${r.count.toLocaleString('en-US')} hits |`);
    console.log(`| transport floor: read → receipt by a bare pull consumer (decode + ack only, same fleet, same run) | ${floor.p50} ms | ${floor.p99} ms | ${floor.steadyP99} ms | ${floor.count.toLocaleString('en-US')} reads |`);
    console.log(`\nThe pipeline's event loop delay during its phase: p99 ${latency.loopDelayP99.toFixed(1)} ms, max ${latency.loopDelayMax.toFixed(1)} ms.`);
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
