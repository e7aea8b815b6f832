// A general list's download made ready to put: parsed (hot list CSV, or a configured layout such
// as NCIC's), validated and encoded as the store keeps it; and two stored versions compared. Pure
// functions of their input, so the gateway runs them in a worker thread (ingest/list-loader.ts):
// on the main thread a state's million-row download stalled every read and console for 8–16 s.
import { entryKey, type HotlistEntry, type MatcherConfig } from '../matcher/index.js';
import { parseBulkFile, type BulkLayout } from './bulk-layout.js';
import { decodeHotlist, encodeHotlist } from './hotlist-codec.js';
import { parseHotlistCsv, type DroppedRow, type RejectedRow } from './hotlist-csv.js';

export interface BulkLoadInput {
  /**
   * The file, as text or as its bytes (decoded here as UTF-8: bytes that are not become U+FFFD,
   * which the parsers refuse by row, or the whole file at the header, as a file read from disk).
   */
  text: string | Uint8Array;
  /** The list every row goes to. */
  list: string;
  /** Absent: platewatch's hot list CSV. */
  layout?: BulkLayout;
  /** Any rejected row refuses the whole file. */
  strict: boolean;
  config: MatcherConfig;
  immigrationMessageKeys: readonly string[];
}

/** What became of the file's rows; the load's answer carries it. */
export interface BulkLoadRows {
  rows: number;
  rejected: RejectedRow[];
  droppedImmigration: number;
  /** Rows dropped as immigration enforcement, by line (hot list CSV; a layout counts them only). */
  dropped: DroppedRow[];
  /** Columns of the file's header that the layout does not map (a layout load only). */
  ignoredColumns: string[];
}

export interface PreparedBulkLoad {
  /** The new version's entries as the store keeps them (ingest/hotlist-codec.ts). */
  encoded: Uint8Array;
  entries: number;
  /** listKeys of the entries: what the version is compared by, without decoding it again. */
  keys: string;
  report: BulkLoadRows;
}

/** Throws HotlistCsvError or BulkLayoutError when the whole file is refused. */
export function prepareBulkLoad(input: BulkLoadInput): PreparedBulkLoad {
  const options = { config: input.config, strict: input.strict, list: input.list, immigrationMessageKeys: input.immigrationMessageKeys };
  const text = typeof input.text === 'string' ? input.text : new TextDecoder().decode(input.text);
  if (input.layout === undefined) {
    // A row of another list is rejected with its line; in strict mode that refuses the file,
    // as `platewatch hotlist load --strict` does: a file meant for several lists is not this list's download.
    const parsed = parseHotlistCsv(text, options);
    return {
      encoded: encodeHotlist(parsed.entries), entries: parsed.entries.length, keys: listKeys(parsed.entries),
      report: { rows: parsed.rows, rejected: parsed.rejected, droppedImmigration: parsed.droppedImmigration, dropped: parsed.dropped, ignoredColumns: [] },
    };
  }
  const { entries, report } = parseBulkFile(text, input.layout, options);
  return {
    encoded: encodeHotlist(entries), entries: entries.length, keys: listKeys(entries),
    // A layout load counts its Immigration Violator File records only.
    report: { rows: report.rows, rejected: report.rejected, droppedImmigration: report.droppedImmigration, dropped: [], ignoredColumns: report.ignoredColumns },
  };
}

/** Listed plates in the new version and not the old, and the other way round. */
export interface ListChanges {
  added: number;
  removed: number;
}

/**
 * The entries' keys (matcher/entry.ts entryKey: plate and state) one a line: a version's identity
 * for counting changes, a tenth the size of its entries. Keys never hold a line break.
 */
export function listKeys(entries: readonly HotlistEntry[]): string {
  return entries.map(entryKey).join('\n');
}

/** Compares an encoded version of `list` (null: the list's first version) with the next one's listKeys. */
export function countListChanges(list: string, previous: Uint8Array | null, nextKeys: string): ListChanges {
  const after = new Set(nextKeys === '' ? [] : nextKeys.split('\n'));
  // The previous version may be unreadable (a format of an older release): then all is added.
  let before: Set<string>;
  try {
    before = new Set(previous === null ? [] : decodeHotlist(list, previous).map(entryKey));
  } catch {
    before = new Set();
  }
  let added = 0;
  for (const key of after) if (!before.has(key)) added++;
  let removed = 0;
  for (const key of before) if (!after.has(key)) removed++;
  return { added, removed };
}
