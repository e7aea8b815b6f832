// Pipeline throughput and latency (issue 4): sustained reads/s through decode → match → hits →
// chDB → ack, next to the raw JetStream ceiling (consume + decode + ack, no work) measured in the
// same run; and read→hit-published latency at a steady 5,000 reads/s.
//
//   node --import tsx bench/pipeline/pipeline.bench.ts [--quick]
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import pino from 'pino';
import { startSystem, type RunningSystem, detectionSink } from '../../bin/system.js';
import {
  createPipelineMetrics,
  createRandom,
  decodeHitMessage,
  decodeReadMessage,
  MetricsRegistry,
  PIPELINE_CONSUMER,
  PipelineWorker,
  publishHotlist,
  READS_STREAM,
  readsSubject,
  simulatedRead,
  generatePlate,
  type WireRead,
} from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';

const quick = process.argv.includes('--quick');
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

async function drainThroughPipeline(system: RunningSystem, workers: number, data: Uint8Array[], ids: string[], reads: number): Promise<number> {
  await publishAll(system.js, (i) => readsSubject('bench', `cam${i % 50}`), data, ids);
  const registry = new MetricsRegistry();
  const metrics = createPipelineMetrics(registry);
  const started = performance.now();
  const pool = Array.from({ length: workers }, () => new PipelineWorker({ js: system.js, matcher: system.matcher, sink: detectionSink(system.writer), metrics, logger }));
  for (const w of pool) await w.start();
  const jsm = await jetstreamManager(system.nc);
  for (;;) {
    const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const w of pool) await w.stop();
  if (metrics.readsIn.get() < reads) throw new Error(`pipeline saw ${metrics.readsIn.get()} of ${reads} reads`);
  return reads / seconds;
}

async function latencyAtRate(system: RunningSystem, rate: number, seconds: number, hotPlates: { plate: string }[]): Promise<{ p50: number; p99: number; transportP50: number; transportP99: number; hits: number; loopDelayP99: number; loopDelayMax: number }> {
  const latencies: number[] = [];
  const transport: number[] = [];
  const sub = system.nc.subscribe('alpr.hits.>', { callback: (_e, msg) => {
    const m = decodeHitMessage(msg.data);
    latencies.push(m.publishedAt - m.read.ts);
    transport.push((m.receivedAt ?? m.publishedAt) - m.read.ts);
  } });
  const worker = new PipelineWorker({ js: system.js, matcher: system.matcher, sink: detectionSink(system.writer), metrics: createPipelineMetrics(new MetricsRegistry()), logger });
  await worker.start();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const fleet = spawn(process.execPath, ['--import', 'tsx', new URL('./camera-fleet.ts', import.meta.url).pathname, system.natsUrl, String(rate), String(seconds), JSON.stringify(hotPlates.map((p) => ({ plate: p.plate })))], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => fleet.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`camera fleet exited with ${code}`)))));
  await new Promise((r) => setTimeout(r, 500));
  loopDelay.disable();
  await worker.stop();
  sub.unsubscribe();
  latencies.sort((a, b) => a - b);
  transport.sort((a, b) => a - b);
  const at = (values: number[], q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
  return { p50: at(latencies, 0.5), p99: at(latencies, 0.99), transportP50: at(transport, 0.5), transportP99: at(transport, 0.99), hits: latencies.length, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-bench-'));
  const config = resolveMatcherConfig();
  const system = await startSystem({ dataDir: dir, matcher: config, logger, pipeline: false });
  try {
    const random = createRandom(99);
    const svs: HotlistEntry[] = [];
    for (let i = 0; i < 100_000; i++) {
      const { plate, state } = generatePlate(random);
      const r = validateEntry({ plate, state, list: 'SVS', reason: 'STOLEN VEHICLE', case_number: `V${100000000 + i}`, entered_by: 'NCIC' }, config);
      if (r.ok) svs.push(r.entry);
    }
    await publishHotlist(system.hotlists, 'SVS', svs, 'bench');
    while (system.matcher.lists().length === 0) await new Promise((r) => setTimeout(r, 50));

    const rows: string[] = [];
    for (const perMessage of [1, 100]) {
      const count = perMessage === 1 ? N_SINGLE : N_BATCHED;
      const reads = makeReads(count, perMessage);
      const { data, ids } = messagesOf(reads, perMessage);
      const ceil = await ceiling(system, data, ids, count);
      const one = await drainThroughPipeline(system, 1, data, ids.map((id) => `${id}-w1`), count);
      const again = makeReads(count, perMessage + 1000);
      const m2 = messagesOf(again, perMessage);
      const two = await drainThroughPipeline(system, 2, m2.data, m2.ids, count);
      rows.push(`| ${perMessage} | ${count.toLocaleString('en-US')} | ${Math.round(ceil).toLocaleString('en-US')} | ${Math.round(one).toLocaleString('en-US')} (${Math.round((100 * one) / ceil)}%) | ${Math.round(two).toLocaleString('en-US')} (${Math.round((100 * two) / ceil)}%) |`);
    }
    const latency = await latencyAtRate(system, 5000, LATENCY_SECONDS, svs.slice(0, 1000));
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(`### Pipeline (${quick ? 'quick' : 'full'} run)\n`);
    console.log(`Command: \`node --import tsx bench/pipeline/pipeline.bench.ts${quick ? ' --quick' : ''}\` · ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, nats-server (Debian) with file storage, embedded chDB, 100,000-entry SVS list loaded.\n`);
    console.log('| reads/message | reads | ceiling: consume+decode+ack (reads/s) | pipeline, 1 worker (reads/s, % of ceiling) | pipeline, 2 workers in one process |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\nread→hit-published latency at 5,000 reads/s for ${LATENCY_SECONDS} s (1 read/message, 2% hot): p50 ${latency.p50} ms, p99 ${latency.p99} ms over ${latency.hits} hits (timestamps in whole ms), of which camera publish → pipeline receipt p50 ${latency.transportP50} ms, p99 ${latency.transportP99} ms; the pipeline's event loop delay meanwhile: p99 ${latency.loopDelayP99.toFixed(1)} ms, max ${latency.loopDelayMax.toFixed(1)} ms.`);
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
