// Takes hits off the HITS stream for one gateway. Each gateway reads the whole stream through its
// own ordered (ephemeral) consumer, so any number can run side by side without sharing work, and
// starts `replayWindowMs` back so a freshly started gateway can replay what consoles missed.
// Hits are decoded and serialised once, duplicates (same hit id) dropped, and the unresolved
// ones kept for replay until `resolve` (a disposition, issue 6) or the window ends.
//
// Catching up: a starting gateway first reads the window's backlog (13,400 unresolved hits took
// over a second). Until the consumer has reported nothing left on the stream once, the feed is
// "catching up": /healthz says so, and the fan-out holds consoles' replays (fan-out.ts), so a
// console that connects early gets the whole backlog as its replay and never as live hits.
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { decodeHitMessage, HITS_STREAM, type HitMessage } from '../ingest/index.js';
import type { GatewayConfig } from './config.js';
import { serialiseHit } from './console-protocol.js';
import { GatewayError } from './errors.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { ReplaySet, SeenIds, type FeedHit } from './recent-hits.js';

export type HitFeedConfig = Pick<GatewayConfig, 'replayWindowMs' | 'replayMaxHits' | 'dedupeCapacity'>;

/** Where new hits go: the fan-out. */
export interface HitSink {
  deliver(hit: FeedHit): void;
  /** The backlog is read: every hit delivered so far is older than anything still to come. Called once. */
  caughtUp?(): void;
}

export type HitFeedStatus = { ok: true; replayHits: number; received: number } | { ok: false; error: string };

/** A consumer just opened, with how many messages it had to deliver when created. */
interface OpenedConsumer {
  messages: ConsumerMessages;
  pending: number;
}

export class HitFeed {
  private readonly seen: SeenIds;
  /** Hits dealt with (here, on another gateway, or before this one started): never replayed. */
  private readonly resolved: SeenIds;
  private readonly replay: ReplaySet;
  private messages: ConsumerMessages | null = null;
  private running: Promise<void> | null = null;
  private lastError: string | null = null;
  private received = 0;
  private stopping = false;
  /** Stream sequence of the last HITS message taken. */
  private lastSeq = 0;
  private reopenRequested = false;
  private statuses: { stop?: () => void } | null = null;
  private hasCaughtUp = false;
  /** While catching up: messages still on the stream for this consumer at the last one taken. */
  private behind = 0;
  /** The consumer is delivering what was on the stream when it was (re-)created: no hit from it is live. */
  private readingBacklog = true;
  /** Gateway clock at start: a hit published before it is never live, however it arrives. */
  private startedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly config: HitFeedConfig,
    private readonly sink: HitSink,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {
    this.seen = new SeenIds(config.dedupeCapacity);
    this.resolved = new SeenIds(config.dedupeCapacity);
    this.replay = new ReplaySet(config.replayWindowMs, config.replayMaxHits);
  }

  /**
   * Starts consuming; resolves once the consumer exists (the stream must exist: ensureStreams).
   * With `nc`, the consumer is re-created after each reconnect, continuing after the last hit
   * taken: a restarted nats-server forgets ephemeral consumers, and the client's own recovery
   * was seen to leave this feed silent for good (test/reliability/nats-restart.test.ts).
   */
  async start(js: JetStreamClient, nc?: NatsConnection): Promise<void> {
    if (this.running !== null) return;
    this.startedAt = Date.now();
    try {
      const opened = await this.openConsumer(js);
      this.messages = opened.messages;
      this.noteBehind(opened.pending);
    } catch (error) {
      throw new GatewayError('GATEWAY_FEED_FAILED', `cannot consume the ${HITS_STREAM} stream (is JetStream up and the stream created?): ${(error as Error).message}`, { cause: error });
    }
    if (nc !== undefined) {
      const statuses = nc.status();
      this.statuses = statuses as { stop?: () => void };
      void (async () => {
        for await (const s of statuses) {
          if (s.type !== 'reconnect' || this.stopping) continue;
          this.reopenRequested = true;
          this.messages?.stop();
        }
      })();
    }
    this.running = (async () => {
      while (!this.stopping) {
        const messages = this.messages as ConsumerMessages;
        try {
          for await (const msg of messages) {
            this.lastSeq = msg.seq;
            this.ingestBytes(msg.data);
            // info parses the reply subject: only while reading a backlog, not per hit for good.
            if (this.readingBacklog) this.noteBehind(msg.info.pending);
          }
          if (!this.stopping && !this.reopenRequested) this.logger.warn('the HITS consumer ended; re-creating it');
        } catch (error) {
          if (!this.stopping && !this.reopenRequested) this.logger.error({ err: error }, 'hit feed consumer failed; re-creating it');
        }
        if (this.stopping) break;
        this.reopenRequested = false;
        this.lastError = 'reconnecting to the HITS stream';
        const reopened = await this.reopen(js);
        this.messages = reopened?.messages ?? null;
        // What piled up while disconnected is a backlog too: its hits are not live.
        if (reopened !== null) this.noteBehind(reopened.pending);
      }
    })();
  }

  /** The ordered consumer: from the replay window back at first, then right after the last hit taken. */
  private async openConsumer(js: JetStreamClient): Promise<OpenedConsumer> {
    // No subject filter: HITS holds only alpr.hits.>, and filter_subjects needs nats-server ≥ 2.10
    // (Debian ships older).
    const consumer = await js.consumers.get(
      HITS_STREAM,
      this.lastSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSeq + 1 }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - this.config.replayWindowMs).toISOString() },
    );
    // The creation answer counts what the consumer has to deliver; nothing is delivered before consume().
    const pending = (await consumer.info(true)).num_pending;
    return { messages: await consumer.consume(), pending };
  }

  /** Whether the backlog has been read once since start (the stream had nothing more for this consumer). */
  get caughtUp(): boolean {
    return this.hasCaughtUp;
  }

  private noteBehind(pending: number): void {
    this.behind = pending;
    this.readingBacklog = pending > 0;
    if (pending > 0 || this.hasCaughtUp) return;
    this.hasCaughtUp = true;
    this.logger.info({ replayHits: this.replay.size, received: this.received }, 'hit feed caught up with the HITS stream');
    this.sink.caughtUp?.();
  }

  /** Re-creates the consumer until it works (JetStream may still be recovering) or the feed stops. */
  private async reopen(js: JetStreamClient): Promise<OpenedConsumer | null> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const opened = await this.openConsumer(js);
        this.lastError = null;
        this.logger.info({ after: this.lastSeq }, 'hit feed consumer re-created');
        return opened;
      } catch (error) {
        this.lastError = `cannot re-create the ${HITS_STREAM} consumer: ${(error as Error).message}`;
        this.logger.warn({ err: error, attempt }, 'hit feed consumer not re-created yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
    return null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.statuses?.stop?.();
    this.messages?.stop();
    await this.running;
    this.running = null;
    this.messages = null;
  }

  /** Decodes one HITS message and passes it on; bad bytes are logged and counted, never thrown. */
  ingestBytes(data: Uint8Array): void {
    let message: HitMessage;
    try {
      message = decodeHitMessage(data);
    } catch (error) {
      this.metrics.undecodableHits.inc();
      this.logger.error({ err: error, bytes: data.length }, 'undecodable message on the HITS stream');
      return;
    }
    if (!isHitMessage(message)) {
      this.metrics.undecodableHits.inc();
      this.logger.error({ bytes: data.length }, 'message on the HITS stream is not a hit (missing hitId, read or hit)');
      return;
    }
    this.ingest(message);
  }

  ingest(message: HitMessage): void {
    this.received++;
    this.metrics.hitsReceived.inc();
    if (this.seen.checkAndAdd(message.hitId)) {
      this.metrics.duplicateHits.inc();
      return;
    }
    if (this.resolved.has(message.hitId)) return;
    const hit: FeedHit = { message, json: serialiseHit(message), receivedAt: Date.now(), fannedOut: false, live: !this.readingBacklog && message.publishedAt >= this.startedAt };
    this.replay.add(hit);
    this.metrics.replayHits.set(this.replay.size);
    this.sink.deliver(hit);
  }

  /** A disposition was recorded: stop replaying the hit, and never take it in again. True when it was held. */
  resolve(hitId: string): boolean {
    this.resolved.checkAndAdd(hitId);
    const removed = this.replay.resolve(hitId);
    this.metrics.replayHits.set(this.replay.size);
    return removed;
  }

  /** The unresolved hit held for replay under this id, if any. */
  find(hitId: string): FeedHit | undefined {
    return this.replay.get(hitId);
  }

  /** Unresolved hits of the replay window, oldest first. */
  recentHits(nowMs: number): Iterable<FeedHit> {
    const hits = this.replay.current(nowMs);
    this.metrics.replayHits.set(this.replay.size);
    return hits;
  }

  status(): HitFeedStatus {
    if (this.lastError !== null) return { ok: false, error: `hit feed stopped: ${this.lastError}` };
    if (this.running === null) return { ok: false, error: 'hit feed not started' };
    if (!this.hasCaughtUp) return { ok: false, error: `catching up: ${this.behind} hits behind on the ${HITS_STREAM} stream` };
    return { ok: true, replayHits: this.replay.size, received: this.received };
  }
}

function isHitMessage(value: unknown): value is HitMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<HitMessage>;
  return typeof m.hitId === 'string' && typeof m.publishedAt === 'number' && typeof m.read === 'object' && m.read !== null && typeof m.hit === 'object' && m.hit !== null;
}
