// Soak run (issue 8): the whole system — embedded nats-server, chDB, pipeline worker, a gateway
// with consoles attached — under a steady camera load for minutes. Every few seconds it samples
// heap (after a full GC), RSS, consumer lag and read→console latency; at the end it checks that
// every read was stored once and every hit reached every console once, and fits a line through
// heap and RSS to report their slope. soak.test.ts runs it for one minute in CI; the 10-minute run:
//   node --import tsx test/reliability/soak.ts --minutes 10 --rate 500 --consoles 5 [--replay-minutes 15] [--json FILE] [--heap-snapshots DIR]
// With --heap-snapshots, V8 heap snapshots are written (after a full GC) at a third, two thirds and
// the end of the publishing phase; test/reliability/heap-diff.ts compares two of them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { jetstreamManager } from '@nats-io/jetstream';
import { pack } from 'msgpackr';
import pino from 'pino';
import WebSocket from 'ws';
import { startSystem } from '../../bin/system.js';
import { startGateway, type ConsoleSession } from '../../gateway/index.js';
import { hitId, publishHotlist, readsSubject } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { consumerState, heapAfterGcMiB, sleep, storedCounts, until, untilDrained, wireRead } from './fixtures.js';

export interface SoakOptions {
  minutes: number;
  /** Reads per second, steady. */
  rate: number;
  consoles: number;
  /** Seconds between samples. */
  sampleSeconds: number;
  /** One read in this many is on the hot list. */
  hotEvery: number;
  /** The gateway's replay window: unresolved hits are held this long, so heap grows until it is full. @default 15 */
  replayMinutes?: number;
  /** Directory for heap snapshots at 1/3, 2/3 and the end of publishing; none when unset. */
  heapSnapshotDir?: string;
  log?: (line: string) => void;
}

export interface SoakSample {
  atSeconds: number;
  heapMiB: number;
  rssMiB: number;
  /** Reads on the stream not yet stored and acked. */
  lag: number;
  /** Read → console latency of the hits received since the previous sample, ms. */
  p50Ms: number;
  p99Ms: number;
}

export interface SoakHeapSnapshot {
  atSeconds: number;
  published: number;
  heapMiB: number;
  file: string;
}

export interface SoakReport {
  options: SoakOptions;
  published: number;
  stored: number;
  storedFinal: number;
  lost: number;
  hitsExpected: number;
  /** Per console: hits received, how many were a hit id already seen, expected ones never seen, and hits for no hot read of this run. */
  consoles: Array<{ received: number; duplicates: number; missing: number; unexpected: number }>;
  samples: SoakSample[];
  /** Least-squares slope after the first fifth (warm-up), MiB per minute. */
  heapSlopeMiBPerMin: number;
  rssSlopeMiBPerMin: number;
  lagFirstThirdMax: number;
  lagLastThirdMax: number;
  p99LastThirdMaxMs: number;
  heapSnapshots: SoakHeapSnapshot[];
}

export const DEFAULT_SOAK: SoakOptions = { minutes: 10, rate: 500, consoles: 5, sampleSeconds: 5, hotEvery: 100 };

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Hits one console received, by hit number (hit k is read k × hotEvery); -1 counts a hit the run never made. */
class ConsoleTally {
  private counts: Uint8Array;
  received = 0;
  distinct = 0;
  unexpected = 0;

  constructor(capacity: number) {
    this.counts = new Uint8Array(capacity);
  }

  count(k: number): void {
    this.received++;
    if (k < 0) {
      this.unexpected++;
      return;
    }
    if (k >= this.counts.length) {
      const grown = new Uint8Array(Math.max(k + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    const seen = this.counts[k] as number;
    if (seen === 0) this.distinct++;
    if (seen < 255) this.counts[k] = seen + 1;
  }

  summary(expected: number): { received: number; duplicates: number; missing: number; unexpected: number } {
    let missing = 0;
    for (let k = 0; k < expected; k++) if ((this.counts[k] ?? 0) === 0) missing++;
    return { received: this.received, duplicates: this.received - this.unexpected - this.distinct, missing, unexpected: this.unexpected };
  }
}

/** The hit number of a console frame, or -1 unless it is exactly the hit the run's hot read k must make. */
function hotIndex(id: string, read: { id: string; agency: string; camera: string; ts: number; plate: string } | undefined, hotEvery: number, hot: readonly string[]): number {
  if (read === undefined || !read.id.startsWith('soak-')) return -1;
  const n = Number(read.id.slice(5));
  if (!Number.isInteger(n) || n % hotEvery !== 0) return -1;
  const k = n / hotEvery;
  const plate = hot[k % hot.length] as string;
  return read.plate === plate && id === hitId(read, 'SVS', plate) ? k : -1;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'platewatch-soak-'));
  const config = resolveMatcherConfig();
  const system = await startSystem({ dataDir: dir, matcher: config, logger: pino({ level: 'warn' }, pino.destination(2)), gateway: false, storage: { batchDelayMs: 200 } });
  const sessions = new Map<string, ConsoleSession>([['tok', { user: 'soak-dispatcher', roles: ['dispatcher'] }]]);
  const gateway = await startGateway({ nc: system.nc, js: system.js, verifySession: async (t) => sessions.get(t) ?? null, registry: system.metrics, logger: pino({ level: 'warn' }, pino.destination(2)), config: { port: 0, replayWindowMs: (options.replayMinutes ?? 15) * 60_000 } });
  const sockets: WebSocket[] = [];
  try {
    const hot = Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(4, '0')}K`);
    const entries: HotlistEntry[] = hot.map((plate) => {
      const r = validateEntry({ plate, list: 'SVS', reason: 'Stolen' }, config);
      if (!r.ok) throw new Error(r.reason);
      return r.entry;
    });
    await publishHotlist(system.hotlists, 'SVS', entries, 'soak');
    await until('the hot list', () => (system.matcher.lists().length === 1 ? true : undefined));

    // Consoles: count each hit per console and collect read → console latency. The harness lives
    // in the process it measures, so its tallies are fixed-size arrays allocated here (hit k is
    // read k × hotEvery) rather than sets of hit id strings that grow with the run.
    const expectedCapacity = Math.ceil((options.minutes * 60 * options.rate * 1.25) / options.hotEvery) + 64;
    const tallies = Array.from({ length: options.consoles }, () => new ConsoleTally(expectedCapacity));
    let latencies: number[] = [];
    for (let c = 0; c < options.consoles; c++) {
      const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws?token=tok`);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const tally = tallies[c] as ConsoleTally;
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; hitId?: string; read?: { id: string; agency: string; camera: string; ts: number; plate: string } };
        if (frame.type !== 'hit' || frame.hitId === undefined) return;
        tally.count(hotIndex(frame.hitId, frame.read, options.hotEvery, hot));
        if (c === 0 && frame.read !== undefined) latencies.push(Date.now() - frame.read.ts);
      });
      ws.send(JSON.stringify({ type: 'subscribe', filter: {} }));
      sockets.push(ws);
    }

    const jsm = await jetstreamManager(system.nc);
    const samples: SoakSample[] = [];
    const started = Date.now();
    const endAt = started + options.minutes * 60_000;
    let published = 0;
    let nextSample = started + options.sampleSeconds * 1000;
    const heapSnapshots: SoakHeapSnapshot[] = [];
    const snapshotDir = options.heapSnapshotDir;
    if (snapshotDir !== undefined) mkdirSync(snapshotDir, { recursive: true });
    const snapshotsDue = snapshotDir === undefined ? [] : [1 / 3, 2 / 3].map((f) => started + f * options.minutes * 60_000);
    const takeSnapshot = (dirPath: string): void => {
      const atSeconds = Math.round((Date.now() - started) / 1000);
      const heapMiB = heapAfterGcMiB();
      const file = writeHeapSnapshot(join(dirPath, `soak-${String(atSeconds).padStart(5, '0')}s.heapsnapshot`));
      heapSnapshots.push({ atSeconds, published, heapMiB, file });
      log(`soak t=${atSeconds}s heap snapshot ${file} (heap ${heapMiB.toFixed(1)} MiB, published ${published})`);
    };
    const perTick = options.rate / 10;
    let carry = 0;
    // Steady rate: a tick every 100 ms publishes its share, with acks (a camera's way).
    for (let tick = 0; Date.now() < endAt; tick++) {
      const due = started + tick * 100;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      carry += perTick;
      const count = Math.floor(carry);
      carry -= count;
      const pending: Promise<unknown>[] = [];
      const ts = Date.now();
      for (let k = 0; k < count; k++, published++) {
        const id = `soak-${published}`;
        const isHot = published % options.hotEvery === 0;
        const plate = isHot ? (hot[(published / options.hotEvery) % hot.length] as string) : `Q${String(published).padStart(7, '0')}`;
        pending.push(system.js.publish(readsSubject('wpd', `cam${published % 12}`), pack(wireRead(id, plate, ts, `cam${published % 12}`)), { msgID: id }));
      }
      await Promise.all(pending);
      if (Date.now() >= nextSample) {
        nextSample += options.sampleSeconds * 1000;
        const state = await consumerState(jsm);
        const sorted = latencies.sort((a, b) => a - b);
        latencies = [];
        const sample: SoakSample = {
          atSeconds: Math.round((Date.now() - started) / 1000),
          heapMiB: heapAfterGcMiB(),
          rssMiB: process.memoryUsage().rss / 2 ** 20,
          lag: state.pending + state.ackPending,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
        };
        samples.push(sample);
        log(`soak t=${sample.atSeconds}s published=${published} heap=${sample.heapMiB.toFixed(1)}MiB rss=${sample.rssMiB.toFixed(0)}MiB lag=${sample.lag} read→console p50=${sample.p50Ms}ms p99=${sample.p99Ms}ms`);
      }
      if (snapshotDir !== undefined && snapshotsDue.length > 0 && Date.now() >= (snapshotsDue[0] as number)) {
        snapshotsDue.shift();
        takeSnapshot(snapshotDir);
      }
    }
    if (snapshotDir !== undefined) takeSnapshot(snapshotDir);

    await untilDrained(system.nc, 180_000);
    const hitsExpected = Math.ceil(published / options.hotEvery);
    await until('every hit on every console', () => (tallies.every((t) => t.distinct >= hitsExpected) ? true : undefined), 60_000, 200).catch(() => undefined);
    await sleep(500);
    const stored = await storedCounts(system.storage, 'soak-');
    let lost = 0;
    for (let i = 0; i < published; i++) if (!stored.ids.has(`soak-${i}`)) lost++;
    const warm = samples.slice(Math.floor(samples.length / 5));
    const third = Math.max(1, Math.floor(samples.length / 3));
    const report: SoakReport = {
      options,
      published,
      stored: stored.distinct,
      storedFinal: stored.final,
      lost,
      hitsExpected,
      consoles: tallies.map((t) => t.summary(hitsExpected)),
      samples,
      heapSlopeMiBPerMin: slope(warm.map((s) => [s.atSeconds / 60, s.heapMiB])),
      rssSlopeMiBPerMin: slope(warm.map((s) => [s.atSeconds / 60, s.rssMiB])),
      lagFirstThirdMax: Math.max(0, ...samples.slice(0, third).map((s) => s.lag)),
      lagLastThirdMax: Math.max(0, ...samples.slice(-third).map((s) => s.lag)),
      p99LastThirdMaxMs: Math.max(0, ...samples.slice(-third).map((s) => s.p99Ms)),
      heapSnapshots,
    };
    return report;
  } finally {
    for (const ws of sockets) ws.close();
    await gateway.stop();
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function summariseSoak(r: SoakReport): string {
  const last = r.samples[r.samples.length - 1];
  return [
    `soak: ${Number(r.options.minutes.toFixed(2))} min at ${r.options.rate} reads/s with ${r.options.consoles} consoles: published ${r.published}, stored ${r.stored} distinct / ${r.storedFinal} final, lost ${r.lost}`,
    `hits: ${r.hitsExpected} expected; per console received/duplicates/missing/unexpected: ${r.consoles.map((c) => `${c.received}/${c.duplicates}/${c.missing}/${c.unexpected}`).join(' ')}`,
    `heap after GC: slope ${r.heapSlopeMiBPerMin.toFixed(2)} MiB/min (last ${last?.heapMiB.toFixed(1)} MiB); rss: slope ${r.rssSlopeMiBPerMin.toFixed(2)} MiB/min (last ${last?.rssMiB.toFixed(0)} MiB)`,
    `lag (reads not yet stored+acked): max ${r.lagFirstThirdMax} in the first third, ${r.lagLastThirdMax} in the last; read→console p99 max in the last third ${r.p99LastThirdMaxMs} ms`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { minutes: { type: 'string' }, rate: { type: 'string' }, consoles: { type: 'string' }, 'replay-minutes': { type: 'string' }, json: { type: 'string' }, 'heap-snapshots': { type: 'string' } } });
  const options: SoakOptions = {
    ...DEFAULT_SOAK,
    ...(values.minutes !== undefined ? { minutes: Number(values.minutes) } : {}),
    ...(values.rate !== undefined ? { rate: Number(values.rate) } : {}),
    ...(values.consoles !== undefined ? { consoles: Number(values.consoles) } : {}),
    ...(values['replay-minutes'] !== undefined ? { replayMinutes: Number(values['replay-minutes']) } : {}),
    ...(values['heap-snapshots'] !== undefined ? { heapSnapshotDir: values['heap-snapshots'] } : {}),
    sampleSeconds: 10,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const report = await runSoak(options);
  process.stdout.write(`${summariseSoak(report)}\n`);
  if (values.json !== undefined) (await import('node:fs')).writeFileSync(values.json, JSON.stringify(report, null, 2));
  const ok = report.lost === 0 && report.stored === report.published && report.consoles.every((c) => c.duplicates === 0 && c.missing === 0 && c.unexpected === 0);
  process.exit(ok ? 0 : 1);
}
