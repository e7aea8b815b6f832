// The oracle: a linear matcher that checks every entry of every list the slow, obvious way.
// It shares no search code with the index (only configuration and the OCR classes), so when the
// two agree on random lists and reads, the trie walks are right.
import {
  listPolicy,
  MATCH_KINDS,
  OcrAlphabet,
  type HotlistEntry,
  type MatchKind,
  type MatcherConfig,
  type Read,
} from '../../matcher/index.js';

/** The part of a hit both implementations must agree on. */
export interface HitKey {
  list: string;
  entry: string;
  kind: MatchKind;
  distance: number;
  ocrSubstitutions: number;
  candidate: number;
  stateMatch: boolean | null;
}

const INF = 1_000;

export class LinearMatcher {
  private readonly lists = new Map<string, readonly HotlistEntry[]>();
  private readonly alphabet: OcrAlphabet;

  constructor(private readonly config: MatcherConfig) {
    this.alphabet = new OcrAlphabet(config.ocrClasses);
  }

  loadList(list: string, entries: readonly HotlistEntry[]): void {
    this.lists.set(list, entries);
  }

  matchRead(read: Read, nowMs: number): HitKey[] {
    const plates = [read.plate, ...(read.candidates ?? []).map((c) => c.plate)];
    const best = new Map<HotlistEntry, HitKey>();
    for (const [list, entries] of this.lists) {
      const kinds = listPolicy(this.config, list);
      for (const entry of entries) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= nowMs) continue;
        plates.forEach((plate, candidate) => {
          const found = this.classify(plate, entry, kinds);
          if (found === null) return;
          const hit: HitKey = {
            list,
            entry: entry.listed,
            kind: found.kind,
            distance: found.kind === 'fuzzy' ? 1 : 0,
            ocrSubstitutions: found.subs,
            candidate,
            stateMatch: entry.state === undefined ? true : read.state === undefined ? null : read.state === entry.state,
          };
          const before = best.get(entry);
          if (before === undefined || rank(hit) < rank(before)) best.set(entry, hit);
        });
      }
    }
    return [...best.values()];
  }

  private classify(plate: string, entry: HotlistEntry, kinds: readonly MatchKind[]): { kind: MatchKind; subs: number } | null {
    if (!/^[A-Z0-9]{2,8}$/.test(plate)) return null;
    const cap = (n: number): number => this.config.ocrMaxSubstitutionsByLength[n] ?? 0;
    if (entry.isPattern) {
      if (!kinds.includes('partial')) return null;
      const subs = this.patternSubs(plate, 0, entry.plate, 0);
      return subs <= cap(plate.length) ? { kind: 'partial', subs } : null;
    }
    const listed = entry.plate;
    if (plate === listed) return { kind: 'exact', subs: 0 };
    if (kinds.includes('ocr') && plate.length === listed.length) {
      let subs = 0;
      let equivalent = true;
      for (let i = 0; i < plate.length; i++) {
        if (plate[i] === listed[i]) continue;
        if (this.same(plate[i] as string, listed[i] as string)) subs++;
        else equivalent = false;
      }
      if (equivalent && subs <= cap(plate.length)) return { kind: 'ocr', subs };
    }
    const shorter = Math.min(plate.length, listed.length);
    if (kinds.includes('fuzzy') && shorter >= this.config.fuzzyMinLength) {
      const subs = this.oneEditSubs(plate, 0, listed, 0, 1);
      if (subs <= cap(shorter)) return { kind: 'fuzzy', subs };
    }
    return null;
  }

  private same(a: string, b: string): boolean {
    return this.alphabet.mapPlate(a) === this.alphabet.mapPlate(b);
  }

  /** Fewest OCR substitutions aligning read[i..] with listed[j..] using exactly `edits` edits. */
  private oneEditSubs(read: string, i: number, listed: string, j: number, edits: number): number {
    if (i === read.length && j === listed.length) return edits === 0 ? 0 : INF;
    let best = INF;
    if (i < read.length && j < listed.length && this.same(read[i] as string, listed[j] as string)) {
      best = (read[i] === listed[j] ? 0 : 1) + this.oneEditSubs(read, i + 1, listed, j + 1, edits);
    }
    if (edits > 0) {
      if (i < read.length && j < listed.length) best = Math.min(best, this.oneEditSubs(read, i + 1, listed, j + 1, edits - 1));
      if (i < read.length) best = Math.min(best, this.oneEditSubs(read, i + 1, listed, j, edits - 1));
      if (j < listed.length) best = Math.min(best, this.oneEditSubs(read, i, listed, j + 1, edits - 1));
    }
    return Math.min(best, INF);
  }

  /** Fewest OCR substitutions aligning read[i..] with pattern[j..]. */
  private patternSubs(read: string, i: number, pattern: string, j: number): number {
    if (j === pattern.length) return i === read.length ? 0 : INF;
    const p = pattern[j] as string;
    if (p === '*') {
      let best = INF;
      for (let k = i; k <= read.length; k++) best = Math.min(best, this.patternSubs(read, k, pattern, j + 1));
      return best;
    }
    if (i === read.length) return INF;
    if (p === '?') return this.patternSubs(read, i + 1, pattern, j + 1);
    if (!this.same(read[i] as string, p)) return INF;
    return Math.min(INF, (read[i] === p ? 0 : 1) + this.patternSubs(read, i + 1, pattern, j + 1));
  }
}

function rank(hit: HitKey): number {
  return MATCH_KINDS.indexOf(hit.kind) * 10_000 + hit.ocrSubstitutions * 100 + hit.candidate;
}

/** Canonical order so two hit lists compare with toEqual. */
export function sortHitKeys(hits: readonly HitKey[]): HitKey[] {
  const key = (h: HitKey): string => `${h.list}\u0000${h.entry}\u0000${h.kind}\u0000${String(h.stateMatch)}\u0000${h.candidate}`;
  return [...hits].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
