// Hands each hit to every console whose filter it matches, without letting one slow console
// hold up the rest. A hit is serialised once per fan-out; each console gets the batch's matching
// frames in one corked write.
//
// (uWS pub/sub topics were tried for agency/list-only filters and measured no faster on the
// benchmark than this loop, while hiding which console missed which hit; so one path it is.)
//
// Backpressure: a console whose socket has `maxBufferedBytes` or more queued stops receiving (its
// hits dropped and counted). Once it drains below half of that it gets a resync message and a
// fresh replay of the unresolved hits, so it still misses nothing that matters; one that stays
// stuck past `stuckTimeoutMs` is closed with code 4008. The feed never waits on a socket.
//
// Catch-up: while a starting gateway's feed reads the backlog (hit-feed.ts), a console that
// subscribes is held: no replay and no live hits yet. Once the feed has caught up and the hits it
// delivered are fanned out, each held console gets one replay holding the whole backlog and then
// live hits. Holding is simpler than merging late-arriving older hits into a replay already sent:
// a console sees each unresolved hit exactly once, and in order.
//
// A replay frame is {type:'replay', hits:[...], omitted?, escalated?} (docs/openapi.yaml, /ws):
// `omitted` counts the older matching unresolved hits `replayMaxBytes` left out; `escalated`
// names the replayed hits escalated to supervisors, for consoles that receive escalations.
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.js';
import { CLOSE_CODES, errorFrame, hitFrame, replayFrame, resyncFrame } from './console-protocol.js';
import type { ConsoleSession, ConsoleSocket } from './console-socket.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { matchesFilter, parseHitFilter, type HitFilter } from './hit-filter.js';
import type { FeedHit } from './recent-hits.js';

export type FanOutConfig = Pick<GatewayConfig, 'maxBufferedBytes' | 'stuckTimeoutMs' | 'replayMaxBytes'>;

/** Where replays come from: the feed's unresolved recent hits, oldest first. */
export interface ReplaySource {
  recentHits(nowMs: number): Iterable<FeedHit>;
}

/** Which replayed hits are escalated, and for whom (escalation.ts). */
export interface EscalationState {
  /** Whether the console's user receives escalations (hits.escalated); others get no `escalated`. */
  mayReceive(session: ConsoleSession): boolean;
  isEscalated(hitId: string): boolean;
  /** Brings escalations up to date at `nowMs` (run before held replays go out, so theirs are complete). */
  check(nowMs: number): number;
}

/** A subscription held while the feed catches up, with the filter as the console sent it (for the access log). */
interface HeldSubscription {
  filter: HitFilter;
  input: unknown;
}

/** Told when a held subscription's replay went out (or never will: the console left or subscribed again). */
export type HeldReplayListener = (session: ConsoleSession, filterInput: unknown, replayed: number) => void;

/**
 * Frames handed over in one pass over the consoles. A socket's queue is measured once per pass
 * (one native call, not one per frame), so a large batch is cut into passes to measure it again
 * after the previous pass's cork has been flushed.
 */
export const MAX_PASS_BYTES = 512 * 1024;

/** One connected console. Created by `connect`, handed back on every later call. */
export class ConsoleConnection {
  filter: HitFilter | null = null;
  /** Over the buffer limit: hits are being dropped until it drains. */
  behind = false;
  behindSince = 0;
  dropped = 0;
  closed = false;
  /** Bound once here so the fan-out creates no closure per hit or per socket. */
  readonly sendPass: () => void;

  constructor(
    readonly socket: ConsoleSocket,
    /** Replaced when the session is checked again (session-watch.ts), so a role change reaches escalations. */
    public session: ConsoleSession,
    fanOut: FanOut,
  ) {
    this.sendPass = () => fanOut.sendPass(this);
  }
}

export type SubscribeResult = { ok: true; replayed: number } | { ok: false; reason: string };

export class FanOut {
  private readonly consoles = new Set<ConsoleConnection>();
  private pending: FeedHit[] = [];
  private scheduled = false;
  // The pass being sent: hits[start, end) of `batch`, read by ConsoleConnection.sendPass inside a cork.
  private batch: FeedHit[] = [];
  private frames: Uint8Array[] = [];
  private start = 0;
  private end = 0;
  private delivered = 0;
  private droppedNow = 0;
  private nowMs = 0;
  private readonly toResume = new Set<ConsoleConnection>();
  private resumeScheduled = false;
  private holding = false;
  private releaseDue = false;
  private readonly held = new Map<ConsoleConnection, HeldSubscription>();
  private escalations: EscalationState | null = null;
  private onHeldReplay: HeldReplayListener | null = null;

  constructor(
    private readonly config: FanOutConfig,
    private readonly replay: ReplaySource,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.consoles.size;
  }

  /** Subscriptions are held (no replay, no live hits) until `caughtUp`. Call before the feed starts. */
  holdReplaysUntilCaughtUp(onHeldReplay?: HeldReplayListener): void {
    this.holding = true;
    this.onHeldReplay = onHeldReplay ?? null;
  }

  /** True while subscriptions are held: a subscribe answered now gets its replay later. */
  get holdingReplays(): boolean {
    return this.holding;
  }

  /** Where replays learn which hits are escalated; without it a replay has no `escalated`. */
  useEscalations(escalations: EscalationState): void {
    this.escalations = escalations;
  }

  /**
   * The feed has read its backlog. The release waits for the flush of what it delivered so far,
   * so those hits are in the replays rather than sent live after them.
   */
  caughtUp(): void {
    if (!this.holding) return;
    this.releaseDue = true;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  connect(socket: ConsoleSocket, session: ConsoleSession): ConsoleConnection {
    const conn = new ConsoleConnection(socket, session, this);
    this.consoles.add(conn);
    this.metrics.socketsConnected.set(this.consoles.size);
    return conn;
  }

  disconnect(conn: ConsoleConnection): void {
    conn.closed = true;
    if (this.consoles.delete(conn)) this.metrics.socketsConnected.set(this.consoles.size);
    const held = this.held.get(conn);
    if (held !== undefined) {
      this.held.delete(conn);
      this.onHeldReplay?.(conn.session, held.input, 0);
    }
  }

  /** Sets (or replaces) what the console watches, and replays the unresolved hits that match. */
  subscribe(conn: ConsoleConnection, filterInput: unknown): SubscribeResult {
    const parsed = parseHitFilter(filterInput, conn.session.agencies, conn.session.hiddenLists);
    if (!parsed.ok) {
      conn.socket.send(errorFrame('BAD_FILTER', parsed.reason));
      return parsed;
    }
    if (this.holding) {
      const earlier = this.held.get(conn);
      if (earlier !== undefined) this.onHeldReplay?.(conn.session, earlier.input, 0);
      this.held.set(conn, { filter: parsed.filter, input: filterInput ?? {} });
      return { ok: true, replayed: 0 };
    }
    conn.filter = parsed.filter;
    return { ok: true, replayed: this.sendReplay(conn) };
  }

  /** Queues a hit; hits arriving in the same turn of the event loop go out as one batch. */
  deliver(hit: FeedHit): void {
    this.pending.push(hit);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * The transport says the console's queue shrank. The resync goes out on the next turn, outside
   * the transport's callback: a multi-megabyte replay sent from inside uWS's drain handler was
   * seen to leave the rest of the queue unsent until the next event.
   */
  drained(conn: ConsoleConnection): void {
    if (!conn.behind || conn.closed) return;
    this.toResume.add(conn);
    if (!this.resumeScheduled) {
      this.resumeScheduled = true;
      setImmediate(this.resumeDrained);
    }
  }

  /** Resumes a console that fell behind once it is well under the limit: resync, replay, live again. */
  private resume(conn: ConsoleConnection): void {
    if (!conn.behind || conn.closed) return;
    if (conn.socket.bufferedAmount() > this.config.maxBufferedBytes / 2) return;
    conn.behind = false;
    const dropped = conn.dropped;
    conn.dropped = 0;
    this.metrics.resyncs.inc();
    this.logger.warn({ user: conn.session.user, dropped }, 'console fell behind; resyncing');
    conn.socket.send(resyncFrame(`this console fell behind and ${dropped} hit(s) were not sent; the unresolved hits follow`, dropped));
    this.sendReplay(conn);
  }

  /** Sends the current pass's matching frames to one console (inside its cork). */
  sendPass(conn: ConsoleConnection): void {
    const filter = conn.filter as HitFilter;
    const socket = conn.socket;
    // One look at the queue per pass, not per frame: the pass itself is bounded (MAX_PASS_BYTES).
    let room = this.config.maxBufferedBytes - socket.bufferedAmount();
    for (let i = this.start; i < this.end; i++) {
      if (!matchesFilter((this.batch[i] as FeedHit).message, filter)) continue;
      if (conn.behind) {
        conn.dropped++;
        this.droppedNow++;
        continue;
      }
      const frame = this.frames[i] as Uint8Array;
      if (room <= 0 || !socket.send(frame)) {
        this.markBehind(conn);
        conn.dropped++;
        this.droppedNow++;
        continue;
      }
      room -= frame.length;
      this.delivered++;
    }
  }

  /**
   * Sends one small frame (a disposition, an escalation) to every connected console, whatever its
   * filter, except those that may not see hits of `about.list` or that `only` leaves out. One
   * that is behind misses it and learns of it from the replay it gets on resuming, which leaves
   * the resolved hit out. Returns how many consoles it was handed to.
   */
  broadcast(frame: string, about?: { list: string }, only?: (session: ConsoleSession) => boolean): number {
    let sent = 0;
    for (const conn of this.consoles) {
      // A held console's replay, sent later, already reflects the notice.
      if (conn.closed || conn.behind || this.held.has(conn)) continue;
      // A notice about a covert list's hit goes only where the hit itself may go.
      if (about !== undefined && conn.session.hiddenLists?.has(about.list) === true) continue;
      if (only !== undefined && !only(conn.session)) continue;
      conn.socket.cork(() => {
        if (conn.socket.send(frame)) sent++;
        else this.markBehind(conn);
      });
    }
    return sent;
  }

  /**
   * Sends a heartbeat to every console, held ones (waiting for their replay) included: a console
   * hears nothing else while the gateway is quiet. One that is behind already has frames queued.
   */
  heartbeat(frame: string): void {
    for (const conn of this.consoles) {
      if (conn.closed || conn.behind) continue;
      if (!conn.socket.send(frame)) this.markBehind(conn);
    }
  }

  /** Closes every console (1001) so it reconnects elsewhere. */
  closeAll(reason: string): void {
    for (const conn of [...this.consoles]) {
      this.disconnect(conn);
      conn.socket.end(CLOSE_CODES.goingAway, reason);
    }
  }

  private readonly resumeDrained = (): void => {
    this.resumeScheduled = false;
    for (const conn of this.toResume) this.resume(conn);
    this.toResume.clear();
  };

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = this.batch;
    this.batch = batch;
    const started = performance.now();
    this.nowMs = Date.now();
    const frames = this.frames;
    frames.length = batch.length;
    for (let i = 0; i < batch.length; i++) {
      const hit = batch[i] as FeedHit;
      frames[i] = hitFrame(hit.json);
      // Backlog hits (sent here while consoles are held, or after a reconnect) would count their age.
      if (hit.live === true) this.metrics.publishToSendSeconds.observe(Math.max(0, this.nowMs - hit.message.publishedAt) / 1000);
    }
    this.delivered = 0;
    this.droppedNow = 0;
    // A pass fits in half the limit, so a console with a real backlog under half has room for all of it.
    const passBytes = Math.min(MAX_PASS_BYTES, this.config.maxBufferedBytes / 2);
    for (let start = 0; start < batch.length; ) {
      let end = start;
      let bytes = 0;
      while (end < batch.length && (end === start || bytes + (frames[end] as Uint8Array).length <= passBytes)) bytes += (frames[end++] as Uint8Array).length;
      this.pass(start, end);
      start = end;
    }
    this.metrics.hitsDelivered.inc(this.delivered);
    if (this.droppedNow > 0) this.metrics.hitsDropped.inc(this.droppedNow);
    if (batch.length > 0) this.metrics.fanOutSeconds.observe((performance.now() - started) / 1000);
    batch.length = 0;
    if (this.releaseDue) this.releaseHeld();
  };

  /** The feed caught up and its hits are fanned out: held consoles get their replays, then live hits. */
  private releaseHeld(): void {
    this.releaseDue = false;
    this.holding = false;
    // Hits that were overdue at start are marked escalated here, before the replays list them.
    this.escalations?.check(Date.now());
    const held = [...this.held];
    this.held.clear();
    for (const [conn, { filter, input }] of held) {
      if (conn.closed) continue;
      conn.filter = filter;
      const replayed = this.sendReplay(conn);
      this.onHeldReplay?.(conn.session, input, replayed);
    }
    if (held.length > 0) this.logger.info({ consoles: held.length }, 'feed caught up; replays held during catch-up sent');
  }

  /** One pass over every console for hits [start, end). */
  private pass(start: number, end: number): void {
    this.start = start;
    this.end = end;
    const limit = this.config.maxBufferedBytes;
    for (const conn of this.consoles) {
      if (conn.filter === null) continue;
      if (conn.behind) {
        if (this.nowMs - conn.behindSince > this.config.stuckTimeoutMs) {
          this.closeStuck(conn);
          continue;
        }
        // A drain event can race the limit check; resume here too rather than wait for another.
        if (conn.socket.bufferedAmount() <= limit / 2) this.resume(conn);
        if (conn.behind) {
          this.countDropped(conn);
          continue;
        }
      }
      conn.socket.cork(conn.sendPass);
    }
    // From here on a replay includes these hits; before, the live pass above carried them.
    for (let i = start; i < end; i++) (this.batch[i] as FeedHit).fannedOut = true;
  }

  private countDropped(conn: ConsoleConnection): void {
    const filter = conn.filter as HitFilter;
    for (let i = this.start; i < this.end; i++) {
      if (matchesFilter((this.batch[i] as FeedHit).message, filter)) {
        conn.dropped++;
        this.droppedNow++;
      }
    }
  }

  private markBehind(conn: ConsoleConnection): void {
    conn.behind = true;
    conn.behindSince = this.nowMs || Date.now();
  }

  private closeStuck(conn: ConsoleConnection): void {
    this.metrics.slowConsoleCloses.inc();
    this.logger.warn({ user: conn.session.user, dropped: conn.dropped, stuckMs: this.nowMs - conn.behindSince }, 'closing a console that stopped reading');
    this.disconnect(conn);
    conn.socket.end(CLOSE_CODES.tooSlow, 'console stopped reading hits; reconnect to resync');
  }

  /**
   * Replays matching unresolved hits already fanned out, newest kept when they exceed
   * `replayMaxBytes`; the frame counts those left out (`omitted`) and, for a console that receives
   * escalations, names the replayed hits escalated. Covert lists need no rule of their own here:
   * the filter already leaves out their hits for a user not named on them.
   */
  private sendReplay(conn: ConsoleConnection): number {
    const filter = conn.filter;
    if (filter === null) return 0;
    const matching: FeedHit[] = [];
    for (const hit of this.replay.recentHits(Date.now())) {
      if (hit.fannedOut && matchesFilter(hit.message, filter)) matching.push(hit);
    }
    let bytes = 0;
    let first = matching.length;
    while (first > 0 && bytes + (matching[first - 1] as FeedHit).json.length + 1 <= this.config.replayMaxBytes) {
      first--;
      bytes += (matching[first] as FeedHit).json.length + 1;
    }
    const hits = first === 0 ? matching : matching.slice(first);
    const escalations = this.escalations !== null && this.escalations.mayReceive(conn.session) ? this.escalations : null;
    const escalated: string[] = [];
    if (escalations !== null) {
      for (const hit of hits) if (escalations.isEscalated(hit.message.hitId)) escalated.push(hit.message.hitId);
    }
    if (first > 0) this.logger.info({ user: conn.session.user, replayed: hits.length, omitted: first, replayMaxBytes: this.config.replayMaxBytes }, 'replay cut at replayMaxBytes; the oldest unresolved hits left out');
    if (!conn.socket.send(replayFrame(hits.map((hit) => hit.json), first, escalated))) {
      this.logger.error({ user: conn.session.user, hits: hits.length, bytes }, 'replay refused by the socket; marking the console behind');
      this.markBehind(conn);
      return 0;
    }
    this.metrics.hitsDelivered.inc(hits.length);
    return hits.length;
  }
}
