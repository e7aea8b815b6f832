import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlateTrie, MAX_KEY_LENGTH, type TrieKeys } from '../../matcher/plate-trie.js';

// Keys over a 4-symbol alphabet (1..4) so random keys share prefixes and near misses abound;
// 5 and 6 play `?` and `*` for pattern keys.
const ANY_ONE = 5;
const ANY_RUN = 6;

function keysOf(words: readonly number[][]): TrieKeys {
  const symbols = new Uint8Array(words.length * MAX_KEY_LENGTH);
  const lengths = new Uint8Array(words.length);
  words.forEach((w, k) => {
    lengths[k] = w.length;
    symbols.set(w, k * MAX_KEY_LENGTH);
  });
  return { symbols, lengths, count: words.length };
}

/** The original key indices a search found, via the sorted runs it reported. */
function foundKeys(order: Int32Array, sameKeyAsNext: Uint8Array, found: Int32Array, count: number): number[] {
  const keys = new Set<number>();
  for (let k = 0; k < count; k++) {
    for (let p = found[k] as number; ; p++) {
      keys.add(order[p] as number);
      if (sameKeyAsNext[p] === 0) break;
    }
  }
  return [...keys].sort((a, b) => a - b);
}

function editDistance(a: readonly number[], b: readonly number[]): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function patternMatches(pattern: readonly number[], word: readonly number[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (j === pattern.length) return i === word.length;
    if (pattern[j] === ANY_RUN) {
      for (let k = i; k <= word.length; k++) if (go(k, j + 1)) return true;
      return false;
    }
    return i < word.length && (pattern[j] === ANY_ONE || pattern[j] === word[i]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

const word = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 });

describe('PlateTrie', () => {
  it('finds exactly the keys equal to the query, with duplicates as one run', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 60 }), word, (words, query) => {
        const { trie, order } = buildPlateTrie(keysOf(words));
        const start = trie.find(Uint8Array.from(query), query.length);
        const got = start < 0 ? [] : foundKeys(order, trie.sameKeyAsNext, Int32Array.of(start), 1);
        const want = words.flatMap((w, k) => (w.join() === query.join() ? [k] : []));
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every key within one edit whose edit lies at or after the first edit position', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 60 }), word, (words, query) => {
        const { trie, order } = buildPlateTrie(keysOf(words));
        const found = new Int32Array(1024);
        const n = trie.findWithinOneEdit(Uint8Array.from(query), query.length, 0, found, 0);
        const want = words.flatMap((w, k) => (editDistance(w, query) <= 1 ? [k] : []));
        expect(foundKeys(order, trie.sameKeyAsNext, found, n)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('covers every one-edit key from the forward and reversed tries split at half the query', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 60 }), word, (words, query) => {
        const forward = buildPlateTrie(keysOf(words));
        const reversed = buildPlateTrie(keysOf(words.map((w) => [...w].reverse())));
        const half = query.length >> 1;
        const found = new Int32Array(1024);
        const nf = forward.trie.findWithinOneEdit(Uint8Array.from(query), query.length, half, found, 0);
        const got = new Set(foundKeys(forward.order, forward.trie.sameKeyAsNext, found, nf));
        const nr = reversed.trie.findWithinOneEdit(Uint8Array.from([...query].reverse()), query.length, query.length - half, found, 0);
        for (const k of foundKeys(reversed.order, reversed.trie.sameKeyAsNext, found, nr)) got.add(k);
        const want = words.flatMap((w, k) => (editDistance(w, query) <= 1 ? [k] : []));
        expect([...got].sort((a, b) => a - b)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every pattern key matching the query', () => {
    const patternWord = fc.array(fc.integer({ min: 1, max: ANY_RUN }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(fc.array(patternWord, { minLength: 1, maxLength: 60 }), word, (patterns, query) => {
        const { trie, order } = buildPlateTrie(keysOf(patterns));
        const found = new Int32Array(1 << 16);
        const n = trie.findPatterns(Uint8Array.from(query), query.length, ANY_ONE, ANY_RUN, found);
        const want = patterns.flatMap((p, k) => (patternMatches(p, query) ? [k] : []));
        expect(foundKeys(order, trie.sameKeyAsNext, found, n)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('uses dense rows near the root of a large trie and answers the same', () => {
    const words: number[][] = [];
    for (let a = 1; a <= 20; a++) for (let b = 1; b <= 20; b++) for (let c = 1; c <= 20; c++) words.push([a, b, c, (a + b + c) % 20 + 1]);
    const { trie } = buildPlateTrie(keysOf(words));
    expect(trie.nodeCount).toBe(1 + 20 + 400 + 8000 + 8000);
    expect(trie.find(Uint8Array.of(3, 4, 5, 13), 4)).toBeGreaterThanOrEqual(0);
    expect(trie.find(Uint8Array.of(3, 4, 5, 12), 4)).toBe(-1);
    expect(trie.find(Uint8Array.of(21, 4, 5, 12), 4)).toBe(-1);
  });
});
