import { describe, expect, it } from 'vitest';
import { ReplaySet, SeenIds, serialiseHit, type FeedHit } from '../../gateway/index.js';
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
