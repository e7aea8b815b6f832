// Hot list CSV: the file an administrator or the daily state download hands us. Every row goes
// through the matcher's `validateEntry`; bad rows are reported with their physical line and
// skipped, so a load never half-applies silently (issue 2), and `strict` refuses the whole file.
// Rows for immigration enforcement are dropped, counted and reported by line, as the NCIC layout
// path drops Immigration Violator File records (California Values Act, Gov. Code § 7284.6(a)(1)).
// Only the reason and the list decide: a synopsis tells the crime and its victims ("victim is an
// immigrant farm worker"), and a stolen car dropped for it would never alert.
import { quoted, validateEntry, type HotlistEntry, type MatcherConfig, type RawEntryFields } from '../matcher/index.js';
import { isImmigrationEnforcement } from '../storage/immigration.js';
import { CsvReader, isNotUtf8Text, NOT_UTF8_REASON } from './csv.js';
import { DEFAULT_IMMIGRATION_MESSAGE_KEYS, namesImmigrationMessageKey } from './ncic.js';

export const HOTLIST_REQUIRED_COLUMNS = ['plate', 'state', 'list', 'reason', 'case_number', 'entered_by', 'synopsis'] as const;
/** NCIC's VMA/VMO/VYR/VCO/VST travel as the `vehicle_*` columns. */
export const HOTLIST_OPTIONAL_COLUMNS = [
  'expires_at',
  'vehicle_make',
  'vehicle_model',
  'vehicle_year',
  'vehicle_color',
  'vehicle_style',
] as const;

type HotlistColumn = (typeof HOTLIST_REQUIRED_COLUMNS)[number] | (typeof HOTLIST_OPTIONAL_COLUMNS)[number];
const KNOWN_COLUMNS: ReadonlySet<string> = new Set<string>([...HOTLIST_REQUIRED_COLUMNS, ...HOTLIST_OPTIONAL_COLUMNS]);

export const HOTLIST_CSV_ERROR_CODES = {
  /** The file has no header line. */
  EMPTY_FILE: 'EMPTY_FILE',
  MISSING_COLUMN: 'MISSING_COLUMN',
  UNKNOWN_COLUMN: 'UNKNOWN_COLUMN',
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
  /** The header line cannot be split into fields. */
  MALFORMED_HEADER: 'MALFORMED_HEADER',
  /** A quote opened and never closed; the rest of the file cannot be split into rows. */
  UNTERMINATED_QUOTE: 'UNTERMINATED_QUOTE',
  /** The header is not UTF-8 text (UTF-16, a Windows code page): no column can be named. */
  NOT_UTF8: 'NOT_UTF8',
  /** Strict mode: at least one row was rejected, so none is loaded. */
  ROWS_REJECTED: 'ROWS_REJECTED',
} as const;
export type HotlistCsvErrorCode = (typeof HOTLIST_CSV_ERROR_CODES)[keyof typeof HOTLIST_CSV_ERROR_CODES];

export interface RejectedRow {
  /** 1-based physical line the row starts on. */
  line: number;
  reason: string;
}

/** A row dropped as immigration enforcement: not a rejection, but shown so an operator can check it. */
export interface DroppedRow {
  /** 1-based physical line the row starts on. */
  line: number;
  /** Which field was read as immigration enforcement, and how. */
  reason: string;
}

/** The whole file is refused; nothing from it may be loaded. */
export class HotlistCsvError extends Error {
  readonly code: HotlistCsvErrorCode;
  /** The rows that were rejected, when the code is ROWS_REJECTED. */
  readonly rejected: readonly RejectedRow[];

  constructor(code: HotlistCsvErrorCode, message: string, rejected: readonly RejectedRow[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'HotlistCsvError';
    this.code = code;
    this.rejected = rejected;
  }
}

export interface HotlistCsv {
  entries: HotlistEntry[];
  rejected: RejectedRow[];
  /**
   * How many rows were dropped as immigration enforcement (Gov. Code § 7284.6(a)(1)): a reason or
   * list the classifier reads as such (storage/immigration.ts), or an Immigration Violator File MKE
   * in the reason ("NCIC MKE EIV"). Never the synopsis. Not rejections: strict mode loads the rest.
   */
  droppedImmigration: number;
  /** Those rows, by line, with why each was dropped. */
  dropped: DroppedRow[];
  /** Data rows seen (blank lines and the header excluded): entries + rejected + dropped. */
  rows: number;
}

export interface ParseHotlistOptions {
  config: MatcherConfig;
  /** Any rejected row refuses the whole file (HotlistCsvError ROWS_REJECTED). @default false */
  strict?: boolean;
  /**
   * The one list this file is loaded into: a row of another list is rejected with its line
   * ("row of list SLR, not SFR"), so strict mode refuses such a file. @default every list
   */
  list?: string;
  /** MKE prefixes of the Immigration Violator File. @default DEFAULT_IMMIGRATION_MESSAGE_KEYS */
  immigrationMessageKeys?: readonly string[];
}

/**
 * Parses hot list CSV text in one pass. Throws `HotlistCsvError` only when the whole file is
 * refused (bad header, unclosed quote, strict mode with rejected rows).
 */
export function parseHotlistCsv(text: string, options: ParseHotlistOptions): HotlistCsv {
  const reader = new CsvReader(text);
  const header = reader.next();
  if (header === null) throw new HotlistCsvError('EMPTY_FILE', `the file is empty; it needs the header ${HOTLIST_REQUIRED_COLUMNS.join(',')}`);
  if (header.kind !== 'record') {
    throw new HotlistCsvError(header.kind === 'unterminated' ? 'UNTERMINATED_QUOTE' : 'MALFORMED_HEADER', `header (line ${header.line}): ${header.reason}`);
  }
  if (header.fields.some(isNotUtf8Text)) throw new HotlistCsvError('NOT_UTF8', `header (line ${header.line}): the file is not UTF-8 text (UTF-16, or a Windows code page?); save it as UTF-8 (in Excel: "CSV UTF-8")`);
  const columns = readHeader(header.fields, header.line);
  const mayHoldBadBytes = isNotUtf8Text(text);
  const immigration = new ImmigrationRows(options.immigrationMessageKeys ?? DEFAULT_IMMIGRATION_MESSAGE_KEYS);

  const entries: HotlistEntry[] = [];
  const rejected: RejectedRow[] = [];
  const duplicates = new DuplicateFinder();
  let rows = 0;
  const dropped: DroppedRow[] = [];
  for (let record = reader.next(); record !== null; record = reader.next()) {
    rows++;
    if (record.kind === 'unterminated') {
      throw new HotlistCsvError('UNTERMINATED_QUOTE', `line ${record.line}: ${record.reason}; the rest of the file cannot be read as rows`);
    }
    if (record.kind === 'malformed') {
      rejected.push({ line: record.line, reason: record.reason });
      continue;
    }
    if (record.fields.length !== columns.length) {
      rejected.push({ line: record.line, reason: `expected ${columns.length} fields as in the header, found ${record.fields.length}` });
      continue;
    }
    if (mayHoldBadBytes && record.fields.some(isNotUtf8Text)) {
      rejected.push({ line: record.line, reason: `the row ${NOT_UTF8_REASON}` });
      continue;
    }
    const raw = toRawFields(columns, record.fields);
    // Gov. Code § 7284.6(a)(1), Watsonville §471.8(c): no immigration enforcement.
    const immigrationReason = immigration.whyImmigrationRow(raw);
    if (immigrationReason !== undefined) {
      dropped.push({ line: record.line, reason: immigrationReason });
      continue;
    }
    const result = validateEntry(raw, options.config);
    if (!result.ok) {
      rejected.push({ line: record.line, reason: result.reason });
      continue;
    }
    if (options.list !== undefined && result.entry.list !== options.list) {
      rejected.push({ line: record.line, reason: `row of list ${result.entry.list}, not ${options.list}: skipped` });
      continue;
    }
    const earlier = duplicates.firstLineOf(result.entry, record.line);
    if (earlier !== undefined) {
      rejected.push({ line: record.line, reason: `duplicate of line ${earlier}` });
      continue;
    }
    entries.push(result.entry);
  }

  if (options.strict === true && rejected.length > 0) {
    throw new HotlistCsvError(
      'ROWS_REJECTED',
      `${rejected.length} of ${rows} rows rejected; strict mode refuses the whole file`,
      rejected,
    );
  }
  return { entries, rejected, droppedImmigration: dropped.length, dropped, rows };
}

/**
 * Which rows are for immigration enforcement, read from the reason and the list only. A state
 * download repeats a few reasons ("STOLEN VEHICLE") a million times, so each distinct text is
 * classified once, up to a bound.
 */
class ImmigrationRows {
  /** Reason → why it is immigration enforcement, or null when it is not. */
  private readonly reasons = new Map<string, string | null>();
  private readonly lists = new Map<string, string | null>();

  constructor(private readonly messageKeys: readonly string[]) {}

  /** Why the row is for immigration enforcement, or undefined when it is not. */
  whyImmigrationRow(raw: RawEntryFields): string | undefined {
    return this.classified(this.reasons, raw.reason ?? '', 'reason') ?? this.classified(this.lists, raw.list, 'list');
  }

  private classified(seen: Map<string, string | null>, text: string, field: 'reason' | 'list'): string | undefined {
    if (text === '') return undefined;
    const known = seen.get(text);
    if (known !== undefined) return known ?? undefined;
    let why: string | null = null;
    if (field === 'reason' && namesImmigrationMessageKey(text, this.messageKeys)) {
      why = `reason ${quoted(text)} is an Immigration Violator File record (Gov. Code § 7284.6)`;
    } else if (isImmigrationEnforcement(text)) {
      why = `${field} ${quoted(text)} is immigration enforcement (Gov. Code § 7284.6)`;
    }
    if (seen.size < MAX_CLASSIFIED_TEXTS) seen.set(text, why);
    return why ?? undefined;
  }
}

const MAX_CLASSIFIED_TEXTS = 10_000;

/**
 * Remembers list + plate + state of accepted rows. Keyed by the plate string the entry already
 * holds, so a million-row list builds no key strings; only the same plate under another state
 * (rare) falls back to a combined key.
 */
class DuplicateFinder {
  /** list → plate → slot of the first accepted row; slots index `states` and `lines`. */
  private readonly byList = new Map<string, Map<string, number>>();
  private readonly states: string[] = [];
  private readonly lines: number[] = [];
  private readonly otherStates = new Map<string, number>();

  /** The line of an earlier row with the same list, plate and state; otherwise records this one. */
  firstLineOf(entry: HotlistEntry, line: number): number | undefined {
    const state = entry.state ?? '';
    let plates = this.byList.get(entry.list);
    if (plates === undefined) {
      plates = new Map();
      this.byList.set(entry.list, plates);
    }
    const slot = plates.get(entry.plate);
    if (slot === undefined) {
      plates.set(entry.plate, this.lines.length);
      this.states.push(state);
      this.lines.push(line);
      return undefined;
    }
    if (this.states[slot] === state) return this.lines[slot];
    const key = `${entry.list}\u0000${entry.plate}\u0000${state}`;
    const earlier = this.otherStates.get(key);
    if (earlier === undefined) this.otherStates.set(key, line);
    return earlier;
  }
}

/**
 * Column names in file order; throws on a missing, unknown or repeated column. The file's own text
 * is quoted clipped (quoted()): a header of 100 MB of "A" went whole into the answer and the
 * access log (found by an assessor).
 */
function readHeader(fields: readonly string[], line: number): HotlistColumn[] {
  const columns: HotlistColumn[] = [];
  for (const field of fields) {
    const name = field.trim().toLowerCase();
    if (!KNOWN_COLUMNS.has(name)) {
      throw new HotlistCsvError(
        'UNKNOWN_COLUMN',
        `header (line ${line}): unknown column ${quoted(field)}; columns are ${[...HOTLIST_REQUIRED_COLUMNS, ...HOTLIST_OPTIONAL_COLUMNS].join(', ')}`,
      );
    }
    if (columns.includes(name as HotlistColumn)) {
      throw new HotlistCsvError('DUPLICATE_COLUMN', `header (line ${line}): column "${name}" appears twice`);
    }
    columns.push(name as HotlistColumn);
  }
  const missing = HOTLIST_REQUIRED_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new HotlistCsvError('MISSING_COLUMN', `header (line ${line}): missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  return columns;
}

function toRawFields(columns: readonly HotlistColumn[], values: readonly string[]): RawEntryFields {
  const raw: RawEntryFields = { plate: '', list: '' };
  for (let i = 0; i < columns.length; i++) raw[columns[i] as HotlistColumn] = values[i] as string;
  return raw;
}
