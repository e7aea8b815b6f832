// The behaviour every matcher implementation must show, run against the linear oracle and the
// trie index alike (hono's router/common.case.test.ts pattern). Each case builds its own lists.
import { describe, expect, it } from 'vitest';
import {
  resolveMatcherConfig,
  validateEntry,
  type HotlistEntry,
  type MatcherConfig,
  type RawEntryFields,
  type Read,
} from '../../matcher/index.js';
import type { HitKey } from './oracle.js';

export interface MatcherUnderTest {
  loadList(list: string, entries: readonly HotlistEntry[]): void;
  matchRead(read: Read, nowMs: number): HitKey[];
}

const NOW = Date.parse('2026-11-23T12:00:00Z');

export function entry(plate: string, list: string, extra: Partial<RawEntryFields> = {}, config = resolveMatcherConfig()): HotlistEntry {
  const result = validateEntry({ plate, list, reason: 'TEST', case_number: '26-0001', entered_by: 'Ofc. Tester', synopsis: 'test entry', ...extra }, config);
  if (!result.ok) throw new Error(result.reason);
  return result.entry;
}

function read(plate: string, extra: Partial<Read> = {}): Read {
  return { id: `r-${plate}`, plate, ...extra };
}

function kinds(hits: HitKey[]): string[] {
  return hits.map((h) => `${h.list}:${h.entry}:${h.kind}:${h.ocrSubstitutions}`).sort();
}

export function runMatcherCases(name: string, newMatcher: (config: MatcherConfig) => MatcherUnderTest): void {
  describe(`${name}: shared matcher cases`, () => {
    const config = resolveMatcherConfig();
    const loaded = (lists: Record<string, HotlistEntry[]>, cfg: MatcherConfig = config): MatcherUnderTest => {
      const m = newMatcher(cfg);
      for (const [list, entries] of Object.entries(lists)) m.loadList(list, entries);
      return m;
    };

    it('matches a listed plate exactly', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')] });
      expect(kinds(m.matchRead(read('7ABC123'), NOW))).toEqual(['SVS:7ABC123:exact:0']);
    });

    it('reports the entry text exactly as listed', () => {
      const m = loaded({ SVS: [entry('7abc-123', 'SVS')] });
      expect(m.matchRead(read('7ABC123'), NOW).map((h) => h.entry)).toEqual(['7abc-123']);
    });

    it('matches an OCR misread of 8 for B and 0 for O as ocr with the substitution count', () => {
      const m = loaded({ SVS: [entry('7ABO123', 'SVS')] });
      expect(kinds(m.matchRead(read('7A801Z3'), NOW))).toEqual([]); // three substitutions: over the cap of 2
      expect(kinds(m.matchRead(read('7A80123'), NOW))).toEqual(['SVS:7ABO123:ocr:2']);
      expect(kinds(m.matchRead(read('7A8O123'), NOW))).toEqual(['SVS:7ABO123:ocr:1']);
    });

    it('gives plates under five characters no OCR equivalence', () => {
      const m = loaded({ SVS: [entry('AB12', 'SVS')] });
      expect(kinds(m.matchRead(read('A812'), NOW))).toEqual([]);
      expect(kinds(m.matchRead(read('AB12'), NOW))).toEqual(['SVS:AB12:exact:0']);
    });

    it('never matches a general list fuzzily', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')] });
      for (const p of ['7ABC124', '7ABC12', '7ABC1234', 'X7ABC123']) expect(kinds(m.matchRead(read(p), NOW))).toEqual([]);
    });

    it('matches a specific list within one substitution, insertion or deletion', () => {
      const m = loaded({ BOLO: [entry('6TRJ244', 'BOLO')] });
      for (const p of ['6TRJ245', '6TRJ24', '6TRJ2445', '6TJ244', 'X6TRJ244']) {
        const hits = m.matchRead(read(p), NOW);
        expect(kinds(hits), p).toEqual(['BOLO:6TRJ244:fuzzy:0']);
        expect(hits[0]?.distance).toBe(1);
      }
    });

    it('does not match two edits away', () => {
      const m = loaded({ BOLO: [entry('6TRJ244', 'BOLO')] });
      for (const p of ['6TRJ255', '6TR24', 'XX6TRJ244', '6XRJ24X']) expect(kinds(m.matchRead(read(p), NOW)), p).toEqual([]);
    });

    it('lets one edit absorb an OCR substitution beyond the cap', () => {
      const m = loaded({ BOLO: [entry('7ABO123', 'BOLO')] });
      // Three OCR substitutions (B→8, O→0, 2→Z): not ocr, but one edit + two substitutions is fuzzy.
      expect(kinds(m.matchRead(read('7A801Z3'), NOW))).toEqual(['BOLO:7ABO123:fuzzy:2']);
    });

    it('needs five characters on both sides for fuzzy', () => {
      const m = loaded({ BOLO: [entry('ABC12', 'BOLO'), entry('XY123', 'BOLO')] });
      expect(kinds(m.matchRead(read('ABC1'), NOW))).toEqual([]);
      expect(kinds(m.matchRead(read('ABC13'), NOW))).toEqual(['BOLO:ABC12:fuzzy:0']);
    });

    it('matches partial patterns: ? is one character, * any run', () => {
      const m = loaded({ BOLO: [entry('7AB?12', 'BOLO'), entry('*XK9*', 'BOLO'), entry('ABC*', 'BOLO')] });
      expect(kinds(m.matchRead(read('7ABX12'), NOW))).toEqual(['BOLO:7AB?12:partial:0']);
      expect(kinds(m.matchRead(read('7AB12'), NOW))).toEqual([]);
      expect(kinds(m.matchRead(read('XK9'), NOW))).toEqual(['BOLO:*XK9*:partial:0']);
      expect(kinds(m.matchRead(read('1XK922'), NOW))).toEqual(['BOLO:*XK9*:partial:0']);
      expect(kinds(m.matchRead(read('ABC'), NOW))).toEqual(['BOLO:ABC*:partial:0']);
      expect(kinds(m.matchRead(read('ABC9999'), NOW))).toEqual(['BOLO:ABC*:partial:0']);
      expect(kinds(m.matchRead(read('XABC99'), NOW))).toEqual([]);
    });

    it('counts OCR substitutions at a pattern\'s known characters against the cap', () => {
      const m = loaded({ BOLO: [entry('7AB?12', 'BOLO')] });
      expect(kinds(m.matchRead(read('7A8X1Z'), NOW))).toEqual(['BOLO:7AB?12:partial:2']);
      expect(kinds(m.matchRead(read('7A8XIZ'), NOW))).toEqual([]);
    });

    it('never matches an expired entry', () => {
      const m = loaded({
        SVS: [entry('7ABC123', 'SVS', { expires_at: '2026-11-23T12:00:00Z' }), entry('8XYZ999', 'SVS', { expires_at: '2026-11-24' })],
      });
      expect(kinds(m.matchRead(read('7ABC123'), NOW))).toEqual([]);
      expect(kinds(m.matchRead(read('8XYZ999'), NOW))).toEqual(['SVS:8XYZ999:exact:0']);
    });

    it('matches every candidate plate and says which one hit', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')] });
      const hits = m.matchRead(read('7ABC128', { candidates: [{ plate: 'ZZZ999', conf: 0.4 }, { plate: '7ABC123', conf: 0.3 }] }), NOW);
      expect(hits.map((h) => [h.entry, h.kind, h.candidate])).toEqual([['7ABC123', 'exact', 2]]);
    });

    it('keeps the best way an entry matched across candidates', () => {
      const m = loaded({ BOLO: [entry('6TRJ244', 'BOLO')] });
      const hits = m.matchRead(read('6TRJ245', { candidates: [{ plate: '6TRJ244' }] }), NOW);
      expect(hits.map((h) => [h.kind, h.candidate])).toEqual([['exact', 1]]);
    });

    it('skips a candidate that is not a plate', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')] });
      expect(m.matchRead(read('7ABC123', { candidates: [{ plate: '7ab c!' }] }), NOW)).toHaveLength(1);
    });

    it('says whether the state matched', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS', { state: 'CA' }), entry('8XYZ999', 'SVS')] });
      expect(m.matchRead(read('7ABC123', { state: 'CA' }), NOW)[0]?.stateMatch).toBe(true);
      expect(m.matchRead(read('7ABC123', { state: 'NV' }), NOW)[0]?.stateMatch).toBe(false);
      expect(m.matchRead(read('7ABC123'), NOW)[0]?.stateMatch).toBeNull();
      expect(m.matchRead(read('8XYZ999', { state: 'NV' }), NOW)[0]?.stateMatch).toBe(true);
    });

    it('reports hits from every list the plate is on', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')], SFR: [entry('7ABC123', 'SFR')], BOLO: [entry('7ABC124', 'BOLO')] });
      expect(kinds(m.matchRead(read('7ABC123'), NOW))).toEqual(['BOLO:7ABC124:fuzzy:0', 'SFR:7ABC123:exact:0', 'SVS:7ABC123:exact:0']);
    });

    it('reports every entry of a list that the read matches', () => {
      const m = loaded({ BOLO: [entry('6TRJ244', 'BOLO'), entry('6TRJ245', 'BOLO'), entry('6TRJ24?', 'BOLO')] });
      expect(kinds(m.matchRead(read('6TRJ244'), NOW))).toEqual(['BOLO:6TRJ244:exact:0', 'BOLO:6TRJ245:fuzzy:0', 'BOLO:6TRJ24?:partial:0']);
    });

    it('follows per-list policies and custom OCR classes from configuration', () => {
      const cfg = resolveMatcherConfig({ ocrClasses: ['0ODQ', '8B', 'UV'], listPolicies: { HOT: ['exact', 'ocr'], CASE1: ['exact', 'fuzzy'] } });
      const m = loaded({ HOT: [entry('UVW123', 'HOT', {}, cfg)], CASE1: [entry('ABC123', 'CASE1', {}, cfg)] }, cfg);
      expect(kinds(m.matchRead(read('VVW123'), NOW))).toEqual(['HOT:UVW123:ocr:1']);
      expect(kinds(m.matchRead(read('UVW124'), NOW))).toEqual([]);
      expect(kinds(m.matchRead(read('A8C123'), NOW))).toEqual(['CASE1:ABC123:fuzzy:0']);
      expect(kinds(m.matchRead(read('1VW123'), NOW))).toEqual([]); // 1 and I no longer a class... and U is not 1
    });

    it('finds nothing in empty lists or for plates on no list', () => {
      const m = loaded({ SVS: [entry('7ABC123', 'SVS')] });
      expect(m.matchRead(read('ZZZZ999'), NOW)).toEqual([]);
      expect(newMatcher(config).matchRead(read('7ABC123'), NOW)).toEqual([]);
    });
  });
}
