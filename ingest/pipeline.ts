// The pipeline worker: pull reads from the shared durable consumer, decode and validate, match,
// publish hits, hand detections to storage, and ack each message only once everything it carried
// is durable (DESIGN.md: at-least-once, idempotent by read id). Several workers — in this process
// or others — may share the consumer; JetStream spreads messages between them.
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Matcher } from '../matcher/index.js';
import { StorageError } from '../storage/index.js';
import { encodeHitMessage, hitId, HIT_MESSAGE_VERSION, type HitMessage } from './hit-message.js';
import { invalidCopy } from './invalid-copy.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import { InvalidReadLog } from './invalid-read-log.js';
import { PullOutage } from './pull-outage.js';
import { PullSizer } from './pull-size.js';
import { PIPELINE_CONSUMER } from './streams.js';
import { checkReadsSubject, hitsSubject, INVALID_READS_SUBJECT, READS_STREAM } from './subjects.js';
import type { Histogram } from './metrics.js';
import { CONTENT_TYPE_HEADER, decodeReadMessage, DEFAULT_WIRE_LIMITS, type WireLimits, type WireRead } from './wire.js';

/** Where detections go; `durable` settles once they are stored (storage's DetectionWriter fits). */
export interface DetectionSink {
  enqueue(reads: readonly WireRead[]): Promise<{ durable: Promise<unknown> }>;
  /** Keeps the batch's hits; settles once they are stored. Optional: a sink may keep reads only. */
  recordHits?(hits: readonly HitMessage[]): Promise<unknown>;
}

export interface PipelineOptions {
  js: JetStreamClient;
  matcher: Matcher;
  sink: DetectionSink;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Messages pulled ahead per request, at most (ingest/pull-size.ts may ask for fewer). @default 1000 */
  pullBatch?: number;
  /** Redelivery delay after a failed store or publish. @default 2000 */
  retryDelayMs?: number;
  /**
   * Reads pulled and not yet stored and acked, at most (plus one pull): no new pull starts while
   * this many are waiting. Give the writer's `maxQueuedRows`, so reads wait in the stream, not in
   * memory, while storage is slow. @default DEFAULT_MAX_READS_IN_FLIGHT
   */
  maxReadsInFlight?: number;
  /**
   * What the wire accepts; each limit left out takes DEFAULT_WIRE_LIMITS's. `maxMessageBytes` is
   * also taken as NATS's max_payload (1 MiB by default, like the server's): the copy of a refused
   * message, headers included, is kept within it. Give `retentionSeconds` as storage keeps reads
   * (bin/system.ts does), or reads that storage would purge on arrival are accepted.
   */
  limits?: Partial<WireLimits>;
  /**
   * How long a held batch keeps telling JetStream it is still being worked on (see
   * `signalProgress`); past it, JetStream redelivers it as if this worker had died.
   * @default 300000
   */
  maxHoldMs?: number;
  /**
   * How long a pull waits for messages when the stream is idle, and so how long a graceful stop
   * may wait for the pull under way (it lets the pull end rather than drop what the server may
   * be sending). At least 1000 (nats.js's minimum). @default DEFAULT_PULL_EXPIRES_MS
   */
  pullExpiresMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** A pull waits this long for messages when the stream is idle; a stop waits at most this long. */
export const DEFAULT_PULL_EXPIRES_MS = 2000;
/** The storage writer's own default bound on queued detections (storage/config.ts). */
export const DEFAULT_MAX_READS_IN_FLIGHT = 200_000;
/**
 * The latency histograms measure from the camera's `ts`, because how stale an alert is when it
 * reaches a dispatcher includes the camera's upload. A read more than this old when it is handled
 * is a camera clock that is wrong or a backlog uploaded after an outage, not latency: observing
 * it made the sum jump by 884 million seconds (a clock reset to 2000). Measuring such reads from
 * when the pipeline took them instead would mix two meanings in one histogram, so they are left
 * out; they are still counted (platewatch_hits_total, platewatch_reads_total).
 */
const MAX_OBSERVED_LATENCY_MS = 3600 * 1000;
/** A camera clock this far ahead still counts as on time (latency 0); further ahead, not observed. */
const OBSERVED_CLOCK_AHEAD_MS = 1000;

/** Messages handed on and not yet acked or left to JetStream, with when they were pulled. */
interface HeldBatch {
  messages: JsMsg[];
  since: number;
}

export class PipelineWorker {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private batch: JsMsg[] = [];
  private flushScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Reads of the batches in `inFlight`: handed on, not yet acked or left to JetStream. */
  private readsInFlight = 0;
  private readonly held = new Set<HeldBatch>();
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly options: Required<Omit<PipelineOptions, 'limits'>> & { limits: WireLimits };
  private readonly invalidLog: InvalidReadLog;

  constructor(options: PipelineOptions) {
    this.options = {
      pullBatch: 1000,
      retryDelayMs: 2000,
      maxHoldMs: 300_000,
      maxReadsInFlight: DEFAULT_MAX_READS_IN_FLIGHT,
      pullExpiresMs: DEFAULT_PULL_EXPIRES_MS,
      now: Date.now,
      ...options,
      limits: { ...DEFAULT_WIRE_LIMITS, ...options.limits },
    };
    this.invalidLog = new InvalidReadLog(this.options.logger);
  }

  async start(): Promise<void> {
    const consumer = await this.options.js.consumers.get(READS_STREAM, PIPELINE_CONSUMER);
    // The server's default ack wait is 30 s; streams.ts sets the same unless configured.
    const ackWaitMs = ((await consumer.info(true)).config.ack_wait ?? 30e9) / 1e6;
    // A third of the ack wait: two signals may be late or lost before JetStream gives up on a batch.
    this.progressTimer = setInterval(() => this.signalProgress(), Math.max(100, ackWaitMs / 3));
    this.progressTimer.unref();
    this.loop = this.run(consumer);
  }

  /** Graceful stop: no more pulls, finish what was pulled, wait until it is stored and acked. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.flush();
    // Before the wait on acks, which a lost NATS may cut short: the refusals are all counted by now.
    this.invalidLog.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    clearInterval(this.progressTimer);
  }

  /**
   * Tells JetStream that batches still waiting on storage are being worked on. Without it a batch
   * that waited longer than the consumer's ack wait (30 s) while storage was slow was redelivered
   * and handed to storage a second time, on top of the backlog that made it slow, its hits
   * republished. A worker that dies stops signalling, so its batches still come back after the ack
   * wait; so does a batch held past `maxHoldMs`, in case what it waits on never settles.
   */
  private signalProgress(): void {
    const now = Date.now();
    for (const batch of this.held) {
      if (now - batch.since > this.options.maxHoldMs) continue;
      try {
        for (const m of batch.messages) m.working();
      } catch (error) {
        // The connection is closed or closing: nothing to tell, and redelivery is what follows.
        this.options.logger.debug({ err: error }, 'could not signal progress on held reads');
        return;
      }
    }
  }

  /**
   * Bounded pulls rather than an open-ended consume: every message the server hands out belongs
   * to a pull this loop finishes, so a stop never leaves delivered reads unprocessed (they would
   * sit unacked until the ack wait expired).
   */
  private async run(consumer: Consumer): Promise<void> {
    const expires = Math.max(1000, this.options.pullExpiresMs);
    const sizer = new PullSizer(this.options.pullBatch, expires);
    const outage = new PullOutage(this.options.logger);
    while (!this.stopping) {
      // Backpressure: without it each pull started as soon as the last one ended, and while
      // storage was slow a worker held up to the consumer's max_ack_pending messages (of up to
      // 1,000 reads each) in memory, waiting for room in the writer.
      while (this.readsInFlight >= this.options.maxReadsInFlight && this.inFlight.size > 0 && !this.stopping) {
        await Promise.race(this.inFlight);
      }
      if (this.stopping) break;
      const startedAt = Date.now();
      let received = 0;
      try {
        const messages = await consumer.fetch({ max_messages: sizer.size, expires });
        for await (const m of messages) {
          received++;
          this.batch.push(m);
          // Messages already buffered arrive in one run of microtasks; setImmediate fires after it,
          // so one flush takes them all: one storage call and one promise per batch, not per read.
          if (!this.flushScheduled) {
            this.flushScheduled = true;
            setImmediate(() => this.flush());
          }
        }
        // Ended as pulls end (its messages or its expiry), so NATS answered.
        outage.answered();
      } catch (error) {
        // A pull that missed its heartbeats is over (RELIABILITY.md, "Pull stalls"): pull again
        // at once. Anything else (NATS down or reconnecting): pull again shortly; JetStream keeps
        // the reads.
        const missed = error instanceof Error && error.message === 'heartbeats missed';
        outage.failed(error);
        this.options.metrics.pullFailures.inc(1, { reason: missed ? 'heartbeats_missed' : 'other' });
        if (!missed) await new Promise((resolve) => setTimeout(resolve, 500));
      } finally {
        sizer.record(received, Date.now() - startedAt);
      }
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const { js, matcher, metrics, now } = this.options;
    const nowMs = now();
    // Messages that carried valid reads are acked once those are stored; messages that carried
    // none, once their copy on alpr.invalid.reads is kept. A storage outage then holds back only
    // the former, and the latter are not redelivered to be copied again.
    const held: JsMsg[] = [];
    const waits: Promise<unknown>[] = [];
    const refused: JsMsg[] = [];
    const copies: Promise<unknown>[] = [];
    const reads: WireRead[] = [];
    const hitMessages: HitMessage[] = [];
    // Reads, refusals and hits are counted on a message's first delivery only: during a storage
    // outage every batch came back every few seconds, and the counters grew 5–10× faster than
    // reads arrived (found by QA sizing from rate(platewatch_reads_total)).
    let readsCounted = 0;
    for (const m of batch) {
      const counted = !m.redelivered;
      const subject = checkReadsSubject(m.subject);
      const contentType = m.headers?.get(CONTENT_TYPE_HEADER) || undefined;
      const decoded = typeof subject === 'string'
        ? { reads: [], invalid: [{ index: -1, reason: subject }] }
        : decodeReadMessage(m.data, contentType, subject.agency, nowMs, this.options.limits);
      // A subject that names no camera is refused whole and counted in the total only.
      if (counted && typeof subject !== 'string') metrics.cameras.record(m.subject, subject.agency, subject.camera, decoded.reads.length, decoded.invalid.length, nowMs);
      if (decoded.invalid.length > 0) {
        // Counted per read; copied once per message (docs/wire.md, "Invalid reads").
        if (counted) metrics.invalidReads.inc(decoded.invalid.length);
        if (counted) this.invalidLog.refused(m.subject, decoded.invalid.length, decoded.invalid[0]?.reason ?? '', nowMs);
        const copy = invalidCopy({ subject: m.subject, seq: m.seq, data: m.data, contentType }, decoded.invalid, this.options.limits.maxMessageBytes);
        const kept = js.publish(INVALID_READS_SUBJECT, copy.data, { headers: copy.headers, msgID: copy.msgID });
        if (decoded.reads.length === 0) {
          refused.push(m);
          copies.push(kept);
          continue;
        }
        waits.push(kept);
      }
      held.push(m);
      if (counted) readsCounted += decoded.reads.length;
      for (const read of decoded.reads) {
        reads.push(read);
        const hits = matcher.matchRead(read, nowMs);
        for (let i = 0; i < hits.length; i++) {
          const hit = hits[i]!;
          const id = hitId(read, hit.list, hit.entry, hit);
          const publishedAt = now();
          const message: HitMessage = { v: HIT_MESSAGE_VERSION, hitId: id, publishedAt, receivedAt: nowMs, historical: false, read, hit };
          hitMessages.push(message);
          waits.push(js.publish(hitsSubject(read.agency, hit.list), encodeHitMessage(message), { msgID: id }));
          if (counted) {
            metrics.hits.inc(1, { list: hit.list, kind: hit.kind });
            observeSinceRead(metrics.readToHitSeconds, read.ts, publishedAt);
          }
        }
      }
    }
    this.invalidLog.flush(nowMs);
    for (let overflow = metrics.cameras.takeOverflow(); overflow !== undefined; overflow = metrics.cameras.takeOverflow()) {
      const { agency, camera, slots } = overflow;
      if (overflow.refusedOnly) {
        this.options.logger.warn(
          { agency, camera, refusedOnlySlots: slots },
          'more cameras sending only refused reads than the metrics keep apart (a tenth of PLATEWATCH_METRICS_MAX_CAMERAS): this one and any further are counted as camera="_other" on /metrics until they send a valid read (a misconfigured fleet, or junk published with a camera credential)',
        );
      } else {
        this.options.logger.warn(
          { agency, camera, maxCameras: slots },
          'more cameras than the metrics keep apart: this one and any further are counted as camera="_other" on /metrics (raise PLATEWATCH_METRICS_MAX_CAMERAS)',
        );
      }
    }
    metrics.readsIn.inc(readsCounted);
    metrics.messagesIn.inc(batch.length);
    metrics.batches.inc();
    if (reads.length > 0) {
      // Chained, never awaited here: every promise in `waits` must be observed before this batch
      // can wait on anything. Awaiting the writer's room (backpressure, seconds when storage is
      // slow) left the hit publishes above unobserved; one timing out meanwhile was an unhandled
      // rejection that ended the process (seen in the batched pipeline benchmark).
      try {
        waits.push(this.options.sink.enqueue(reads).then((ticket) => ticket.durable));
        if (hitMessages.length > 0 && this.options.sink.recordHits !== undefined) waits.push(this.options.sink.recordHits(hitMessages));
      } catch (error) {
        waits.push(Promise.reject(error));
      }
    }
    if (refused.length > 0) this.ackWhenKept(refused, copies, []);
    if (held.length > 0) this.ackWhenKept(held, waits, reads);
  }

  /** Acks `messages` once every one of `waits` has settled well; otherwise leaves them to JetStream. */
  private ackWhenKept(messages: JsMsg[], waits: Promise<unknown>[], reads: WireRead[]): void {
    const { metrics, logger, now } = this.options;
    const settled = Promise.all(waits).then(
      () => {
        const ackedAt = now();
        for (const m of messages) m.ack();
        metrics.acked.inc(messages.length);
        for (const read of reads) observeSinceRead(metrics.readToStoredSeconds, read.ts, ackedAt);
      },
      (error: unknown) => {
        // Not stored (or a hit/invalid copy not kept): leave the messages to JetStream. Redelivery
        // stores reads once (dedupe by read id), republishes hits under the same ids, and copies
        // refused reads under the same Nats-Msg-Id (dropped within the duplicate window).
        // Detections or hits not stored (WRITE_FAILED) are storage's outage, logged once and then
        // once a minute through the writers' outcomes (ingest/storage-outage.ts): per batch here it
        // flooded the log with thousands of stacks a minute while the ClickHouse disk was full (QA).
        const storageOutage = error instanceof StorageError && error.code === 'WRITE_FAILED';
        logger[storageOutage ? 'debug' : 'error']({ err: error, messages: messages.length, reads: reads.length }, 'batch not durable; messages will be redelivered');
        metrics.batchFailures.inc();
        for (const m of messages) m.nak(this.options.retryDelayMs);
      },
    );
    const batch: HeldBatch = { messages, since: Date.now() };
    this.held.add(batch);
    this.readsInFlight += reads.length;
    this.inFlight.add(settled);
    void settled.finally(() => {
      this.held.delete(batch);
      this.inFlight.delete(settled);
      this.readsInFlight -= reads.length;
    });
  }
}

/** Observes `atMs - readTs` when the camera's clock makes it a latency (see MAX_OBSERVED_LATENCY_MS). */
function observeSinceRead(histogram: Histogram, readTs: number, atMs: number): void {
  const ms = atMs - readTs;
  if (ms >= -OBSERVED_CLOCK_AHEAD_MS && ms <= MAX_OBSERVED_LATENCY_MS) histogram.observe(Math.max(0, ms) / 1000);
}
