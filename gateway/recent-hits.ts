// The gateway's memory of hits: which ids it has seen (to drop duplicates) and which recent,
// unresolved hits a subscribing console must be replayed. Both are bounded, so a burst or a
// long run cannot grow them without limit.
import type { HitMessage } from '../ingest/index.js';

/** A hit as the gateway holds it: decoded once, serialised once for every console. */
export interface FeedHit {
  message: HitMessage;
  /** JSON of the hit as consoles receive it, without the frame `type` (see console-protocol.ts). */
  json: string;
  /** Gateway clock when it arrived (ms epoch). */
  receivedAt: number;
  /** Handed to the live consoles; until then a replay leaves it out (the live pass carries it). */
  fannedOut: boolean;
  /**
   * Taken off the stream as it was published: not read from a backlog (at start or after a
   * reconnect) and not published before this gateway started. Only these measure publish → send
   * latency: an old hit sent on a restart would count its age (QA: sum 1006 s over 3 hits).
   */
  live?: boolean;
}

/**
 * Remembers the last `capacity` ids; the oldest is forgotten first. Each id is kept as a copy of
 * its own: msgpackr (with msgpackr-extract) decodes a message's short strings as slices of one
 * string holding all of them, so a hit id kept after its message was dropped held its message's
 * text: ≈ 470 bytes an id instead of ≈ 80 in the soak's heap snapshots (RELIABILITY.md § Soak),
 * ≈ 45 MiB for a full ring of 100,000 ids.
 */
export class SeenIds {
  private readonly ids = new Set<string>();
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** True when `id` was seen before; otherwise records it and returns false. */
  checkAndAdd(id: string): boolean {
    if (this.ids.has(id)) return true;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    const own = ownCopy(id);
    this.ring[this.next] = own;
    this.next = (this.next + 1) % this.capacity;
    this.ids.add(own);
    return false;
  }
}

/**
 * A string that shares no storage with `text`: JS has no way to ask for a flat copy, a UTF-8 round
 * trip makes one. Text it would change (a lone surrogate) is kept as it is, so lookups still match.
 */
function ownCopy(text: string): string {
  const copy = Buffer.from(text, 'utf8').toString('utf8');
  return copy === text ? copy : text;
}

/** Unresolved hits of the last `windowMs`, oldest first, at most `maxHits`. */
export class ReplaySet {
  // A Map iterates in insertion order, and hits arrive in stream order, so the oldest is first.
  private readonly hits = new Map<string, FeedHit>();

  constructor(
    private readonly windowMs: number,
    private readonly maxHits: number,
  ) {}

  add(hit: FeedHit): void {
    this.hits.set(hit.message.hitId, hit);
    if (this.hits.size > this.maxHits) this.evictOldest(this.hits.size - this.maxHits);
  }

  /** Removes a hit that has been dealt with (a disposition was recorded). */
  resolve(hitId: string): boolean {
    return this.hits.delete(hitId);
  }

  get(hitId: string): FeedHit | undefined {
    return this.hits.get(hitId);
  }

  has(hitId: string): boolean {
    return this.hits.has(hitId);
  }

  get size(): number {
    return this.hits.size;
  }

  /** Forgets hits published before `nowMs - windowMs`. */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    for (const [id, hit] of this.hits) {
      if (hit.message.publishedAt >= cutoff) break;
      this.hits.delete(id);
    }
  }

  /** Oldest first, after pruning to the window. */
  current(nowMs: number): IterableIterator<FeedHit> {
    this.prune(nowMs);
    return this.hits.values();
  }

  private evictOldest(count: number): void {
    for (const id of this.hits.keys()) {
      if (count-- <= 0) break;
      this.hits.delete(id);
    }
  }
}
