import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Matcher, MatcherError, NO_HITS, resolveMatcherConfig, type Hit, type HotlistEntry, type Read } from '../../matcher/index.js';
import { entry, runMatcherCases } from './matcher-cases.js';
import { LinearMatcher, sortHitKeys, type HitKey } from './oracle.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

function toKey(hit: Hit): HitKey {
  const { list, entry: listed, kind, distance, ocrSubstitutions, candidate, stateMatch } = hit;
  return { list, entry: listed, kind, distance, ocrSubstitutions, candidate, stateMatch };
}

runMatcherCases('Matcher (trie index)', (config) => {
  const matcher = new Matcher(config);
  return {
    loadList: (list, entries) => void matcher.loadList(list, entries),
    matchRead: (read, now) => matcher.matchRead(read, now).map(toKey),
  };
});

describe('Matcher', () => {
  const config = resolveMatcherConfig();

  it('returns the shared empty result for a miss, allocating no hit array', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABC123', 'SVS')]);
    m.loadList('BOLO', [entry('6TRJ244', 'BOLO'), entry('7AB?12', 'BOLO')]);
    expect(m.matchRead({ id: '1', plate: 'ZZZ9999' }, NOW)).toBe(NO_HITS);
  });

  it('highlights the positions that differ for each kind', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABO123', 'SVS')]);
    m.loadList('BOLO', [entry('6TRJ244', 'BOLO'), entry('5KX?77', 'BOLO')]);
    const positions = (plate: string): number[][] => m.matchRead({ id: 'p', plate }, NOW).map((h) => h.positions);
    expect(positions('7A80123')).toEqual([[2, 3]]);
    expect(positions('6TRJ249')).toEqual([[6]]);
    expect(positions('6TRJ2S4')).toEqual([[5]]); // S for 4 is not an OCR class: a substitution edit
    expect(positions('6TJ244')).toEqual([[2]]); // R missing: it belongs at position 2
    expect(positions('5KXA7T')).toEqual([]);
    expect(positions('SKXA77')).toEqual([[0]]);
  });

  it('flags a vehicle that contradicts the entry, and a state mismatch', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABC123', 'SVS', { state: 'CA', vehicle_make: 'HOND', vehicle_style: 'MC', vehicle_color: 'RED' })]);
    const [hit] = m.matchRead({ id: 'v', plate: '7ABC123', state: 'NV', vehicle: { make: 'Honda', type: 'suv', color: 'red' } }, NOW);
    expect(hit?.stateMatch).toBe(false);
    expect(hit?.vehicleMismatch).toEqual(['style']);
    expect(hit?.vehicle).toEqual({ make: 'HOND', style: 'MC', color: 'RED' });
  });

  it('carries the entry metadata and the list version on every hit', () => {
    const m = new Matcher(config);
    m.loadList('BOLO', [entry('6TRJ244', 'BOLO', { reason: 'ARMED ROBBERY SUSPECT', case_number: '26-1234', entered_by: 'Det. Ruiz', synopsis: 'Gray sedan seen leaving 7-Eleven robbery', expires_at: '2027-01-01' })]);
    const [hit] = m.matchRead({ id: 'm', plate: '6TRJ244', conf: 0.93 }, NOW);
    expect(hit).toMatchObject({
      list: 'BOLO',
      listVersion: 1,
      reason: 'ARMED ROBBERY SUSPECT',
      caseNumber: '26-1234',
      enteredBy: 'Det. Ruiz',
      synopsis: 'Gray sedan seen leaving 7-Eleven robbery',
      expiresAt: Date.parse('2027-01-01'),
      plate: '6TRJ244',
      conf: 0.93,
    });
  });

  it('sorts hits best first: exact, ocr, partial, fuzzy', () => {
    const m = new Matcher(config);
    m.loadList('BOLO', [entry('6TRJ245', 'BOLO'), entry('6TRJ24?', 'BOLO'), entry('6TRJ244', 'BOLO'), entry('6TRJZ44', 'BOLO')]);
    expect(m.matchRead({ id: 's', plate: '6TRJ244' }, NOW).map((h) => h.kind)).toEqual(['exact', 'ocr', 'partial', 'fuzzy']);
  });

  it('puts the entry of the read\'s state before the same plate listed for another state', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABC123', 'SVS', { state: 'TX' }), entry('7ABC123', 'SVS', { state: 'CA' }), entry('7ABC123', 'SVS', { state: 'AZ' })]);
    const hits = m.matchRead({ id: 'st', plate: '7ABC123', state: 'CA' }, NOW);
    expect(hits.map((h) => [h.state, h.stateMatch])).toEqual([['CA', true], ['AZ', false], ['TX', false]]);
  });

  it('refuses to index an entry of another list', () => {
    const m = new Matcher(config);
    expect(() => m.buildList('BOLO', [entry('7ABC123', 'SVS')])).toThrow(MatcherError);
  });

  it('swaps a new version of a list in whole: a held index keeps the old, new reads see only the new', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABC123', 'SVS'), entry('1OLD111', 'SVS')]);
    const before = m.current;
    const next = m.buildList('SVS', [entry('7ABC123', 'SVS'), entry('2NEW222', 'SVS')]);
    // Built off to the side: the live index still answers with version 1.
    expect(m.matchRead({ id: 'a', plate: '1OLD111' }, NOW).map((h) => h.listVersion)).toEqual([1]);
    m.swapList(next);
    expect(m.matchRead({ id: 'b', plate: '1OLD111' }, NOW)).toEqual([]);
    expect(m.matchRead({ id: 'c', plate: '2NEW222' }, NOW).map((h) => h.listVersion)).toEqual([2]);
    expect(before.get('SVS')?.version).toBe(1);
    expect(m.lists().map((l) => [l.list, l.version, l.entries])).toEqual([['SVS', 2, 2]]);
  });

  it('loses no match on a plate present in every version while lists are reloaded between reads', () => {
    const m = new Matcher(config);
    const lists = (v: number): HotlistEntry[] => [entry('7ABC123', 'SVS'), ...Array.from({ length: 50 }, (_, i) => entry(`V${v}X${String(i).padStart(3, '0')}`, 'SVS'))];
    m.loadList('SVS', lists(0));
    for (let v = 1; v <= 50; v++) {
      const built = m.buildList('SVS', lists(v));
      expect(m.matchRead({ id: `r${v}`, plate: '7ABC123' }, NOW)).toHaveLength(1);
      m.swapList(built);
      const hits = m.matchRead({ id: `s${v}`, plate: '7ABC123' }, NOW);
      expect(hits.map((h) => h.listVersion)).toEqual([v + 1]);
    }
  });

  it('removes a list', () => {
    const m = new Matcher(config);
    m.loadList('SVS', [entry('7ABC123', 'SVS')]);
    expect(m.removeList('SVS')).toBe(true);
    expect(m.removeList('SVS')).toBe(false);
    expect(m.matchRead({ id: 'x', plate: '7ABC123' }, NOW)).toEqual([]);
  });
});

describe('Matcher against the linear oracle (property)', () => {
  // A small alphabet dense in OCR classes makes exact, ocr, fuzzy and partial hits common.
  const chars = 'AB8O0DQ1IL5SZ2X';
  const plateArb = fc.string({ unit: fc.constantFrom(...chars), minLength: 2, maxLength: 8 });
  const patternArb = fc
    .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...chars) }, { weight: 1, arbitrary: fc.constantFrom('?', '*') }), { minLength: 3, maxLength: 10 })
    .map((parts) => parts.join(''));
  const entryArb = fc.record({
    plate: fc.oneof({ weight: 4, arbitrary: plateArb }, { weight: 1, arbitrary: patternArb }),
    list: fc.constantFrom('SVS', 'SFR', 'BOLO', 'CASE7'),
    state: fc.constantFrom('', 'CA', 'NV'),
    expiresInMs: fc.option(fc.integer({ min: -1000, max: 1000 })),
  });
  const config = resolveMatcherConfig({ listPolicies: { CASE7: ['exact', 'fuzzy'] }, patternMinKnown: 2 });

  function buildBoth(rows: { plate: string; list: string; state: string; expiresInMs: number | null }[]): { index: Matcher; oracle: LinearMatcher } {
    const byList = new Map<string, HotlistEntry[]>();
    for (const row of rows) {
      const expires = row.expiresInMs === null ? '' : new Date(NOW + row.expiresInMs).toISOString();
      try {
        const e = entry(row.plate, row.list, { state: row.state, expires_at: expires }, config);
        byList.set(e.list, [...(byList.get(e.list) ?? []), e]);
      } catch {
        // Invalid entries (e.g. a pattern on a general list) are refused at validation, as in production.
      }
    }
    const index = new Matcher(config);
    const oracle = new LinearMatcher(config);
    for (const [list, entries] of byList) {
      index.loadList(list, entries);
      oracle.loadList(list, entries);
    }
    return { index, oracle };
  }

  it('returns exactly the oracle\'s hits for random lists and reads', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.record({ plate: plateArb, candidates: fc.array(plateArb, { maxLength: 2 }), state: fc.constantFrom(undefined, 'CA', 'NV') }), { minLength: 1, maxLength: 20 }),
        (rows, reads) => {
          const { index, oracle } = buildBoth(rows);
          for (const r of reads) {
            const read: Read = { id: 'p', plate: r.plate, candidates: r.candidates.map((plate) => ({ plate })) };
            if (r.state !== undefined) read.state = r.state;
            expect(sortHitKeys(index.matchRead(read, NOW).map(toKey))).toEqual(sortHitKeys(oracle.matchRead(read, NOW)));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds every planted near-miss of listed plates the oracle finds', () => {
    // Reads derived from the listed plates themselves, so most reads hit something.
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 30 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...chars), fc.constantFrom('sub', 'ins', 'del', 'none')), { maxLength: 30 }), (rows, edits) => {
        const { index, oracle } = buildBoth(rows);
        const plates = rows.map((r) => r.plate.replace(/[?*]/g, 'X'));
        for (const [which, at, ch, op] of edits) {
          const base = plates[which % plates.length] as string;
          const i = at % (base.length + 1);
          const plate = op === 'sub' ? base.slice(0, i) + ch + base.slice(i + 1) : op === 'ins' ? base.slice(0, i) + ch + base.slice(i) : op === 'del' ? base.slice(0, i) + base.slice(i + 1) : base;
          if (plate.length < 2 || plate.length > 8) continue;
          const read: Read = { id: 'q', plate };
          expect(sortHitKeys(index.matchRead(read, NOW).map(toKey))).toEqual(sortHitKeys(oracle.matchRead(read, NOW)));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('Matcher with thousands of overlapping patterns', () => {
  it('still returns every hit when the walk has more matches than its buffer holds', () => {
    const config = resolveMatcherConfig();
    // Every pattern over {A, ?, *} with three or more A: thousands of distinct patterns, and the
    // `*`s give each many paths to AAAAAAAA, more than the 4096-slot buffer the walks write into.
    const patterns = new Set<string>();
    const grow = (p: string): void => {
      const fixed = p.replace(/\*/g, '').length;
      if (fixed > 8 || patterns.size > 3000) return;
      if ((p.match(/A/g) ?? []).length >= 3 && p.includes('*')) patterns.add(p);
      for (const ch of ['A', '?', '*']) if (!(ch === '*' && p.endsWith('*'))) grow(p + ch);
    };
    grow('');
    const entries = [...patterns].map((p) => entry(p, 'BOLO', {}, config));
    const index = new Matcher(config);
    const oracle = new LinearMatcher(config);
    index.loadList('BOLO', entries);
    oracle.loadList('BOLO', entries);
    const read: Read = { id: 'o', plate: 'AAAAAAAA' };
    const hits = index.matchRead(read, NOW);
    expect(hits.length).toBeGreaterThan(1000);
    expect(sortHitKeys(hits.map(toKey))).toEqual(sortHitKeys(oracle.matchRead(read, NOW)));
  });
});
