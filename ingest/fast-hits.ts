// The fast hit path (issue 4, read→hit latency). A core NATS subscription, in one queue group
// shared by every pipeline process, sees each read as nats-server receives it: before the READS
// stream has stored it and before a pull hands it to the durable path. Matching it there and
// publishing its hits at once takes the stream's store and the pull out of read→hit latency
// (BENCHMARKS.md, "the fast hit path").
//
// It is an early copy, never the record. The durable path (ingest/pipeline.ts) still matches every
// read it stores, keeps every hit, and publishes any hit this path did not get onto HITS: a read
// published while no worker ran, or during a reconnect, still raises its hit. Both ask the same
// HitPublications first, so one process publishes a hit once.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Matcher } from '../matcher/index.js';
import { encodeHitMessage, hitId, HIT_MESSAGE_VERSION } from './hit-message.js';
import type { HitPublications } from './hit-publications.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import { hitsSubject, parseReadsSubject, READS_SUBJECT_PREFIX } from './subjects.js';
import { CONTENT_TYPE_HEADER, decodeReadMessage, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_READS_PER_MESSAGE, type WireLimits } from './wire.js';

/** Every pipeline process joins this queue group: each read reaches one fast path. */
export const FAST_HITS_QUEUE = 'platewatch-fast-hits';

/** Reads older than this are left to the durable path (see `maxReadAgeMs`). */
export const DEFAULT_FAST_MAX_READ_AGE_MS = 60_000;

export interface FastHitOptions {
  /** The connection to subscribe on: its own, so a slow-consumer disconnect here cannot touch the durable path. */
  nc: NatsConnection;
  js: JetStreamClient;
  matcher: Matcher;
  /** Shared with this process's PipelineWorker. */
  publications: HitPublications;
  metrics: PipelineMetrics;
  logger: Logger;
  limits?: WireLimits;
  /**
   * Reads older than this (by the camera's clock) are left to the durable path: a camera
   * uploading what it kept while offline gains nothing from being early, and would only load the
   * process twice. @default DEFAULT_FAST_MAX_READ_AGE_MS
   */
  maxReadAgeMs?: number;
  now?: () => number;
}

export class FastHitPath {
  private subscription: Subscription | undefined;
  private readonly limits: WireLimits;
  private readonly maxReadAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FastHitOptions) {
    this.limits = options.limits ?? { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, maxReadsPerMessage: DEFAULT_MAX_READS_PER_MESSAGE };
    this.maxReadAgeMs = options.maxReadAgeMs ?? DEFAULT_FAST_MAX_READ_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.subscription = this.options.nc.subscribe(`${READS_SUBJECT_PREFIX}.>`, {
      queue: FAST_HITS_QUEUE,
      callback: (error, m) => {
        if (error !== null) this.options.logger.warn({ err: error }, 'fast hit path subscription error; the durable path still raises every hit');
        else this.take(m);
      },
    });
    // The server has the subscription once this returns: reads published after start are seen.
    await this.options.nc.flush();
  }

  /** Stops taking reads and waits for the hits already being published. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.options.publications.settled();
  }

  private take(m: Msg): void {
    const subject = parseReadsSubject(m.subject);
    if (subject === null) return;
    const { matcher, js, publications, metrics, logger } = this.options;
    const receivedAt = this.now();
    // Invalid reads are the durable path's to report, with their reason, once.
    const { reads } = decodeReadMessage(m.data, m.headers?.get(CONTENT_TYPE_HEADER) || undefined, subject.agency, receivedAt, this.limits);
    for (const read of reads) {
      if (receivedAt - read.ts > this.maxReadAgeMs) {
        metrics.fastReadsSkipped.inc();
        continue;
      }
      const hits = matcher.matchRead(read, receivedAt);
      for (let i = 0; i < hits.length; i++) {
        const hit = hits[i]!;
        const id = hitId(read.id, hit.list, hit.entry);
        // A camera that republished the read, or the durable path that got there first.
        if (publications.get(id) !== undefined) continue;
        const publishedAt = this.now();
        const data = encodeHitMessage({ v: HIT_MESSAGE_VERSION, hitId: id, publishedAt, receivedAt, historical: false, read, hit });
        publications.add(id, js.publish(hitsSubject(read.agency, hit.list), data, { msgID: id }).then(
          () => true,
          (error: unknown) => {
            logger.warn({ err: error, hitId: id }, 'fast hit publish failed; the durable path publishes it');
            return false;
          },
        ));
        metrics.fastHits.inc(1, { list: hit.list, kind: hit.kind });
        metrics.readToHitSeconds.observe(Math.max(0, publishedAt - read.ts) / 1000);
      }
    }
  }
}
