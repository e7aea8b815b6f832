// Fleet health on /metrics (ingest/camera-metrics.ts), with real processes: nats-server
// (JetStream), chDB, the gateway serving /metrics, and a pipeline worker per test on the shared
// READS consumer. Each test uses agencies of its own, so no test reads another's counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { pack } from 'msgpackr';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionSink, startSystem, type RunningSystem } from '../../bin/system.js';
import { createPipelineMetrics, MetricsRegistry, PIPELINE_CONSUMER, PipelineWorker, READS_STREAM, readsSubject, type PipelineMetrics } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-camera-metrics-'));
let system: RunningSystem;
let jsm: JetStreamManager;
/** /metrics as the gateway served it right after the start, before any read: a restarted process. */
let atStart: string;

beforeAll(async () => {
  system = await startSystem({
    dataDir: dir, matcher: resolveMatcherConfig(), logger: pino({ level: 'silent' }), storage: { batchDelayMs: 50 },
    pipeline: false, gateway: { port: 0, host: '127.0.0.1' }, metrics: { maxCameras: 1234 },
  });
  jsm = await jetstreamManager(system.nc);
  atStart = await scrape();
}, 60_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const res = await fetch(`${system.gateway?.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the sample `name{labels}` in Prometheus text, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const series = pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A worker on the system's storage recording into `metrics` (the system's, which /metrics shows, by default). */
async function startWorker(metrics: PipelineMetrics = system.pipelineMetrics, logger: Logger = pino({ level: 'silent' })): Promise<PipelineWorker> {
  const worker = new PipelineWorker({ js: system.js, matcher: system.matcher, sink: detectionSink(system.writer), metrics, logger, retryDelayMs: 100, pullExpiresMs: 1000 });
  await worker.start();
  return worker;
}

async function allAcked(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for every read to be acked');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let published = 0;
function read(agency: string, camera: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  published++;
  return { v: 1, id: `cm-${published}`, agency, camera, ts: Date.now(), conf: 0.9, plate: `CM${String(published).padStart(5, '0')}`, ...extra };
}

async function publish(subject: string, body: unknown): Promise<void> {
  published++;
  await system.js.publish(subject, body instanceof Uint8Array ? body : pack(body), { msgID: `cm-msg-${published}` });
}

describe('metrics before the first event', () => {
  it('serves unlabeled counters and both pull failure reasons as 0 from the start, and no camera yet', () => {
    for (const name of ['platewatch_invalid_reads_total', 'platewatch_pipeline_batch_failures_total', 'platewatch_reads_total', 'platewatch_gateway_session_check_failures_total']) {
      expect(sample(atStart, name), name).toBe(0);
    }
    expect(sample(atStart, 'platewatch_pipeline_pull_failures_total', { reason: 'heartbeats_missed' })).toBe(0);
    expect(sample(atStart, 'platewatch_pipeline_pull_failures_total', { reason: 'other' })).toBe(0);
    expect(atStart).toContain('# TYPE platewatch_camera_reads_total counter\n# HELP');
    expect(atStart).not.toMatch(/^platewatch_camera_/m);
    expect(atStart).not.toMatch(/^platewatch_hotlist_version /m); // labelled by list: no unlabeled 0
  });
});

describe('per-camera series on /metrics', () => {
  it('counts the valid and refused reads of each camera apart, under its subject tokens, and a bad subject in the total only', async () => {
    const before = await scrape();
    const worker = await startWorker();
    try {
      for (let i = 0; i < 3; i++) await publish(readsSubject('fleeta', 'cam1'), read('fleeta', 'cam1'));
      await publish(readsSubject('fleeta', 'cam1'), read('fleeta', 'cam1', { plate: 'NOT A PLATE!' }));
      // A gateway batch: two valid reads and one without conf; then bytes that are no msgpack (refused whole: one).
      await publish(readsSubject('fleeta', 'cam2'), [read('fleeta', 'cam2'), read('fleeta', 'cam2'), read('fleeta', 'cam2', { conf: undefined })]);
      await publish(readsSubject('fleeta', 'cam2'), Uint8Array.of(0xc1, 0x00));
      // Firmware sending ts in seconds: every read refused.
      for (let i = 0; i < 2; i++) await publish(readsSubject('fleeta', 'cam3'), read('fleeta', 'cam3', { ts: Math.floor(Date.now() / 1000) }));
      // Same camera token, another agency: a series of its own.
      await publish(readsSubject('fleetb', 'cam1'), read('fleetb', 'cam1'));
      // A camera token the wire refuses: the message names no camera.
      await publish('alpr.reads.fleeta.c@m', read('fleeta', 'c@m'));
      await allAcked();
    } finally {
      await worker.stop();
    }
    const text = await scrape();
    const counts = (agency: string, camera: string) => [
      sample(text, 'platewatch_camera_reads_total', { agency, camera }),
      sample(text, 'platewatch_camera_refused_reads_total', { agency, camera }),
    ];
    expect(counts('fleeta', 'cam1')).toEqual([3, 1]);
    expect(counts('fleeta', 'cam2')).toEqual([2, 2]);
    expect(counts('fleeta', 'cam3')).toEqual([0, 2]);
    expect(counts('fleetb', 'cam1')).toEqual([1, 0]);
    expect(text).not.toContain('c@m');
    const delta = (name: string) => (sample(text, name) ?? 0) - (sample(before, name) ?? 0);
    expect(delta('platewatch_reads_total')).toBe(6);
    expect(delta('platewatch_invalid_reads_total')).toBe(1 + 2 + 2 + 1);
    // A camera whose every read was refused has no last-read time; the others have one.
    expect(sample(text, 'platewatch_camera_last_read_seconds', { agency: 'fleeta', camera: 'cam3' })).toBeUndefined();
    expect(sample(text, 'platewatch_camera_last_read_seconds', { agency: 'fleetb', camera: 'cam1' })).toBeGreaterThan(0);
  }, 120_000);

  it('moves the last-read time to when the pipeline took the newest valid read, whatever its ts, and not for a refused read', async () => {
    const worker = await startWorker();
    const lastRead = async () => sample(await scrape(), 'platewatch_camera_last_read_seconds', { agency: 'lasta', camera: 'cam1' });
    try {
      const first = Date.now();
      await publish(readsSubject('lasta', 'cam1'), read('lasta', 'cam1'));
      await allAcked();
      const t1 = await lastRead();
      expect(t1).toBeGreaterThanOrEqual(first / 1000);
      expect(t1).toBeLessThanOrEqual(Date.now() / 1000);

      await new Promise((r) => setTimeout(r, 20));
      await publish(readsSubject('lasta', 'cam1'), read('lasta', 'cam1', { plate: 'NOT A PLATE!' }));
      await allAcked();
      expect(await lastRead()).toBe(t1);

      // A backlog read three days old, uploaded now: the camera is alive now.
      const second = Date.now();
      await publish(readsSubject('lasta', 'cam1'), read('lasta', 'cam1', { ts: second - 3 * 86_400_000 }));
      await allAcked();
      const t2 = await lastRead();
      expect(t2).toBeGreaterThan(t1 as number);
      expect(t2).toBeGreaterThanOrEqual(second / 1000);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe('the camera cap', () => {
  it('takes its size from the configuration', () => {
    expect(system.pipelineMetrics.cameras.maxCameras).toBe(1234);
  });

  it('counts cameras past the cap as camera="_other" of their agency (or of agency "_other"), and warns once', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(chunk.toString()); done(); } }));
    const registry = new MetricsRegistry();
    const worker = await startWorker(createPipelineMetrics(registry, { maxCameras: 2 }), logger);
    try {
      for (const camera of ['cam1', 'cam2', 'cam3', 'cam4', 'cam1']) await publish(readsSubject('capa', camera), read('capa', camera));
      await publish(readsSubject('capa', 'cam4'), read('capa', 'cam4', { plate: 'NOT A PLATE!' }));
      await publish(readsSubject('capz', 'cam9'), read('capz', 'cam9'));
      await allAcked();
    } finally {
      await worker.stop();
    }
    const text = await registry.render();
    expect(sample(text, 'platewatch_camera_reads_total', { agency: 'capa', camera: 'cam1' })).toBe(2);
    expect(sample(text, 'platewatch_camera_reads_total', { agency: 'capa', camera: 'cam2' })).toBe(1);
    expect(sample(text, 'platewatch_camera_reads_total', { agency: 'capa', camera: '_other' })).toBe(2);
    expect(sample(text, 'platewatch_camera_refused_reads_total', { agency: 'capa', camera: '_other' })).toBe(1);
    expect(sample(text, 'platewatch_camera_reads_total', { agency: '_other', camera: '_other' })).toBe(1);
    expect(sample(text, 'platewatch_camera_last_read_seconds', { agency: 'capa', camera: '_other' })).toBeGreaterThan(0);
    expect(text).not.toMatch(/cam3|cam4|cam9|capz/);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; camera?: string; maxCameras?: number }).filter((l) => l.msg.includes('_other'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ camera: 'cam3', maxCameras: 2 });
  }, 120_000);

  // Security assessment: 5,100 one-byte junk messages under made-up camera tokens took every slot,
  // and a real camera added afterwards showed only inside _other.
  it('gives cameras seen only with refused reads a reserve of a tenth of the cap, so refused junk cannot take the slots of cameras sending valid reads', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(chunk.toString()); done(); } }));
    const registry = new MetricsRegistry();
    const metrics = createPipelineMetrics(registry, { maxCameras: 20 });
    expect(metrics.cameras.refusedOnlySlots).toBe(2);
    const worker = await startWorker(metrics, logger);
    const junk = Uint8Array.of(0xc1);
    try {
      await publish(readsSubject('resa', 'real1'), read('resa', 'real1'));
      for (let i = 0; i < 30; i++) await publish(readsSubject('resa', `junk${i}`), junk);
      // A camera added after the flood gets a series of its own.
      await publish(readsSubject('resa', 'real2'), read('resa', 'real2'));
      // A reserve camera's first valid read moves it to the main cap and frees its reserve slot.
      await publish(readsSubject('resa', 'junk0'), read('resa', 'junk0'));
      await publish(readsSubject('resa', 'junk30'), junk);
      await publish(readsSubject('resa', 'junk31'), junk);
      // Every one of the 20 main slots is still there for cameras with valid reads: 3 taken so far.
      for (let i = 3; i <= 20; i++) await publish(readsSubject('resa', `real${i}`), read('resa', `real${i}`));
      await allAcked();
    } finally {
      await worker.stop();
    }
    const text = await registry.render();
    const reads = (camera: string) => sample(text, 'platewatch_camera_reads_total', { agency: 'resa', camera });
    const refused = (camera: string) => sample(text, 'platewatch_camera_refused_reads_total', { agency: 'resa', camera });
    expect([reads('real1'), reads('real2'), reads('real19')]).toEqual([1, 1, 1]);
    expect([reads('junk0'), refused('junk0')]).toEqual([1, 1]);
    // Cameras whose every read is refused stay visible, as many as the reserve holds.
    expect([reads('junk1'), refused('junk1')]).toEqual([0, 1]);
    expect([reads('junk30'), refused('junk30')]).toEqual([0, 1]);
    expect(sample(text, 'platewatch_camera_last_read_seconds', { agency: 'resa', camera: 'junk1' })).toBeUndefined();
    expect(reads('junk2')).toBeUndefined();
    expect(reads('junk31')).toBeUndefined();
    // junk2…junk29 and junk31 refused, and the 21st camera with valid reads.
    expect([reads('_other'), refused('_other')]).toEqual([1, 29]);
    expect(reads('real20')).toBeUndefined();
    const cameras = text.split('\n').filter((l) => l.startsWith('platewatch_camera_reads_total{agency="resa"'));
    expect(cameras).toHaveLength(20 + 2 + 1);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; camera?: string; maxCameras?: number; refusedOnlySlots?: number }).filter((l) => l.msg.includes('_other'));
    expect(warnings).toHaveLength(2);
    expect(warnings.find((w) => w.refusedOnlySlots !== undefined)).toMatchObject({ camera: 'junk2', refusedOnlySlots: 2 });
    expect(warnings.find((w) => w.maxCameras !== undefined)).toMatchObject({ camera: 'real20', maxCameras: 20 });
  }, 120_000);
});
