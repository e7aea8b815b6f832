// The batch matcher behind `platewatch match` and the `up` demo: load hot list CSV files into a
// Matcher, then stream JSONL reads through it line by line (never the whole input in memory).
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { HotlistCsvError, parseHotlistCsv, parseReadJson, type RejectedRow } from '../ingest/index.js';
import { Matcher, MatcherError, type Hit, type HotlistEntry, type MatcherConfig, type Read } from '../matcher/index.js';
import { terminalText } from './terminal-text.js';

export type LoadResult = { ok: true; matcher: Matcher; entries: number } | { ok: false };

export interface LoadHotlistsOptions {
  /** Paths as the user gave them (reports name them this way) and as opened. */
  files: readonly { shown: string; path: string }[];
  config: MatcherConfig;
  strict: boolean;
  stderr: Writable;
  /** MKE prefixes of the Immigration Violator File, dropped from CSV rows too. @default DEFAULT_IMMIGRATION_MESSAGE_KEYS */
  immigrationMessageKeys?: readonly string[];
  /** Counted into, over every file: a caller that refuses an empty result says whether every row was rejected. */
  tally?: { rows: number; rejected: number };
}

/**
 * Parses every file and groups the entries by their `list` column across files. Any file that
 * cannot be read or is refused whole gives null: a half-loaded set of lists would miss hits
 * without anyone noticing. Rejected rows are reported on stderr as FILE:LINE: reason. An entry an
 * earlier file already gave, the same in every field, is reported and kept once: twice in a list, it
 * gave every read of its plate two identical hits. Entries for the same plate that differ (another
 * expiry, reason or case) are all kept, so none that is in force is lost. Under `strict` a repeat
 * refuses the set, as a rejected row does. Rows for immigration enforcement are dropped by the
 * parser and their count reported (Gov. Code § 7284.6).
 */
export async function readHotlistFiles(options: LoadHotlistsOptions): Promise<Map<string, HotlistEntry[]> | null> {
  const { stderr } = options;
  const byList = new Map<string, HotlistEntry[]>();
  /** Each entry, whole, → the file that gave it first. */
  const givenBy = new Map<string, string>();
  let failed = false;
  for (const file of options.files) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (error) {
      stderr.write(`cannot read hot list ${file.shown}: ${(error as Error).message}\n`);
      failed = true;
      continue;
    }
    try {
      const parsed = parseHotlistCsv(text, { config: options.config, strict: options.strict, immigrationMessageKeys: options.immigrationMessageKeys });
      reportRejected(stderr, file.shown, parsed.rejected);
      if (options.tally !== undefined) {
        options.tally.rows += parsed.rows;
        options.tally.rejected += parsed.rejected.length;
      }
      // Which rows, so an administrator can tell which listed vehicles will not alert, and why.
      for (const row of parsed.dropped) stderr.write(`${file.shown}:${row.line}: dropped: ${terminalText(row.reason)}\n`);
      let repeated = 0;
      for (const entry of parsed.entries) {
        // Every field: the parser gives each entry its fields in one order.
        const key = JSON.stringify(entry);
        const earlier = givenBy.get(key);
        if (earlier !== undefined) {
          repeated++;
          stderr.write(`${file.shown}: ${entry.plate}${entry.state === undefined ? '' : ` (${entry.state})`} on ${entry.list} is also in ${earlier}, the same in every field; kept once\n`);
          continue;
        }
        givenBy.set(key, file.shown);
        const entries = byList.get(entry.list);
        if (entries === undefined) byList.set(entry.list, [entry]);
        else entries.push(entry);
      }
      const loaded = parsed.entries.length - repeated;
      // Gov. Code § 7284.6: said as the NCIC layout load says it (bin/verbs/hotlist.ts).
      const dropped = parsed.droppedImmigration > 0 ? `, ${parsed.droppedImmigration} immigration violator records dropped: Gov. Code § 7284.6` : '';
      stderr.write(`loaded ${loaded} of ${parsed.rows} rows from ${file.shown} (${parsed.rejected.length} rejected${repeated > 0 ? `, ${repeated} already in an earlier file` : ''}${dropped})\n`);
      if (repeated > 0 && options.strict) {
        stderr.write(`hot list ${file.shown} refused: --strict, and ${repeated} of its entries repeat an earlier file's exactly\n`);
        failed = true;
      }
    } catch (error) {
      if (!(error instanceof HotlistCsvError)) throw error;
      reportRejected(stderr, file.shown, error.rejected);
      stderr.write(`hot list ${file.shown} refused [${error.code}]: ${terminalText(error.message)}\n`);
      failed = true;
    }
  }
  return failed ? null : byList;
}

/** Reads the files (see readHotlistFiles) and loads each list into a new Matcher with one loadList call. */
export async function loadHotlists(options: LoadHotlistsOptions): Promise<LoadResult> {
  const { stderr } = options;
  const byList = await readHotlistFiles(options);
  if (byList === null) return { ok: false };

  const matcher = new Matcher(options.config);
  let total = 0;
  for (const [list, entries] of byList) {
    let loaded;
    try {
      loaded = matcher.loadList(list, entries);
    } catch (error) {
      if (!(error instanceof MatcherError)) throw error;
      stderr.write(`list ${list} not loaded [${error.code}]: ${error.message}\n`);
      return { ok: false };
    }
    total += loaded.entries;
    stderr.write(`list ${loaded.list}: ${loaded.entries} entries, version ${loaded.version}, built in ${loaded.buildMs.toFixed(1)} ms\n`);
  }
  return { ok: true, matcher, entries: total };
}

function reportRejected(stderr: Writable, shown: string, rejected: readonly RejectedRow[]): void {
  for (const row of rejected) stderr.write(`${shown}:${row.line}: ${terminalText(row.reason)}\n`);
}

export interface MatchSummary {
  reads: number;
  readsWithHits: number;
  hits: number;
  badLines: number;
}

export interface MatchStreamOptions {
  input: NodeJS.ReadableStream;
  matcher: Matcher;
  nowMs: number;
  /** Called for every valid read, in input order. May return a promise to apply backpressure. */
  onResult: (read: Read, hits: readonly Hit[]) => void | Promise<void>;
  /** Called for every line that is not a valid read; `line` is 1-based. */
  onBadLine: (line: number, reason: string) => void;
}

const BYTE_ORDER_MARK = 0xfeff;

/** Matches every JSONL read in the input. Blank lines are skipped silently; a leading UTF-8 BOM is dropped. */
export async function matchReadStream(options: MatchStreamOptions): Promise<MatchSummary> {
  const summary: MatchSummary = { reads: 0, readsWithHits: 0, hits: 0, badLines: 0 };
  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    // Windows tools (Notepad, PowerShell's Out-File) start UTF-8 files with a byte order mark;
    // JSON.parse refuses it, and the file's first read would be skipped as "not valid JSON".
    const line = lineNo === 1 && raw.charCodeAt(0) === BYTE_ORDER_MARK ? raw.slice(1) : raw;
    if (line.trim() === '') continue;
    const parsed = parseReadJson(line);
    if (!parsed.ok) {
      summary.badLines++;
      options.onBadLine(lineNo, parsed.reason);
      continue;
    }
    const hits = options.matcher.matchRead(parsed.read, options.nowMs);
    summary.reads++;
    if (hits.length > 0) {
      summary.readsWithHits++;
      summary.hits += hits.length;
    }
    const pending = options.onResult(parsed.read, hits);
    if (pending !== undefined) await pending;
  }
  return summary;
}

