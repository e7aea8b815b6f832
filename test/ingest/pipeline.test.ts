// The pipeline worker against what cameras can send that must not stop it (docs/wire.md, "Invalid
// reads"), with real processes: nats-server (JetStream, 1 MiB max_payload), chDB and the matcher.
// Each test runs its own worker on the shared READS consumer and waits until it has acked all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { detectionSink, type RunningSystem } from '../../bin/system.js';
import {
  createPipelineMetrics,
  decodeHitMessage,
  INVALID_READS_STREAM,
  INVALID_READS_SUBJECT,
  INVALID_SUBJECT_HEADER,
  INVALID_TRUNCATED_HEADER,
  HITS_STREAM,
  publishHotlist,
  invalidReadsOf,
  INVALID_REASONS_NOT_KEPT,
  MetricsRegistry,
  PIPELINE_CONSUMER,
  PipelineWorker,
  READS_STREAM,
  readsSubject,
  type DetectionSink,
  type PipelineMetrics,
} from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { startSystemWithSvs } from '../fixtures/system.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-pipeline-'));
let system: RunningSystem;
let jsm: JetStreamManager;

beforeAll(async () => {
  system = await startSystemWithSvs(dir);
  jsm = await jetstreamManager(system.nc);
}, 60_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await jsm.streams.purge(INVALID_READS_STREAM);
});

/** A worker on `sink` (storage by default), and the read ids of every hit published meanwhile. */
async function startWorker(
  sink: DetectionSink = detectionSink(system.writer),
  options: { pullBatch?: number; maxReadsInFlight?: number; maxHoldMs?: number; limits?: { retentionSeconds: number }; logger?: pino.Logger } = {},
): Promise<{ metrics: PipelineMetrics; hits: string[]; stop: () => Promise<void> }> {
  const metrics = createPipelineMetrics(new MetricsRegistry());
  // Pulls of 1 s, nats.js's shortest: each test's stop waits out the pull under way.
  const worker = new PipelineWorker({ js: system.js, matcher: system.matcher, sink, metrics, logger: pino({ level: 'silent' }), retryDelayMs: 100, pullExpiresMs: 1000, ...options });
  const hits: string[] = [];
  const sub = system.nc.subscribe('alpr.hits.>', {
    callback: (_e, msg) => {
      const hit = decodeHitMessage(msg.data);
      if (!hit.historical) hits.push(hit.read.id);
    },
  });
  await worker.start();
  return { metrics, hits, stop: async () => { await worker.stop(); sub.unsubscribe(); } };
}

// Each wait involves nats-server and chDB on a possibly loaded 2-core machine; the tests' own
// timeouts (120 s) cover the up to three waits each of them makes.
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function allAcked(): Promise<boolean> {
  const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

async function copiesKept(): Promise<{ messages: number; bytes: number }> {
  const { state } = await jsm.streams.info(INVALID_READS_STREAM);
  return { messages: state.messages, bytes: state.bytes };
}

async function lastCopy(): Promise<StoredMsg> {
  const copy = await jsm.streams.getMessage(INVALID_READS_STREAM, { last_by_subj: INVALID_READS_SUBJECT });
  if (copy === null) throw new Error('no copy on alpr.invalid.reads');
  return copy;
}

async function storedReads(idPrefix: string): Promise<number> {
  const rs = await system.storage.client.query({ query: `SELECT count() AS n FROM ${system.storage.db}.detections FINAL WHERE startsWith(read_id, '${idPrefix}')`, format: 'JSONEachRow' });
  return Number(((await rs.json()) as Array<{ n: string | number }>)[0]?.n ?? 0);
}

function read(id: string, plate: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, id, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate, ...extra };
}

async function publish(data: Uint8Array, msgID: string, camera = 'cam1'): Promise<void> {
  await system.js.publish(readsSubject('wpd', camera), data, { msgID });
}

describe('pipeline worker and bad input', () => {
  it('moves a read with a 600 KB plate to alpr.invalid.reads with a short reason, acks it, and goes on storing the next reads', async () => {
    const worker = await startWorker();
    const long = pack(read('longplate-0', 'A'.repeat(600_000)));
    await publish(long, 'longplate-0');
    for (let i = 1; i <= 20; i++) await publish(pack(read(`longplate-${i}`, `L${String(i).padStart(5, '0')}`)), `longplate-${i}`);

    await until('every read acked', allAcked);
    await until('the next reads stored', async () => (await storedReads('longplate-')) === 20);
    await worker.stop();
    expect(await copiesKept()).toMatchObject({ messages: 1 });
    const copy = await lastCopy();
    expect(invalidReadsOf(copy.header)).toEqual([{ index: -1, reason: `plate "${'A'.repeat(32)}…" (600000 characters) is longer than 8 characters` }]);
    expect(copy.header.get(INVALID_SUBJECT_HEADER)).toBe(readsSubject('wpd', 'cam1'));
    expect(Buffer.compare(copy.data, long)).toBe(0);
    expect(worker.metrics.invalidReads.get()).toBe(1);
  }, 120_000);

  it('logs the refusals not yet summed up when it stops, before the minute is out (found by QA)', async () => {
    const lines: Array<{ msg: string; refused?: number }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const worker = await startWorker(undefined, { logger });
    for (let i = 0; i < 10; i++) await publish(pack(read(`stoplog-${i}`, '')), `stoplog-${i}`);
    await until('every read acked', allAcked);
    await until('ten refusals counted', async () => worker.metrics.invalidReads.get() === 10);
    expect(lines.filter((l) => l.msg.includes('refused'))).toHaveLength(1);
    await worker.stop();
    const summary = lines.filter((l) => /^9 reads refused (at|in) /.test(l.msg));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.msg).toContain(`from ${readsSubject('wpd', 'cam1')} (9)`);
  }, 120_000);

  it('copies a 1,000-read batch with every read refused once, about the size of the original, listing 1,000 refusals', async () => {
    const worker = await startWorker();
    const batch = pack(Array.from({ length: 1000 }, (_, i) => read(`v2-${i}`, `V${String(i).padStart(5, '0')}`, { v: 2, camera: 'gw1' })));
    await publish(batch, 'v2-batch', 'gw1');

    await until('the batch acked', allAcked);
    await worker.stop();
    const kept = await copiesKept();
    expect(kept.messages).toBe(1);
    // The stream's bytes count subject, headers and body: one copy with a few KB of headers.
    expect(kept.bytes).toBeLessThan(batch.length * 1.1);
    const copy = await lastCopy();
    expect(Buffer.compare(copy.data, batch)).toBe(0);
    const refusals = invalidReadsOf(copy.header);
    expect(refusals.map((r) => r.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(refusals.map((r) => r.reason))).toEqual(new Set(['schema version 2 is not supported (this receiver speaks 1)']));
    expect(worker.metrics.invalidReads.get()).toBe(1000);
    expect(await storedReads('v2-')).toBe(0);
  }, 120_000);

  it('copies once, and acks, a 1,000-read batch whose reads are each refused for a reason of their own (headers past 64 KiB)', async () => {
    // Each reason quotes its plate: about 90 KB of reasons, more than JetStream stores in the
    // headers of one message. The copy failed to publish and the batch came back for ever.
    const worker = await startWorker();
    const batch = pack(Array.from({ length: 1000 }, (_, i) => read(`own-${i}`, `CA7ABC${String(i).padStart(4, '0')}`, { camera: 'gw1' })));
    await publish(batch, 'own-reasons-batch', 'gw1');

    await until('the batch acked', allAcked);
    await worker.stop();
    expect((await copiesKept()).messages).toBe(1);
    const copy = await lastCopy();
    expect(Buffer.compare(copy.data, batch)).toBe(0);
    const refusals = invalidReadsOf(copy.header);
    expect(refusals.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(refusals.find((r) => r.index === 0)?.reason).toBe('plate "CA7ABC0000" is longer than 8 characters');
    expect(refusals.find((r) => r.index === 999)?.reason).toBe(INVALID_REASONS_NOT_KEPT);
    expect(worker.metrics.invalidReads.get()).toBe(1000);
  }, 120_000);

  it('refuses reads published under an agency token NATS allows and the wire does not (q@a, 70 characters), storing none', async () => {
    const worker = await startWorker();
    const long = 'a'.repeat(70);
    await system.js.publish('alpr.reads.q@a.c1', pack(read('badagency-1', 'BAD0001', { agency: 'q@a' })), { msgID: 'badagency-1' });
    await system.js.publish(`alpr.reads.${long}.c1`, pack(read('badagency-2', 'BAD0002', { agency: long })), { msgID: 'badagency-2' });
    await publish(pack(read('badagency-3', 'GOOD003')), 'badagency-3');

    await until('every read acked', allAcked);
    await until('the good read stored', async () => (await storedReads('badagency-')) === 1);
    await worker.stop();
    expect((await copiesKept()).messages).toBe(2);
    const first = await jsm.streams.getMessage(INVALID_READS_STREAM, { seq: (await jsm.streams.info(INVALID_READS_STREAM)).state.first_seq });
    expect(invalidReadsOf(first?.header)).toEqual([{ index: -1, reason: 'the subject\'s agency token "q@a" must be 1–64 characters of A-Za-z0-9_-' }]);
    expect(invalidReadsOf((await lastCopy()).header)[0]?.reason).toMatch(/^the subject's agency token "a{32}…" \(70 characters\)/);
  }, 120_000);

  it('does not keep a second copy when a message is redelivered after its batch failed to be stored', async () => {
    const real = detectionSink(system.writer);
    let calls = 0;
    const sink: DetectionSink = {
      enqueue: (reads) => (++calls === 1 ? Promise.reject(new Error('storage refused the batch (test)')) : real.enqueue(reads)),
    };
    const worker = await startWorker(sink);
    // One valid read (waits on storage) and one refused read in one gateway message.
    await publish(pack([read('redeliver-ok', 'R00001', { camera: 'gw1' }), read('redeliver-bad', 'R00002', { camera: 'gw1', v: 2 })]), 'redeliver-batch', 'gw1');

    await until('the message acked', allAcked);
    await worker.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(worker.metrics.batchFailures.get()).toBeGreaterThanOrEqual(1);
    // Counted once, not once a delivery: rate() of the counters is the traffic even through an outage.
    expect(worker.metrics.invalidReads.get()).toBe(1);
    expect(worker.metrics.readsIn.get()).toBe(1);
    expect(await storedReads('redeliver-')).toBe(1);
    expect((await copiesKept()).messages).toBe(1);
    expect(invalidReadsOf((await lastCopy()).header)).toEqual([{ index: 1, reason: 'schema version 2 is not supported (this receiver speaks 1)' }]);
  }, 120_000);

  it('acks a message with no valid read once its copy is kept, while storage refuses the other reads', async () => {
    const real = detectionSink(system.writer);
    let storageUp = false;
    let refusedBatches = 0;
    const sink: DetectionSink = {
      enqueue: (reads) => {
        if (storageUp) return real.enqueue(reads);
        refusedBatches++;
        return Promise.reject(new Error('storage down (test)'));
      },
    };
    // Published before the worker starts, so both come in its first pull, in one batch.
    await publish(pack(read('outage-bad', 'NOT A PLATE!')), 'outage-bad');
    await publish(pack(read('outage-ok', 'O00001')), 'outage-ok');
    const worker = await startWorker(sink);

    await until('three refused batches', async () => refusedBatches >= 3);
    await until('the refused message acked, the other not', async () => {
      const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
      return info.num_pending + info.num_ack_pending === 1;
    });
    expect((await copiesKept()).messages).toBe(1);
    storageUp = true;
    await until('the valid read acked', allAcked);
    await worker.stop();
    expect(await storedReads('outage-')).toBe(1);
    expect((await copiesKept()).messages).toBe(1);
    expect(worker.metrics.invalidReads.get()).toBe(1);
  }, 120_000);

  it('refuses a read whose vehicle.make is near 1 MiB, with no hit, keeps as much of it as fits, and goes on storing and alerting', async () => {
    const worker = await startWorker();
    const huge = pack(read('vehicle-long', '7ABC123', { vehicle: { make: 'X'.repeat(1024 * 1024 - 256), color: 'BLK' } }));
    await publish(huge, 'vehicle-long');
    await publish(pack(read('vehicle-ok', '7ABC123', { vehicle: { make: 'TOYOTA', color: 'BLK' } })), 'vehicle-ok');

    await until('both acked', allAcked);
    await until('the valid read stored', async () => (await storedReads('vehicle-')) === 1);
    await until('its hit', async () => worker.hits.length > 0);
    await worker.stop();
    expect(worker.hits).toEqual(['vehicle-ok']);
    const copy = await lastCopy();
    expect(invalidReadsOf(copy.header)).toEqual([{ index: -1, reason: `vehicle.make is ${1024 * 1024 - 256} characters; at most 64 are allowed` }]);
    // The original and the copy's headers do not fit in max_payload together: the head is kept.
    expect(copy.header.get(INVALID_TRUNCATED_HEADER)).toBe(String(huge.length));
    expect(copy.data.length).toBeGreaterThan(huge.length - 1024);
    expect(Buffer.compare(copy.data, huge.subarray(0, copy.data.length))).toBe(0);
  }, 120_000);

  it('publishes a hit for each of two entries listing one plate for two states, each under its own hit id', async () => {
    const config = resolveMatcherConfig();
    const entries = ['CA', 'TX'].map((state) => {
      const r = validateEntry({ plate: '7DUP777', state, list: 'SFR', reason: 'Felony vehicle' }, config);
      if (!r.ok) throw new Error(r.reason);
      return r.entry;
    });
    await publishHotlist(system.hotlists, 'SFR', entries, 'test');
    await until('SFR in force', async () => system.matcher.current.get('SFR') !== undefined);
    const worker = await startWorker();
    await publish(pack(read('two-states', '7DUP777', { state: 'CA' })), 'two-states');
    await until('both acked', allAcked);
    await worker.stop();
    // JetStream keeps a hit only once per id: two entries under one id left the dispatcher one hit,
    // possibly the other state's.
    const { state } = await jsm.streams.info(HITS_STREAM, { subjects_filter: 'alpr.hits.wpd.SFR' });
    expect(state.subjects?.['alpr.hits.wpd.SFR']).toBe(2);
  }, 120_000);

  it('stops pulling while the reads it holds for storage reach maxReadsInFlight, and pulls the rest once storage takes them', async () => {
    // Storage that takes nothing until released, as a slow or hung ClickHouse does.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const storage = detectionSink(system.writer);
    const slow: DetectionSink = { enqueue: async (reads) => ({ durable: released.then(async () => (await storage.enqueue(reads)).durable) }) };
    const worker = await startWorker(slow, { pullBatch: 100, maxReadsInFlight: 500 });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 3000; i++) pending.push(publish(pack(read(`held-${i}`, `H${String(i).padStart(5, '0')}`)), `held-${i}`));
    await Promise.all(pending);
    // Delivered and unacked: the bound plus at most one pull, not all 3,000 (nor max_ack_pending).
    await until('the worker to hold reads', async () => (await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER)).num_ack_pending >= 500);
    await new Promise((r) => setTimeout(r, 1500)); // several pulls' time: it would have pulled more by now
    const held = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
    expect(held.num_ack_pending).toBeLessThanOrEqual(600);
    expect(held.num_pending).toBeGreaterThanOrEqual(2400);
    release();
    await until('all acked', allAcked, 60_000);
    await worker.stop();
    expect(await storedReads('held-')).toBe(3000);
  }, 120_000);

  describe('a camera clock that is wrong, or a backlog', () => {
    const DAY = 24 * 3600 * 1000;
    /** Whole seconds, so that a reason quotes the time as 2025-11-01T12:00:00Z. */
    const daysAgo = (days: number): number => Math.floor(Date.now() / 1000) * 1000 - days * DAY;
    const isoSeconds = (ts: number): string => `${new Date(ts).toISOString().slice(0, -5)}Z`;

    it('refuses a 400-day-old read to alpr.invalid.reads with no hit, and matches and stores a 3-day-old backlog read', async () => {
      const worker = await startWorker();
      const ts = daysAgo(400);
      const stale = pack(read('clock-400d', '7ABC123', { ts }));
      await publish(stale, 'clock-400d');
      await publish(pack(read('clock-3d', '7ABC123', { ts: daysAgo(3) })), 'clock-3d');

      await until('both acked', allAcked);
      await until('the backlog read stored', async () => (await storedReads('clock-')) === 1);
      await until('its hit', async () => worker.hits.length > 0);
      await worker.stop();
      expect(worker.hits).toEqual(['clock-3d']);
      expect(await storedReads('clock-3d')).toBe(1);
      expect(await copiesKept()).toMatchObject({ messages: 1 });
      const copy = await lastCopy();
      expect(invalidReadsOf(copy.header)).toEqual([{ index: -1, reason: `ts ${isoSeconds(ts)} is 400 days old, older than the 365 days kept: camera clock?` }]);
      expect(Buffer.compare(copy.data, stale)).toBe(0);
      expect(worker.metrics.invalidReads.get()).toBe(1);
    }, 120_000);

    it('takes the retention it is given: with 730 days kept, raises the hit of a 400-day-old read and refuses an 800-day-old one', async () => {
      const worker = await startWorker(detectionSink(system.writer), { limits: { retentionSeconds: 730 * 86_400 } });
      const ts = daysAgo(800);
      await publish(pack(read('kept730-800d', '7ABC123', { ts })), 'kept730-800d');
      await publish(pack(read('kept730-400d', '7ABC123', { ts: daysAgo(400) })), 'kept730-400d');

      await until('both acked', allAcked);
      await until('the hit', async () => worker.hits.length > 0);
      await worker.stop();
      // Not looked for in storage: this system keeps 365 days, so storage purges it (the flow test
      // test/flows/camera-clock.test.ts runs a system that keeps 730).
      expect(worker.hits).toEqual(['kept730-400d']);
      expect(await copiesKept()).toMatchObject({ messages: 1 });
      expect(invalidReadsOf((await lastCopy()).header)).toEqual([{ index: -1, reason: `ts ${isoSeconds(ts)} is 800 days old, older than the 730 days kept: camera clock?` }]);
      expect(worker.metrics.invalidReads.get()).toBe(1);
    }, 120_000);

    it('leaves out of the latency histograms the hits of reads whose camera time is days behind or hours ahead', async () => {
      const worker = await startWorker();
      await publish(pack(read('latency-3d', '7ABC123', { ts: daysAgo(3) })), 'latency-3d');
      await publish(pack(read('latency-ahead', '7ABC123', { ts: Date.now() + 2 * 3600 * 1000 })), 'latency-ahead');
      await publish(pack(read('latency-now', '7ABC123')), 'latency-now');

      await until('all acked', allAcked);
      await until('three hits', async () => worker.hits.length === 3);
      await worker.stop();
      expect(worker.metrics.hits.get({ list: 'SVS', kind: 'exact' })).toBe(3);
      expect(worker.metrics.readToHitSeconds.observations).toBe(1);
      expect(worker.metrics.readToStoredSeconds.observations).toBe(1);
      const sum = Number(/_sum (\S+)/.exec(worker.metrics.readToHitSeconds.render())?.[1]);
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sum).toBeLessThan(60);
    }, 120_000);
  });

  describe('reads held while storage is slow, with a 1.5 s ack wait', () => {
    beforeAll(async () => {
      await jsm.consumers.update(READS_STREAM, PIPELINE_CONSUMER, { ack_wait: nanos(1500) });
    });
    afterAll(async () => {
      await jsm.consumers.update(READS_STREAM, PIPELINE_CONSUMER, { ack_wait: nanos(30_000) });
    });

    /** Storage that takes nothing for `holdMs`, counting how often each read is handed to it. */
    async function holdStorage(prefix: string, holdMs: number, maxHoldMs?: number): Promise<Map<string, number>> {
      const handed = new Map<string, number>();
      const storage = detectionSink(system.writer);
      const slow: DetectionSink = {
        enqueue: async (reads) => {
          for (const r of reads) handed.set(r.id, (handed.get(r.id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, holdMs));
          return storage.enqueue(reads);
        },
      };
      const worker = await startWorker(slow, maxHoldMs === undefined ? {} : { maxHoldMs });
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) pending.push(publish(pack(read(`${prefix}-${i}`, `W${String(i).padStart(5, '0')}`)), `${prefix}-${i}`));
      await Promise.all(pending);
      await until('all acked', allAcked, 60_000);
      await worker.stop();
      expect(await storedReads(`${prefix}-`)).toBe(200);
      return handed;
    }

    it('are not redelivered while the worker waits on storage for longer than the ack wait: each read reaches storage once', async () => {
      const handed = await holdStorage('slowstore', 5000);
      expect(handed.size).toBe(200);
      expect([...handed.values()].filter((n) => n > 1)).toEqual([]);
    }, 120_000);

    it('are redelivered once held past maxHoldMs, as if the worker had died', async () => {
      const handed = await holdStorage('stuckstore', 5000, 500);
      expect(handed.size).toBe(200);
      expect([...handed.values()].some((n) => n > 1)).toBe(true);
    }, 120_000);
  });
});
