// `platewatch bench`: the whole system on this machine against a simulated fleet — nats-server,
// the system process (pipeline, embedded chDB, gateway, as `platewatch up` runs them), a camera
// fleet process and console processes — with the ceilings of each stage measured in the same run.
// Phases: start → hot lists → ceilings → gateway top fan-out → ramp → fixed rates →
// 1 vs 2 worker processes → storage footprint → a reload of the SVS list through the gateway (its
// peak memory). Results are data (CapacityResult); report.ts and chart.ts render them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import type { Logger } from 'pino';
import { detectionSink, startSystem, toDetection, type RunningSystem } from '../../bin/system.js';
import { hitFrame, serialiseHit } from '../../gateway/index.js';
import {
  createPipelineMetrics,
  createRandom,
  DEFAULT_STREAMS_CONFIG,
  encodeHitMessage,
  HITS_STREAM,
  generatePlate,
  HIT_MESSAGE_VERSION,
  hitId,
  hitsSubject,
  MetricsRegistry,
  PipelineWorker,
  publishHotlist,
  startLocalNatsServer,
  type HitMessage,
  type WireRead,
} from '../../ingest/index.js';
import { validateEntry, type HotlistEntry, type MatcherConfig } from '../../matcher/index.js';
import { dayIn, HitWriter, saveUser } from '../../storage/index.js';
import { cameraRead } from './camera-read.js';
import { chdbInsertCeiling, jetstreamCeiling, uwsBroadcastCeiling } from './ceilings.js';
import { ConsoleFleet } from './consoles.js';
import { BENCH_ERROR_CODES, BenchError } from './errors.js';
import { windowedFanOut, type FanOutRate } from './fan-out.js';
import { hotlistCsv, reloadThroughGateway, type HotlistReload } from './hotlist-reload.js';
import { CameraFleet } from './fleet.js';
import { ramp, runStep, type LoadContext, type StepResult } from './load-steps.js';
import type { CapacityOptions } from './options.js';
import { sampleProcess } from './proc-stats.js';
import { PROCESS_ROLES } from './process-roles.js';
import { tableFootprint, type TableFootprint } from './storage-footprint.js';
import { ScaleOutWorkers, type ScaleOutResult } from './workers.js';

export { PROCESS_ROLES } from './process-roles.js';

export interface CapacityResult {
  command: string;
  startedAt: string;
  durationSeconds: number;
  machine: { cpu: string; cores: number; memoryBytes: number; node: string; os: string };
  /** 1, 5 and 15-minute load averages when the run started and ended. */
  loadAverage: { start: number[]; end: number[] };
  options: CapacityOptions;
  hotlist: {
    generalEntries: number;
    specificEntries: number;
    heapBytesPerEntry: number;
    /** Resident memory of the system process per entry: RSS after loading the lists minus before, both after GC. */
    rssBytesPerEntry: number;
    reload: HotlistReload;
  };
  /** chDB's skip-index cache limit: empty in this run (no searches), filled by analysts' searches in service. */
  skipIndexCacheBytes: number;
  /** What the NATS store holds besides the reads in flight (ingest/streams.ts). */
  nats: NatsStoreFacts;
  ceilings: { jetstreamReadsPerSecond: number; chdbRowsPerSecond: number; chdbBatchRows: number; uwsBroadcast: FanOutRate };
  gatewayFanOut: FanOutRate;
  ramp: StepResult[];
  highestSustainedRate: number;
  fixed: StepResult[];
  scaleOut: ScaleOutResult[];
  storage: { detections: TableFootprint; hits: TableFootprint };
  /** Resident memory of the system process with the hot lists loaded and nothing flowing. */
  idleRssBytes: { system: number; nats: number };
}

export type { HotlistReload } from './hotlist-reload.js';

export interface NatsStoreFacts {
  /** Reserved up front on the store's disk. */
  readsMaxBytes: number;
  invalidMaxBytes: number;
  hitsMaxAgeMs: number;
  /** HITS stream bytes per hit the pipeline published during the load steps (read copy included). */
  hitBytes: number;
}

const SPECIFIC_ENTRIES = 1_000;
const RELOAD_CHANGED_SHARE = 0.1;
// Hot lists, the fleet and the pre-made reads draw from one generator each; the same seed would
// make the fleet's first reads the hot list's own plates in order (every read a hit).
const FLEET_SEED_OFFSET = 7_919;
const BACKLOG_SEED_OFFSET = 104_729;
const packr = new Packr({ useRecords: false });

function garbageCollector(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  // Heap per hot list entry needs a collection before and after; `node --expose-gc` is not how the CLI runs.
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** RSS once the garbage is collected: what the process keeps. */
function settledRss(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

function heapInUse(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** `changedShare` of the SVS entries get another case number: the same list as a daily reload sends it. */
function hotlists(config: MatcherConfig, options: CapacityOptions, changedShare = 0): { general: HotlistEntry[]; specific: HotlistEntry[] } {
  const random = createRandom(options.seed);
  const general: HotlistEntry[] = [];
  const changeEvery = changedShare > 0 ? Math.round(1 / changedShare) : 0;
  for (let i = 0; general.length < options.hotlistEntries; i++) {
    const { plate, state } = generatePlate(random);
    const caseNumber = changeEvery > 0 && i % changeEvery === 0 ? `R${100_000_000 + i}` : `V${100_000_000 + i}`;
    const r = validateEntry({ plate, state, list: 'SVS', reason: 'STOLEN VEHICLE', case_number: caseNumber, entered_by: 'NCIC' }, config);
    if (r.ok) general.push(r.entry);
  }
  const specific: HotlistEntry[] = [];
  for (let i = 0; specific.length < SPECIFIC_ENTRIES; i++) {
    const { plate, state } = generatePlate(random);
    const r = validateEntry({ plate, state, list: 'BOLO', reason: 'BOLO', case_number: `26-${String(i).padStart(6, '0')}`, entered_by: 'WPD1234', synopsis: 'Seen leaving a burglary, Main St' }, config);
    if (r.ok) specific.push(r.entry);
  }
  return { general, specific };
}

function simulatedReads(count: number, seed: number, hot: readonly { plate: string; state?: string }[], hitRate: number): WireRead[] {
  const random = createRandom(seed);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const h = random() < hitRate ? hot[i % hot.length] : undefined;
    return cameraRead(random, { agency: 'bench', camera: `cam${i % 200}`, id: `c${seed}-${i}`, ts: now, misreadRate: 0.05, ...(h === undefined ? {} : { hot: h }) });
  });
}

function packedReads(count: number, seed: number, hot: readonly { plate: string; state?: string }[], hitRate: number): { messages: Uint8Array[]; ids: string[] } {
  const reads = simulatedReads(count, seed, hot, hitRate);
  return { messages: reads.map((r) => packr.pack(r) as Uint8Array), ids: reads.map((r) => r.id) };
}

/**
 * Publishes the hot lists and waits until the matcher has them; heap and RSS per entry are
 * measured around it (the generated entries are alive at both ends, so they cancel out). Only
 * counts and the hot plates the fleet draws from outlive this function, so the generated entries
 * do not count as the system's memory later.
 */
async function loadHotlists(system: RunningSystem, config: MatcherConfig, options: CapacityOptions, gc: () => void): Promise<{ generalEntries: number; specificEntries: number; heapBytesPerEntry: number; rssBytesPerEntry: number; hotPlates: { plate: string; state?: string }[] }> {
  const lists = hotlists(config, options);
  const heapBefore = heapInUse(gc);
  const rssBefore = settledRss(gc);
  await publishHotlist(system.hotlists, 'SVS', lists.general, 'bench');
  await publishHotlist(system.hotlists, 'BOLO', lists.specific, 'bench');
  while (system.matcher.lists().length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  const entries = lists.general.length + lists.specific.length;
  const heapBytesPerEntry = (heapInUse(gc) - heapBefore) / entries;
  const rssBytesPerEntry = (settledRss(gc) - rssBefore) / entries;
  const hotPlates = lists.general.slice(0, 1000).map((e) => (e.state === undefined ? { plate: e.plate } : { plate: e.plate, state: e.state }));
  return { generalEntries: lists.general.length, specificEntries: lists.specific.length, heapBytesPerEntry, rssBytesPerEntry, hotPlates };
}

/**
 * Writes the SVS list again, a tenth of its entries changed, as the CSV file a daily download is,
 * and reloads it through the gateway (hotlist-reload.ts). The entries are generated and dropped
 * before the idle RSS is taken.
 */
async function reloadGeneralList(system: RunningSystem, config: MatcherConfig, options: CapacityOptions, dir: string, gc: () => void): Promise<HotlistReload> {
  const file = join(dir, 'svs-reload.csv');
  const { general } = hotlists(config, options, RELOAD_CHANGED_SHARE);
  writeFileSync(file, hotlistCsv(general));
  const counts = { entries: general.length, changed: Math.ceil(general.length * RELOAD_CHANGED_SHARE) };
  general.length = 0;
  return reloadThroughGateway(system, file, counts, () => settledRss(gc));
}

/** HITS stream bytes and messages, to price a stored hit on the NATS disk. */
async function hitsStreamState(jsm: JetStreamManager): Promise<{ bytes: number; messages: number }> {
  const { state } = await jsm.streams.info(HITS_STREAM);
  return { bytes: state.bytes, messages: state.messages };
}

/** A hit as the pipeline publishes it, for the fan-out measurements. */
function sampleHit(n: number): HitMessage {
  const readId = `fanout-${n}`;
  const now = Date.now();
  return {
    v: HIT_MESSAGE_VERSION,
    hitId: hitId({ id: readId, agency: 'bench', camera: `cam${n % 200}`, ts: now }, 'SVS', '7ABC123'),
    publishedAt: now,
    historical: false,
    read: { v: 1, id: readId, agency: 'bench', camera: `cam${n % 200}`, ts: now, conf: 0.91, plate: '7ABC123', state: 'CA', lat: 36.9103, lon: -121.7569 },
    hit: { list: 'SVS', listVersion: 1, entry: '7ABC123', kind: 'exact', distance: 0, ocrSubstitutions: 0, positions: [], candidate: 0, plate: '7ABC123', conf: 0.91, stateMatch: true, vehicleMismatch: [], state: 'CA', reason: 'STOLEN VEHICLE', caseNumber: 'V100000000', enteredBy: 'NCIC', synopsis: '' },
  };
}

function fmtShare(share: number): string {
  return `${Math.round(share * 100)} %`;
}

async function consoleToken(system: RunningSystem): Promise<string> {
  const userId = 'bench-dispatch';
  const password = `capacity-${process.pid}-${Date.now()}`;
  await saveUser(system.storage, { userId, name: 'Capacity benchmark', title: 'Dispatcher', roles: ['dispatcher', 'officer'], trainedAt: dayIn(system.storage.config.timeZone), active: true }, 'bench');
  await system.credentials.setPassword(userId, password, 'bench');
  const login = await system.credentials.login(userId, password);
  if (!login.ok) throw new BenchError(BENCH_ERROR_CODES.setupFailed, `benchmark console user could not sign in: ${login.reason}`);
  return login.token;
}

export async function runCapacityBench(options: CapacityOptions, context: { command: string; matcher: MatcherConfig; logger: Logger; progress: (line: string) => void }): Promise<CapacityResult> {
  const { progress, logger } = context;
  const startedAt = new Date();
  const loadStart = loadavg();
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-capacity-'));
  const stops: Array<() => Promise<void> | void> = [];
  try {
    const nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
    stops.push(() => nats.stop());
    const system = await startSystem({ dataDir: dir, natsUrl: nats.url, matcher: context.matcher, logger, pipeline: false, retroactiveDays: 0, gateway: { port: 0, host: '127.0.0.1' } });
    stops.push(() => system.stop());
    const gatewayPort = system.gateway?.port;
    if (gatewayPort === undefined) throw new BenchError(BENCH_ERROR_CODES.setupFailed, 'the gateway did not start');
    const token = await consoleToken(system);
    // Idle until the scale-out phase; started now so that their start-up overlaps with the set-up here.
    const scaleOutWorkers = new ScaleOutWorkers({ natsUrl: nats.url, dir, lists: 2 });
    stops.push(() => scaleOutWorkers.exit());

    progress(`loading hot lists: ${options.hotlistEntries} SVS + ${SPECIFIC_ENTRIES} BOLO entries`);
    const gc = garbageCollector();
    const hotlist = await loadHotlists(system, context.matcher, options, gc);
    const hot = hotlist.hotPlates;

    const [fleet, consoles] = await Promise.all([
      CameraFleet.start({ natsUrl: nats.url, cameras: options.cameras, hitRate: options.hitRate, hotPlates: hot, seed: options.seed + FLEET_SEED_OFFSET }),
      ConsoleFleet.start(options.consoles, options.consoleProcesses),
    ]);
    stops.push(() => fleet.stop(), () => consoles.stop());
    const pids = new Map<string, number[]>([
      [PROCESS_ROLES.system, [process.pid]],
      [PROCESS_ROLES.nats, [nats.pid]],
      [PROCESS_ROLES.fleet, [fleet.pid]],
      [PROCESS_ROLES.consoles, consoles.pids],
    ]);
    const idleRssBytes = { system: sampleProcess(process.pid)?.rssBytes ?? 0, nats: sampleProcess(nats.pid)?.rssBytes ?? 0 };

    await scaleOutWorkers.ready;
    progress('ceilings: JetStream consume + ack');
    const jetstreamReadsPerSecond = await jetstreamCeiling(system.nc, system.js, packedReads(options.ceilingMessages, options.seed + BACKLOG_SEED_OFFSET, hot, options.hitRate).messages);
    progress(`  ${Math.round(jetstreamReadsPerSecond)} messages/s; chDB insert of RowBinary batches`);
    const detections = simulatedReads(options.ceilingRows, options.seed + BACKLOG_SEED_OFFSET, hot, options.hitRate).map(toDetection);
    const chdbRowsPerSecond = await chdbInsertCeiling(system.storage, system.matcher.alphabet, detections, system.storage.config.batchRows);
    detections.length = 0;
    progress(`  ${Math.round(chdbRowsPerSecond)} rows/s; uWebSockets.js raw broadcast to ${options.consoles} sockets`);
    const frame = hitFrame(serialiseHit(sampleHit(0)));
    const uwsBroadcast = await uwsBroadcastCeiling(consoles, frame, options.fanOutHits);
    progress(`  ${Math.round(uwsBroadcast.deliveriesPerSecond)} deliveries/s`);

    await consoles.connect(gatewayPort, token);
    let n = 0;
    const gatewayFanOut = await windowedFanOut(consoles, options.fanOutHits, async (count) => {
      await Promise.all(Array.from({ length: count }, () => {
        const m = sampleHit(++n);
        return system.js.publish(hitsSubject('bench', 'SVS'), encodeHitMessage(m), { msgID: m.hitId });
      }));
    });
    progress(`gateway top fan-out: ${Math.round(gatewayFanOut.deliveriesPerSecond)} deliveries/s to ${options.consoles} consoles`);

    const metrics = createPipelineMetrics(new MetricsRegistry());
    const hitWriter = new HitWriter(system.storage, system.storage.config);
    const worker = new PipelineWorker({
      js: system.js,
      matcher: system.matcher,
      sink: detectionSink(system.writer, hitWriter),
      metrics,
      logger,
    });
    await worker.start();
    // The ceilings' generated rows are garbage now: collect them so the RSS measured in the load
    // steps is the system's, not the benchmark's.
    gc();
    const jsm = await jetstreamManager(system.nc);
    const hitsBefore = await hitsStreamState(jsm);
    const load: LoadContext = { nc: system.nc, fleet, consoles, acked: metrics.acked, pids, progress };
    const ramped = await ramp(load, { start: options.rampStart, factor: options.rampFactor, maxSteps: options.rampMaxSteps, bisections: options.bisections, seconds: options.rampSeconds });
    progress(`highest sustained rate: ${ramped.highestSustained} reads/s`);
    const fixed: StepResult[] = [];
    for (const rate of options.fixedRates) fixed.push(await runStep(load, 'fixed', rate, options.fixedSeconds));
    await worker.stop();
    await hitWriter.flush();
    await system.writer.flush();
    const hitsAfter = await hitsStreamState(jsm);
    const hitsPublished = hitsAfter.messages - hitsBefore.messages;
    const natsStore: NatsStoreFacts = {
      readsMaxBytes: DEFAULT_STREAMS_CONFIG.readsMaxBytes,
      invalidMaxBytes: DEFAULT_STREAMS_CONFIG.invalidMaxBytes,
      hitsMaxAgeMs: DEFAULT_STREAMS_CONFIG.hitsMaxAgeMs,
      hitBytes: hitsPublished > 0 ? (hitsAfter.bytes - hitsBefore.bytes) / hitsPublished : Number.NaN,
    };

    progress('scale-out: 1 vs 2 pipeline worker processes');
    const backlog = packedReads(options.scaleOutReads, options.seed + BACKLOG_SEED_OFFSET + 1, hot, options.hitRate);
    const scaleOut = await scaleOutWorkers.measure({ nc: system.nc, js: system.js, messages: backlog.messages, ids: backlog.ids, progress });

    // Their shutdown (chDB close, NATS drain) overlaps with the footprint measurement.
    const workersGone = scaleOutWorkers.exit();
    progress('storage footprint (OPTIMIZE … FINAL)');
    const storage = { detections: await tableFootprint(system.storage, 'detections'), hits: await tableFootprint(system.storage, 'hits') };
    await workersGone;
    progress(`hot list reload through the gateway: SVS again, ${fmtShare(RELOAD_CHANGED_SHARE)} of its ${options.hotlistEntries} entries changed`);
    const reload = await reloadGeneralList(system, context.matcher, options, dir, gc);
    progress(`  peak RSS ${Math.round(reload.peakRssBytes / 2 ** 20)} MiB over ${Math.round(reload.idleRssBytes / 2 ** 20)} MiB idle, ${reload.seconds.toFixed(1)} s`);
    const cpu = cpus();
    return {
      command: context.command,
      startedAt: startedAt.toISOString(),
      durationSeconds: (performance.now() - began) / 1000,
      machine: { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, memoryBytes: totalmem(), node: process.version, os: `${type()} ${release()}` },
      loadAverage: { start: loadStart, end: loadavg() },
      options,
      hotlist: { generalEntries: hotlist.generalEntries, specificEntries: hotlist.specificEntries, heapBytesPerEntry: hotlist.heapBytesPerEntry, rssBytesPerEntry: hotlist.rssBytesPerEntry, reload },
      skipIndexCacheBytes: system.storage.config.skipIndexCacheBytes,
      nats: natsStore,
      ceilings: { jetstreamReadsPerSecond, chdbRowsPerSecond, chdbBatchRows: system.storage.config.batchRows, uwsBroadcast },
      gatewayFanOut,
      ramp: ramped.steps,
      highestSustainedRate: ramped.highestSustained,
      fixed,
      scaleOut,
      storage,
      idleRssBytes,
    };
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping the benchmark system');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
