// The matcher: holds the current HotlistIndex and checks reads against it. A list is built off to
// the side and swapped in with one assignment; matchRead takes the index once at its start, so a
// read never sees half a list (and JavaScript runs it to completion before any swap).
import { DEFAULT_MATCHER_CONFIG, MAX_PLATE_LENGTH, MIN_PLATE_LENGTH, type MatcherConfig } from './config.js';
import { assembleHits } from './hit-assembly.js';
import { HotlistIndex } from './hotlist-index.js';
import { ListIndex, type SearchScratch } from './list-index.js';
import { MatchSink } from './match-sink.js';
import { OcrAlphabet } from './ocr.js';
import { PlateComparison } from './plate-comparison.js';
import type { Hit, HotlistEntry, Read } from './types.js';

/** What `matchRead` returns when nothing matched: shared, so a miss allocates nothing. */
export const NO_HITS: readonly Hit[] = Object.freeze([]);

export interface ListSummary {
  list: string;
  version: number;
  entries: number;
  plates: number;
  patterns: number;
  builtAt: number;
}

export interface ListLoadSummary extends ListSummary {
  buildMs: number;
}

export class Matcher {
  readonly config: MatcherConfig;
  readonly alphabet: OcrAlphabet;
  private index = new HotlistIndex();
  private readonly scratch: SearchScratch;
  private readonly symbols = new Uint8Array(MAX_PLATE_LENGTH);
  private readonly sink = new MatchSink();

  /** `config` should come from `resolveMatcherConfig`, which validates it. */
  constructor(config: MatcherConfig = DEFAULT_MATCHER_CONFIG) {
    this.config = config;
    this.alphabet = new OcrAlphabet(config.ocrClasses);
    this.scratch = {
      comparison: new PlateComparison(this.alphabet),
      found: new Int32Array(4096),
      reversedSymbols: new Uint8Array(MAX_PLATE_LENGTH),
      caps: Uint8Array.from(config.ocrMaxSubstitutionsByLength),
      fuzzyMinLength: config.fuzzyMinLength,
      anyOne: this.alphabet.anyOne,
      anyRun: this.alphabet.anyRun,
    };
  }

  /** The index reads are matched against right now. */
  get current(): HotlistIndex {
    return this.index;
  }

  /** Builds a list's index without touching the live one. Version defaults to the live version + 1. */
  buildList(list: string, entries: readonly HotlistEntry[], version?: number, builtAt = Date.now()): ListIndex {
    const next = version ?? (this.index.get(list)?.version ?? 0) + 1;
    return new ListIndex(list, entries, this.config, this.alphabet, next, builtAt);
  }

  /** Makes a built list live, replacing the list of the same name whole. */
  swapList(list: ListIndex): void {
    this.index = this.index.with(list);
  }

  loadList(list: string, entries: readonly HotlistEntry[]): ListLoadSummary {
    const started = performance.now();
    const built = this.buildList(list, entries);
    const buildMs = performance.now() - started;
    this.swapList(built);
    return { ...summarize(built), buildMs };
  }

  removeList(list: string): boolean {
    const had = this.index.get(list) !== undefined;
    this.index = this.index.without(list);
    return had;
  }

  lists(): ListSummary[] {
    return this.index.lists.map(summarize);
  }

  /**
   * Every entry the read (or any of its candidates) matches, one hit per entry, best first.
   * Plates must be normalised; a candidate that is not a valid plate is skipped.
   */
  matchRead(read: Read, nowMs: number): readonly Hit[] {
    const index = this.index;
    const sink = this.sink;
    sink.count = 0;
    this.searchPlate(index, read.plate, 0, nowMs);
    const candidates = read.candidates;
    if (candidates !== undefined) {
      for (let c = 0; c < candidates.length; c++) this.searchPlate(index, (candidates[c] as { plate: string }).plate, c + 1, nowMs);
    }
    return sink.count === 0 ? NO_HITS : assembleHits(index, sink, read, this.scratch.comparison);
  }

  private searchPlate(index: HotlistIndex, plate: string, candidate: number, nowMs: number): void {
    const length = plate.length;
    if (length < MIN_PLATE_LENGTH || length > MAX_PLATE_LENGTH) return;
    const symbolOf = this.alphabet.symbolOf;
    const symbols = this.symbols;
    const plateSymbols = this.alphabet.size;
    for (let i = 0; i < length; i++) {
      const code = plate.charCodeAt(i);
      const symbol = code < 128 ? (symbolOf[code] as number) : 0;
      if (symbol === 0 || symbol > plateSymbols) return;
      symbols[i] = symbol;
    }
    const lists = index.lists;
    for (let slot = 0; slot < lists.length; slot++) {
      (lists[slot] as ListIndex).search(slot, plate, symbols, length, nowMs, candidate, this.sink, this.scratch);
    }
  }
}

function summarize(list: ListIndex): ListSummary {
  return { list: list.list, version: list.version, entries: list.size, plates: list.plateCount, patterns: list.patternCount, builtAt: list.builtAt };
}
