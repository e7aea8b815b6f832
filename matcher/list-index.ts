// One hot list, indexed: a trie over its OCR-mapped plates and another over its partial patterns,
// each with its entry columns. Immutable once built, so it can be built off to the side and
// swapped in whole.
import { listPolicy, MAX_PLATE_LENGTH, type MatcherConfig } from './config.js';
import { EntryTable } from './entry-table.js';
import { MatcherError } from './errors.js';
import { KIND_RANK, type MatchSink } from './match-sink.js';
import type { OcrAlphabet } from './ocr.js';
import { NO_ALIGNMENT, type PlateComparison } from './plate-comparison.js';
import { buildPlateTrie, MAX_KEY_LENGTH, type PlateTrie, type TrieKeys } from './plate-trie.js';
import type { HotlistEntry } from './types.js';

/** What the per-read search needs besides the read: shared, preallocated, owned by the Matcher. */
export interface SearchScratch {
  comparison: PlateComparison;
  found: Int32Array;
  reversedSymbols: Uint8Array;
  /** OCR substitution cap by plate length. */
  caps: Uint8Array;
  fuzzyMinLength: number;
  anyOne: number;
  anyRun: number;
}

interface IndexedEntries {
  trie: PlateTrie;
  table: EntryTable;
}

/** The same plates with their symbols reversed, for one-edit searches whose edit is in the first half. */
interface ReversedPlates {
  trie: PlateTrie;
  /** Sorted position in the reversed trie → start of the same key's run in the forward trie. */
  forwardRunStart: Int32Array;
}

export class ListIndex {
  readonly list: string;
  readonly version: number;
  /** When the index was built (ms epoch): hot list age and staleness alarms start here. */
  readonly builtAt: number;
  readonly plateCount: number;
  readonly patternCount: number;
  readonly allowOcr: boolean;
  readonly allowFuzzy: boolean;
  readonly allowPartial: boolean;
  readonly plates: IndexedEntries | null;
  readonly patterns: IndexedEntries | null;
  readonly reversedPlates: ReversedPlates | null;

  constructor(list: string, entries: readonly HotlistEntry[], config: MatcherConfig, alphabet: OcrAlphabet, version: number, builtAt: number) {
    this.list = list;
    this.version = version;
    this.builtAt = builtAt;
    const kinds = listPolicy(config, list);
    this.allowOcr = kinds.includes('ocr');
    this.allowFuzzy = kinds.includes('fuzzy');
    this.allowPartial = kinds.includes('partial');
    const plain: HotlistEntry[] = [];
    const patterns: HotlistEntry[] = [];
    for (const entry of entries) {
      if (entry.list !== list) {
        throw new MatcherError('WRONG_LIST', `entry "${entry.listed}" belongs to list ${entry.list}, not ${list}`);
      }
      if (!entry.isPattern) plain.push(entry);
      // A pattern on a list without partial matching would never match; validation refuses it earlier.
      else if (this.allowPartial) patterns.push(entry);
    }
    this.plateCount = plain.length;
    this.patternCount = patterns.length;
    if (plain.length > 0) {
      const { trie, table, order } = indexEntries(plain, alphabet, MAX_PLATE_LENGTH);
      this.plates = { trie, table };
      this.reversedPlates = this.allowFuzzy ? indexReversed(plain, alphabet, trie, order) : null;
    } else {
      this.plates = null;
      this.reversedPlates = null;
    }
    if (patterns.length > 0) {
      const { trie, table } = indexEntries(patterns, alphabet, MAX_KEY_LENGTH);
      this.patterns = { trie, table };
    } else {
      this.patterns = null;
    }
  }

  get size(): number {
    return this.plateCount + this.patternCount;
  }

  /** Every entry as listed, for diffs and listings: allocates, never on the per-read path. */
  entries(): HotlistEntry[] {
    const out: HotlistEntry[] = [];
    for (const [indexed, isPattern] of [[this.plates, false], [this.patterns, true]] as const) {
      if (indexed === null) continue;
      for (let p = 0; p < indexed.table.count; p++) out.push(indexed.table.entry(p, this.list, isPattern));
    }
    return out;
  }

  /**
   * Adds to `sink` every entry of this list that `plate` matches. `symbols[0, length)` is the plate
   * mapped to OCR symbols. Allocates nothing.
   */
  search(slot: number, plate: string, symbols: Uint8Array, length: number, nowMs: number, candidate: number, sink: MatchSink, scratch: SearchScratch): void {
    const plates = this.plates;
    if (plates !== null) {
      const reversed = this.reversedPlates;
      if (reversed !== null && length >= scratch.fuzzyMinLength) {
        // One edit leaves either the first or the second half of the plate intact: search the
        // forward trie for edits in the second half and the reversed trie for edits in the first.
        const half = length >> 1;
        const found = scratch.found;
        const forward = plates.trie.findWithinOneEdit(symbols, length, half, found, 0);
        const reversedSymbols = scratch.reversedSymbols;
        for (let i = 0; i < length; i++) reversedSymbols[i] = symbols[length - 1 - i] as number;
        const n = reversed.trie.findWithinOneEdit(reversedSymbols, length, length - half, found, forward);
        for (let k = forward; k < n; k++) found[k] = reversed.forwardRunStart[found[k] as number] as number;
        if (n < found.length) {
          for (let k = 0; k < n; k++) this.classifyPlates(slot, plates, found[k] as number, plate, nowMs, candidate, sink, scratch);
        } else {
          this.classifyEveryRun(slot, plates, plate, nowMs, candidate, sink, scratch);
        }
      } else {
        const start = plates.trie.find(symbols, length);
        if (start >= 0) this.classifyPlates(slot, plates, start, plate, nowMs, candidate, sink, scratch);
      }
    }
    const patterns = this.patterns;
    if (patterns !== null) {
      const found = scratch.found;
      const n = patterns.trie.findPatterns(symbols, length, scratch.anyOne, scratch.anyRun, found);
      if (n < found.length) {
        for (let k = 0; k < n; k++) this.classifyPatterns(slot, patterns, found[k] as number, plate, nowMs, candidate, sink, scratch);
      } else {
        for (let p = 0; p < patterns.table.count; p++) {
          if (p === 0 || patterns.trie.sameKeyAsNext[p - 1] === 0) this.classifyPatterns(slot, patterns, p, plate, nowMs, candidate, sink, scratch);
        }
      }
    }
  }

  /**
   * The walks stop recording when `found` is full (only a read against thousands of overlapping
   * patterns could get there); then every run is classified, slower but losing nothing.
   */
  private classifyEveryRun(slot: number, plates: IndexedEntries, plate: string, nowMs: number, candidate: number, sink: MatchSink, scratch: SearchScratch): void {
    for (let p = 0; p < plates.table.count; p++) {
      if (p === 0 || plates.trie.sameKeyAsNext[p - 1] === 0) this.classifyPlates(slot, plates, p, plate, nowMs, candidate, sink, scratch);
    }
  }

  private classifyPatterns(slot: number, { table, trie }: IndexedEntries, start: number, plate: string, nowMs: number, candidate: number, sink: MatchSink, scratch: SearchScratch): void {
    const cap = scratch.caps[plate.length] as number;
    for (let p = start; ; p++) {
      if ((table.expiresAt[p] as number) > nowMs) {
        const subs = scratch.comparison.patternSubstitutions(plate, table.raw, p * table.width, table.rawLength[p] as number);
        if (subs <= cap) sink.add(slot, 1, p, KIND_RANK.partial, subs, candidate);
      }
      if (trie.sameKeyAsNext[p] === 0) break;
    }
  }

  /** Classifies each entry of the run of equal OCR keys starting at sorted position `start`. */
  private classifyPlates(slot: number, { table, trie }: IndexedEntries, start: number, plate: string, nowMs: number, candidate: number, sink: MatchSink, scratch: SearchScratch): void {
    const length = plate.length;
    const comparison = scratch.comparison;
    for (let p = start; ; p++) {
      if ((table.expiresAt[p] as number) > nowMs) {
        const listedLength = table.rawLength[p] as number;
        const offset = p * table.width;
        const subs = comparison.substitutions(plate, table.raw, offset, listedLength);
        if (subs === 0) {
          sink.add(slot, 0, p, KIND_RANK.exact, 0, candidate);
        } else if (this.allowOcr && subs <= (scratch.caps[length] as number)) {
          sink.add(slot, 0, p, KIND_RANK.ocr, subs, candidate);
        } else if (this.allowFuzzy) {
          const shorter = length < listedLength ? length : listedLength;
          if (shorter >= scratch.fuzzyMinLength) {
            const oneEdit = comparison.oneEditSubstitutions(plate, table.raw, offset, listedLength);
            if (oneEdit !== NO_ALIGNMENT && oneEdit <= (scratch.caps[shorter] as number)) {
              sink.add(slot, 0, p, KIND_RANK.fuzzy, oneEdit, candidate);
            }
          }
        }
      }
      if (trie.sameKeyAsNext[p] === 0) break;
    }
  }
}

/** Each entry's plate as OCR symbols, optionally reversed (last character first). */
function plateKeys(entries: readonly HotlistEntry[], alphabet: OcrAlphabet, reversed: boolean): TrieKeys {
  const count = entries.length;
  const symbols = new Uint8Array(count * MAX_KEY_LENGTH);
  const lengths = new Uint8Array(count);
  const symbolOf = alphabet.symbolOf;
  for (let k = 0; k < count; k++) {
    const plate = (entries[k] as HotlistEntry).plate;
    const n = plate.length;
    lengths[k] = n;
    for (let i = 0; i < n; i++) symbols[k * MAX_KEY_LENGTH + i] = symbolOf[plate.charCodeAt(reversed ? n - 1 - i : i)] as number;
  }
  return { symbols, lengths, count };
}

function indexEntries(entries: readonly HotlistEntry[], alphabet: OcrAlphabet, width: number): IndexedEntries & { order: Int32Array } {
  const { trie, order } = buildPlateTrie(plateKeys(entries, alphabet, false));
  return { trie, table: new EntryTable(entries, order, width), order };
}

function indexReversed(entries: readonly HotlistEntry[], alphabet: OcrAlphabet, forward: PlateTrie, forwardOrder: Int32Array): ReversedPlates {
  const count = entries.length;
  const { trie, order } = buildPlateTrie(plateKeys(entries, alphabet, true));
  const forwardPosition = new Int32Array(count);
  for (let p = 0; p < count; p++) forwardPosition[forwardOrder[p] as number] = p;
  const forwardRunStart = new Int32Array(count);
  for (let p = 0; p < count; p++) {
    let f = forwardPosition[order[p] as number] as number;
    while (f > 0 && forward.sameKeyAsNext[f - 1] === 1) f--;
    forwardRunStart[p] = f;
  }
  return { trie, forwardRunStart };
}
