// The naive baseline the issue asks the index to beat: a Map of OCR-mapped plates for exact and
// OCR-equivalent hits, a scan of the whole specific list with a bounded edit-distance check for
// fuzzy hits, and one RegExp per partial pattern (built at load). It is a timing baseline written
// the obvious way, not the oracle: the property tests in test/matcher/ hold the index to account.
// It matches the primary plate only; the bench's reads carry no candidates.
import { OcrAlphabet, listPolicy, type HotlistEntry, type MatchKind, type MatcherConfig, type Read } from '../matcher/index.js';

export interface NaiveHit {
  list: string;
  /** The entry's plate or pattern as listed. */
  entry: string;
  kind: MatchKind;
  distance: number;
  ocrSubstitutions: number;
}

interface PlainEntry {
  entry: HotlistEntry;
  mapped: string;
}

interface PatternEntry {
  entry: HotlistEntry;
  /** Anchored, over OCR-mapped characters: `?` is `.`, `*` is `.*`. */
  regex: RegExp;
}

interface NaiveList {
  list: string;
  allowOcr: boolean;
  byMapped: Map<string, HotlistEntry[]>;
  /** Every plain entry, for the fuzzy scan; empty when the list does not allow fuzzy. */
  fuzzy: PlainEntry[];
  patterns: PatternEntry[];
}

export class NaiveMatcher {
  private readonly alphabet: OcrAlphabet;
  private readonly lists = new Map<string, NaiveList>();

  constructor(private readonly config: MatcherConfig) {
    this.alphabet = new OcrAlphabet(config.ocrClasses);
  }

  /** Replaces the list of that name. */
  loadList(list: string, entries: readonly HotlistEntry[]): void {
    const kinds = listPolicy(this.config, list);
    const loaded: NaiveList = { list, allowOcr: kinds.includes('ocr'), byMapped: new Map(), fuzzy: [], patterns: [] };
    for (const entry of entries) {
      if (entry.isPattern) {
        if (kinds.includes('partial')) loaded.patterns.push({ entry, regex: this.patternRegex(entry.plate) });
        continue;
      }
      const mapped = this.alphabet.mapPlate(entry.plate);
      const same = loaded.byMapped.get(mapped);
      if (same === undefined) loaded.byMapped.set(mapped, [entry]);
      else same.push(entry);
      if (kinds.includes('fuzzy')) loaded.fuzzy.push({ entry, mapped });
    }
    this.lists.set(list, loaded);
  }

  matchRead(read: Read, nowMs: number): NaiveHit[] {
    const plate = read.plate;
    const mapped = this.alphabet.mapPlate(plate);
    const caps = this.config.ocrMaxSubstitutionsByLength;
    const hits: NaiveHit[] = [];
    for (const list of this.lists.values()) {
      for (const entry of list.byMapped.get(mapped) ?? []) {
        if (isExpired(entry, nowMs)) continue;
        const subs = rawDifferences(plate, entry.plate);
        if (subs === 0) hits.push({ list: list.list, entry: entry.listed, kind: 'exact', distance: 0, ocrSubstitutions: 0 });
        else if (list.allowOcr && subs <= (caps[plate.length] ?? 0)) {
          hits.push({ list: list.list, entry: entry.listed, kind: 'ocr', distance: 0, ocrSubstitutions: subs });
        }
      }
      for (const { entry, regex } of list.patterns) {
        if (isExpired(entry, nowMs) || !regex.test(mapped)) continue;
        const subs = patternSubstitutions(plate, entry.plate, this.alphabet);
        if (subs <= (caps[plate.length] ?? 0)) hits.push({ list: list.list, entry: entry.listed, kind: 'partial', distance: 0, ocrSubstitutions: subs });
      }
      if (list.fuzzy.length === 0 || plate.length < this.config.fuzzyMinLength) continue;
      for (const { entry, mapped: entryMapped } of list.fuzzy) {
        if (Math.abs(entryMapped.length - mapped.length) > 1 || entryMapped.length < this.config.fuzzyMinLength) continue;
        if (isExpired(entry, nowMs)) continue;
        const subs = oneEditSubstitutions(plate, mapped, entry.plate, entryMapped);
        if (subs >= 0 && subs <= (caps[Math.min(plate.length, entry.plate.length)] ?? 0)) {
          hits.push({ list: list.list, entry: entry.listed, kind: 'fuzzy', distance: 1, ocrSubstitutions: subs });
        }
      }
    }
    return hits;
  }

  private patternRegex(pattern: string): RegExp {
    let source = '^';
    for (const ch of pattern) source += ch === '?' ? '.' : ch === '*' ? '.*' : this.alphabet.mapPlate(ch);
    return new RegExp(`${source}$`);
  }
}

function isExpired(entry: HotlistEntry, nowMs: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt <= nowMs;
}

function rawDifferences(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * OCR substitutions of the best alignment when the OCR-mapped plates are exactly one edit apart,
 * or -1. With equal lengths the edit is a substitution; otherwise one character of the longer
 * plate is dropped, at any position that leaves the mapped plates equal.
 */
export function oneEditSubstitutions(read: string, readMapped: string, listed: string, listedMapped: string): number {
  if (readMapped.length === listedMapped.length) {
    let edit = -1;
    for (let i = 0; i < readMapped.length; i++) {
      if (readMapped[i] === listedMapped[i]) continue;
      if (edit >= 0) return -1;
      edit = i;
    }
    if (edit < 0) return -1;
    let subs = 0;
    for (let i = 0; i < read.length; i++) if (i !== edit && read[i] !== listed[i]) subs++;
    return subs;
  }
  const readIsLonger = readMapped.length > listedMapped.length;
  const [long, longMapped, short, shortMapped] = readIsLonger ? [read, readMapped, listed, listedMapped] : [listed, listedMapped, read, readMapped];
  if (longMapped.length !== shortMapped.length + 1) return -1;
  let prefix = 0;
  while (prefix < shortMapped.length && longMapped[prefix] === shortMapped[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shortMapped.length && longMapped[longMapped.length - 1 - suffix] === shortMapped[shortMapped.length - 1 - suffix]) suffix++;
  let best = -1;
  // Dropping long[i] leaves the mapped plates equal iff i ≤ prefix and the rest is a common suffix.
  for (let i = Math.max(0, long.length - 1 - suffix); i <= prefix; i++) {
    let subs = 0;
    for (let j = 0; j < short.length; j++) if (short[j] !== long[j < i ? j : j + 1]) subs++;
    if (best < 0 || subs < best) best = subs;
  }
  return best;
}

/** Fewest OCR substitutions over the alignments of a read with a pattern its regex already matched. */
export function patternSubstitutions(read: string, pattern: string, alphabet: OcrAlphabet): number {
  const INF = 1 << 20;
  // best[i] = fewest substitutions aligning read[0, i) with the pattern so far.
  let best = Array.from({ length: read.length + 1 }, (_, i) => (i === 0 ? 0 : INF));
  for (const p of pattern) {
    const next = new Array<number>(read.length + 1).fill(INF);
    for (let i = 0; i <= read.length; i++) {
      if (p === '*') next[i] = Math.min(best[i] as number, i > 0 ? (next[i - 1] as number) : INF);
      else if (i > 0) {
        const r = read[i - 1] as string;
        const cost = p === '?' || r === p ? 0 : alphabet.areEquivalent(r.charCodeAt(0), p.charCodeAt(0)) ? 1 : INF;
        next[i] = Math.min(INF, (best[i - 1] as number) + cost);
      }
    }
    best = next;
  }
  return best[read.length] as number;
}
