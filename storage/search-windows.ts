// How a search that the primary key cannot narrow walks its time range: newest-first windows that
// stop once the page is full, one pass over the rest once the rows found say it is sparse, and
// one pass over the whole range for patterns that match few reads (BENCHMARKS.md, partial-plate
// search). Pure planning: `fetch` runs the queries, storage/search.ts in the product and
// bench/storage/search.bench.ts in the benchmark.
import { normalizePattern } from '../matcher/index.js';
import type { SearchRequest } from './search.js';

/** The newest window of a scanning search (`searchWindows`); each older one is twice as long. */
export const FIRST_WINDOW_MS = 86_400_000;

/**
 * True when the plate filter cannot narrow the search through the primary key (ORDER BY
 * plate_ocr, …), so it reads every day partition of its range: a pattern that does not start with
 * a known character, a fuzzy plate (half its matches are found by their ending), or no plate.
 */
export function scansEveryPartition(req: Pick<SearchRequest, 'plate'>): boolean {
  const p = req.plate;
  if (p === undefined || p.kind === 'fuzzy') return true;
  if (p.kind === 'partial') {
    // As the query sees it: `-*ABC` and `*ABC` are the same pattern once separators are dropped.
    const n = normalizePattern(p.pattern, 0);
    return /^[?*]/.test(n.ok ? n.pattern : p.pattern.trim());
  }
  return false;
}

/** A partial pattern with this many known characters in a row matches a few reads a day at most. */
export const FEW_MATCHES_KNOWN_RUN = 5;

/**
 * The newest window of a search that `expectsFewMatches`, read in one pass; older windows double
 * as usual. Until session 32 the whole range was one pass: over a year a pattern's few reads a day
 * are hundreds, and that pass read all of them to sort out the newest 100 (p95 1.2–1.7 s against
 * 0.44–0.52 s now, on 200 M reads over 365 days; BENCHMARKS.md, "a year of detections").
 */
export const FEW_MATCHES_FIRST_WINDOW_MS = 30 * FIRST_WINDOW_MS;

/**
 * True for a partial pattern with at least FEW_MATCHES_KNOWN_RUN known characters in a row: on 50 M
 * reads over 30 days such a pattern matched about two reads a day, and one indexed pass over the
 * month beat walking it from one day (p95 251 against 431 ms with the 8 KiB filter then shipped;
 * BENCHMARKS.md, "five known characters in one pass"): its windows start at a month.
 */
export function expectsFewMatches(plate: SearchRequest['plate']): boolean {
  if (plate?.kind !== 'partial') return false;
  const n = normalizePattern(plate.pattern, FEW_MATCHES_KNOWN_RUN);
  return n.ok && Math.max(...n.pattern.split(/[?*]/).map((run) => run.length)) >= FEW_MATCHES_KNOWN_RUN;
}

/**
 * True when each window of a scanning search reads in one pass: for partial patterns. A window
 * (a day or a few) holds few of a pattern's matches, so reading their rows where they are found
 * beats finding their keys and fetching them again by primary key: p95 105–153 against 165–273 ms
 * for 4-known infixes on 50 M reads in three runs (BENCHMARKS.md, "each window in one pass").
 * Plate-less searches keep two passes: one pass would read every column of every row of the
 * window to sort it. Fuzzy plates run as branches, which have no one-pass form.
 */
export function windowsInOnePass(plate: SearchRequest['plate']): boolean {
  return plate?.kind === 'partial';
}

/** How `scanNewestFirst` asks for one window to be read. */
export interface WindowRead {
  /** One pass (filter and every column) rather than keys first, then rows by primary key. */
  onePass: boolean;
  /** Rows still wanted: the query's LIMIT. */
  want: number;
  /** The rows found so far say the window holds more than `want` (never for the first window). */
  moreThanWanted: boolean;
}

/**
 * How a scanning search reads its range, newest first, for `fetch` to run: windows of
 * FIRST_WINDOW_MS, 2×, 4×, … (two passes each, or one with `windowsInOnePass`) until `limit`
 * rows are found; once the rows found say the rest will not fill the page (`isSparse`), the rest
 * in one one-pass query (not `moreThanWanted`). A pattern that `expectsFewMatches` starts with
 * FEW_MATCHES_FIRST_WINDOW_MS in one pass (so a range of a month or less is one query), then
 * doubles as the others do. `fetch` reads one window as `WindowRead` says and returns how many
 * rows it found. The benchmark runs this too.
 */
export async function scanNewestFirst(
  range: { from: number; to: number; limit: number; fewMatches: boolean; windowsInOnePass?: boolean; firstWindowMs?: number },
  fetch: (window: { from: number; to: number }, read: WindowRead) => Promise<number>,
): Promise<void> {
  const { from, to, limit } = range;
  const onePass = range.windowsInOnePass === true || range.fewMatches;
  let found = 0;
  for (const w of searchWindows(from, to, range.fewMatches ? FEW_MATCHES_FIRST_WINDOW_MS : range.firstWindowMs)) {
    // The rate so far (none before the first window) says whether this window overfills the page.
    const covered = to - w.to;
    const moreThanWanted = covered > 0 && (found * (w.to - w.from)) / covered > limit - found;
    found += await fetch(w, { onePass, want: limit - found, moreThanWanted });
    if (found >= limit || w.from <= from) return;
    if (isSparse(found, to - w.from, w.from - from, limit)) {
      await fetch({ from, to: w.from }, { onePass: true, want: limit - found, moreThanWanted: false });
      return;
    }
  }
}

/**
 * True when `found` rows in the `coveredMs` searched so far, at the same rate over the `restMs`
 * left, would not fill the page: the rest is then read in one query, not window by window.
 */
export function isSparse(found: number, coveredMs: number, restMs: number, limit: number): boolean {
  return (found * restMs) / coveredMs < limit - found;
}

/**
 * Newest-first windows covering [from, to): FIRST_WINDOW_MS, then twice as long each time. A
 * scanning search run window by window stops once its page is full, so a pattern that matches
 * many reads a day reads the last few days, not the whole range (BENCHMARKS.md, partial-plate
 * search); for one that matches few, `isSparse` cuts the walk short after the first window.
 */
export function searchWindows(from: number, to: number, first = FIRST_WINDOW_MS): Array<{ from: number; to: number }> {
  const windows: Array<{ from: number; to: number }> = [];
  let end = to;
  for (let length = first; end > from; length *= 2) {
    const start = Math.max(from, end - length);
    windows.push({ from: start, to: end });
    end = start;
  }
  return windows;
}
