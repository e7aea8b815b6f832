import { describe, expect, it } from 'vitest';
import { ReplaySet, SeenIds, serialiseHit, type FeedHit } from '../../gateway/index.js';
import { decodeHitMessage, encodeHitMessage } from '../../ingest/index.js';
import { heapAfterGcMiB } from '../reliability/fixtures.js';
import { hitMessage } from './harness.js';

function feedHit(readId: string, publishedAt: number): FeedHit {
  const message = hitMessage({ readId, publishedAt });
  return { message, json: serialiseHit(message), receivedAt: publishedAt, fannedOut: true };
}

describe('seen hit ids', () => {
  it('reports a repeat and forgets the oldest beyond capacity', () => {
    const seen = new SeenIds(3);
    expect(seen.checkAndAdd('a')).toBe(false);
    expect(seen.checkAndAdd('a')).toBe(true);
    for (const id of ['b', 'c', 'd']) expect(seen.checkAndAdd(id)).toBe(false);
    expect(seen.checkAndAdd('a')).toBe(false); // evicted by d
    expect(seen.checkAndAdd('d')).toBe(true);
  });

  it('holds a hit id decoded off the wire without the rest of its message', () => {
    // msgpackr decodes a message's short strings as slices of one string of all of them; kept
    // as decoded, each id held its whole message's text (≈ 470 bytes a hit in the soak's snapshots).
    const n = 20_000;
    const wire = Array.from({ length: n }, (_, i) => encodeHitMessage(hitMessage({ readId: `soak-${i}`, camera: `camera-with-a-long-name-${i}` })));
    const warmUp = new SeenIds(1000);
    for (const bytes of wire.slice(0, 1000)) warmUp.checkAndAdd(decodeHitMessage(bytes).hitId);
    const seen = new SeenIds(n);
    const before = heapAfterGcMiB();
    let added = 0;
    for (const bytes of wire) if (!seen.checkAndAdd(decodeHitMessage(bytes).hitId)) added++;
    const bytesPerId = ((heapAfterGcMiB() - before) * 2 ** 20) / n;
    expect(added).toBe(n);
    // Measured: ~190 bytes an id with the copy (string, Set entry, the rest of the heap's noise),
    // ~600 without it.
    expect(bytesPerId).toBeLessThan(350);
    expect(seen.checkAndAdd(decodeHitMessage(wire[0]!).hitId)).toBe(true);
  });

  it('still matches an id a UTF-8 round trip would change', () => {
    const seen = new SeenIds(4);
    expect(seen.checkAndAdd('\ud800lone')).toBe(false);
    expect(seen.has('\ud800lone')).toBe(true);
    expect(seen.checkAndAdd('\ud800lone')).toBe(true);
  });
});

describe('replay set', () => {
  it('keeps unresolved hits of the window, oldest first', () => {
    const set = new ReplaySet(60_000, 100);
    const hits = [feedHit('r1', 1_000), feedHit('r2', 50_000), feedHit('r3', 90_000)];
    for (const h of hits) set.add(h);
    expect([...set.current(100_000)].map((h) => h.message.read.id)).toEqual(['r2', 'r3']);
    expect(set.resolve(hits[2]!.message.hitId)).toBe(true);
    expect(set.resolve(hits[2]!.message.hitId)).toBe(false);
    expect([...set.current(100_000)].map((h) => h.message.read.id)).toEqual(['r2']);
  });

  it('holds at most maxHits, dropping the oldest', () => {
    const set = new ReplaySet(60_000, 2);
    for (let i = 0; i < 5; i++) set.add(feedHit(`r${i}`, 1000 + i));
    expect([...set.current(2000)].map((h) => h.message.read.id)).toEqual(['r3', 'r4']);
  });
});
