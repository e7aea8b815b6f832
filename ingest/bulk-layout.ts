// Bulk hot list layouts: how a state or NCIC extract (SVS, SFR, SLR …) lays out its rows, as the
// configuration describes it — delimited with column names or positions, or fixed-width with
// start/length — and the parser that turns such a file into validated entries plus a load report.
// Watsonville §471.5(f)(4): general lists are downloaded at least daily, the newest replacing the
// old; the report says what was loaded, rejected and dropped.
import { entryKey, headOf, MAX_QUOTED_LENGTH, quoted, validateEntry, type HotlistEntry, type MatcherConfig, type RawEntryFields } from '../matcher/index.js';
import { CsvReader, isNotUtf8Text, NOT_UTF8_REASON } from './csv.js';
import { HOTLIST_OPTIONAL_COLUMNS, HOTLIST_REQUIRED_COLUMNS, type RejectedRow } from './hotlist-csv.js';
import { DEFAULT_IMMIGRATION_MESSAGE_KEYS, isImmigrationRecord, isPersonalDataField, NCIC_FIELDS, type NcicField } from './ncic.js';

/** Where a field is in a row: a header name or a 1-based column number (delimited), or start/length (fixed-width, 1-based start). */
export type ColumnSource = string | number | { start: number; length: number };

export interface BulkLayout {
  /** `delimited` (CSV or another single-character separator) or `fixed` (fixed-width columns). */
  format: 'delimited' | 'fixed';
  /** Delimited only; `,` is read as RFC 4180 CSV, any other character splits lines as they are. @default ',' */
  delimiter: string;
  /** Delimited only: the first line names the columns. @default true */
  header: boolean;
  /** Field (an NCIC code such as LIC, or a platewatch column such as `plate`) → where it is. */
  fields: Readonly<Record<string, ColumnSource>>;
}

export const BULK_LAYOUT_ERROR_CODES = {
  /** The layout itself is not valid (unknown field, bad position …). */
  INVALID_LAYOUT: 'INVALID_LAYOUT',
  /** The layout maps a person's name, date of birth or other identifier (State Auditor 2019-118). */
  PERSONAL_DATA: 'PERSONAL_DATA',
  /** The file does not fit the layout (no header, a named column missing). */
  FILE_MISMATCH: 'FILE_MISMATCH',
  /** The header is not UTF-8 text (UTF-16, a Windows code page): no column can be found. */
  NOT_UTF8: 'NOT_UTF8',
  /** Strict mode and at least one row was rejected. */
  ROWS_REJECTED: 'ROWS_REJECTED',
} as const;
export type BulkLayoutErrorCode = (typeof BULK_LAYOUT_ERROR_CODES)[keyof typeof BULK_LAYOUT_ERROR_CODES];

export class BulkLayoutError extends Error {
  readonly code: BulkLayoutErrorCode;
  /** The rows that were rejected, when the code is ROWS_REJECTED: what the administrator fixes. */
  readonly rejected: readonly RejectedRow[];

  constructor(code: BulkLayoutErrorCode, message: string, rejected: readonly RejectedRow[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'BulkLayoutError';
    this.code = code;
    this.rejected = rejected;
  }
}

const PLATEWATCH_FIELDS: ReadonlySet<string> = new Set<string>([...HOTLIST_REQUIRED_COLUMNS, ...HOTLIST_OPTIONAL_COLUMNS].filter((c) => c !== 'list'));

/**
 * Checks a layout as it comes from configuration or a request; throws `BulkLayoutError`
 * (PERSONAL_DATA for a name/DOB mapping, INVALID_LAYOUT for anything else) naming the field.
 */
export function resolveBulkLayout(value: unknown, where = 'layout'): BulkLayout {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BulkLayoutError('INVALID_LAYOUT', `${where} must be an object`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['format', 'delimiter', 'header', 'fields'].includes(key)) throw new BulkLayoutError('INVALID_LAYOUT', `${where}: unknown key "${key}" (known: format, delimiter, header, fields)`);
  }
  const format = v['format'];
  if (format !== 'delimited' && format !== 'fixed') throw new BulkLayoutError('INVALID_LAYOUT', `${where}.format must be "delimited" or "fixed"`);
  const delimiter = v['delimiter'] ?? ',';
  if (typeof delimiter !== 'string' || [...delimiter].length !== 1 || delimiter === '\n' || delimiter === '\r' || delimiter === '"') {
    throw new BulkLayoutError('INVALID_LAYOUT', `${where}.delimiter must be one character other than a quote or line break`);
  }
  const header = v['header'] ?? format === 'delimited';
  if (typeof header !== 'boolean') throw new BulkLayoutError('INVALID_LAYOUT', `${where}.header must be true or false`);
  if (format === 'fixed' && header) throw new BulkLayoutError('INVALID_LAYOUT', `${where}.header applies to delimited layouts only`);
  const fieldsValue = v['fields'];
  if (typeof fieldsValue !== 'object' || fieldsValue === null || Array.isArray(fieldsValue)) throw new BulkLayoutError('INVALID_LAYOUT', `${where}.fields must map field names to columns`);

  const fields: Record<string, ColumnSource> = {};
  const targets = new Set<string>();
  for (const [rawName, source] of Object.entries(fieldsValue as Record<string, unknown>)) {
    // State Auditor 2019-118: no names or dates of birth from CLETS in hot list entries.
    if (isPersonalDataField(rawName)) {
      throw new BulkLayoutError('PERSONAL_DATA', `${where}.fields.${rawName}: hot list entries hold no personal data (names, dates of birth, identifiers); remove this mapping — unmapped columns are never read`);
    }
    const name = fieldName(rawName);
    if (name === null) {
      throw new BulkLayoutError('INVALID_LAYOUT', `${where}.fields.${rawName}: unknown field; use an NCIC code (${Object.keys(NCIC_FIELDS).join(', ')}) or a column (${[...PLATEWATCH_FIELDS].join(', ')})`);
    }
    if (fields[name] !== undefined) throw new BulkLayoutError('INVALID_LAYOUT', `${where}.fields: ${rawName} is mapped twice`);
    const target = targetOf(name);
    // LIT, LIY and NIC all feed the synopsis; every other target takes one field.
    if (target !== 'synopsis' && targets.has(target)) throw new BulkLayoutError('INVALID_LAYOUT', `${where}.fields: two fields fill "${target}"`);
    targets.add(target);
    fields[name] = checkSource(source, format, header, `${where}.fields.${rawName}`);
    // The field's name is not the only way in: `{"NIC": "NAM"}` would read the name column into the synopsis.
    const column = fields[name];
    if (typeof column === 'string' && isPersonalDataField(column)) {
      throw new BulkLayoutError('PERSONAL_DATA', `${where}.fields.${rawName}: column "${column}" holds personal data (names, dates of birth, identifiers); hot list entries hold none — map another column`);
    }
  }
  if (!targets.has('plate')) throw new BulkLayoutError('INVALID_LAYOUT', `${where}.fields must map the plate (LIC or plate)`);
  return { format, delimiter, header, fields };
}

function fieldName(raw: string): string | null {
  const upper = raw.trim().toUpperCase();
  if (upper in NCIC_FIELDS) return upper;
  const lower = raw.trim().toLowerCase();
  return PLATEWATCH_FIELDS.has(lower) ? lower : null;
}

function targetOf(name: string): keyof RawEntryFields {
  return name in NCIC_FIELDS ? NCIC_FIELDS[name as NcicField] : (name as keyof RawEntryFields);
}

function checkSource(source: unknown, format: BulkLayout['format'], header: boolean, where: string): ColumnSource {
  if (format === 'fixed') {
    const s = source as Record<string, unknown> | null;
    const start = s?.['start'];
    const length = s?.['length'];
    if (typeof s !== 'object' || s === null || !isPositive(start) || !isPositive(length)) {
      throw new BulkLayoutError('INVALID_LAYOUT', `${where} must be {"start": N, "length": N} with 1-based start`);
    }
    return { start, length };
  }
  if (header && typeof source === 'string' && source.trim() !== '') return source.trim();
  if (isPositive(source)) return source;
  throw new BulkLayoutError('INVALID_LAYOUT', `${where} must be ${header ? 'a header column name or ' : ''}a 1-based column number`);
}

function isPositive(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

export interface BulkLoadReport {
  list: string;
  /** Data rows seen (header and blank lines excluded). */
  rows: number;
  /** Entries that will make up the new version. */
  loaded: number;
  rejected: RejectedRow[];
  /** NCIC Immigration Violator File records dropped (Gov. Code § 7284.6). */
  droppedImmigration: number;
  /** Columns in the file's header that the layout does not map: never read. */
  ignoredColumns: string[];
}

export interface BulkFile {
  entries: HotlistEntry[];
  report: BulkLoadReport;
}

export interface ParseBulkOptions {
  /** The list every row goes to (bulk files are one list each). */
  list: string;
  config: MatcherConfig;
  /** MKE prefixes of the Immigration Violator File. @default DEFAULT_IMMIGRATION_MESSAGE_KEYS */
  immigrationMessageKeys?: readonly string[];
  /** Refuse the whole file when any row is rejected. @default false */
  strict?: boolean;
}

/** Parses a bulk file with a layout; throws `BulkLayoutError` only when the whole file is refused. */
export function parseBulkFile(text: string, layout: BulkLayout, options: ParseBulkOptions): BulkFile {
  const list = options.list.trim().toUpperCase();
  const prefixes = options.immigrationMessageKeys ?? DEFAULT_IMMIGRATION_MESSAGE_KEYS;
  const report: BulkLoadReport = { list, rows: 0, loaded: 0, rejected: [], droppedImmigration: 0, ignoredColumns: [] };
  const entries: HotlistEntry[] = [];
  const seen = new Map<string, number>();
  const rows = layout.format === 'fixed' ? fixedRows(text) : delimitedRows(text, layout.delimiter);
  let extract: ((values: readonly string[] | string) => Record<string, string>) | undefined;
  if (layout.format === 'fixed') extract = fixedExtractor(layout);
  else if (!layout.header) extract = positionalExtractor(layout);
  const mayHoldBadBytes = isNotUtf8Text(text);
  // A delimited row with a field too many or too few (a stray delimiter inside a value, a cut-off
  // line) would have every later column read from its neighbour: a case number as a make, or an
  // Immigration Violator File MKE outside the MKE column. Such rows are rejected, as in hot list CSV.
  let headerWidth: number | undefined;
  const lastColumnRead = layout.format === 'delimited' && !layout.header ? Math.max(...Object.values(layout.fields).map(Number)) : 0;

  for (const row of rows) {
    if (row.kind === 'unterminated') throw new BulkLayoutError('FILE_MISMATCH', `line ${row.line}: ${row.reason}; the rest of the file cannot be read as rows`);
    if (extract === undefined) {
      if (row.kind !== 'record') throw new BulkLayoutError('FILE_MISMATCH', `header (line ${row.line}): ${row.kind === 'malformed' ? row.reason : 'not a delimited header'}`);
      if (row.fields.some(isNotUtf8Text)) throw new BulkLayoutError('NOT_UTF8', `header (line ${row.line}): the file is not UTF-8 text (UTF-16, or a Windows code page?); save it as UTF-8`);
      const built = headerExtractor(layout, row.fields, row.line);
      extract = built.extract;
      report.ignoredColumns = built.ignored;
      headerWidth = row.fields.length;
      continue;
    }
    report.rows++;
    if (row.kind === 'malformed') {
      report.rejected.push({ line: row.line, reason: row.reason });
      continue;
    }
    if (row.kind === 'record' && headerWidth !== undefined && row.fields.length !== headerWidth) {
      report.rejected.push({ line: row.line, reason: `expected ${headerWidth} fields as in the header, found ${row.fields.length}` });
      continue;
    }
    if (row.kind === 'record' && row.fields.length < lastColumnRead) {
      report.rejected.push({ line: row.line, reason: `expected at least ${lastColumnRead} fields (the layout reads column ${lastColumnRead}), found ${row.fields.length}` });
      continue;
    }
    if (mayHoldBadBytes && (row.kind === 'line' ? isNotUtf8Text(row.text) : row.fields.some(isNotUtf8Text))) {
      report.rejected.push({ line: row.line, reason: `the row ${NOT_UTF8_REASON}` });
      continue;
    }
    const values = extract(row.kind === 'line' ? row.text : row.fields);
    const mke = values['MKE'] ?? values[MKE_FOR_CHECK] ?? '';
    // Gov. Code § 7284.6(a)(1), Watsonville §471.8(c): no immigration enforcement.
    if (isImmigrationRecord(mke, prefixes)) {
      report.droppedImmigration++;
      continue;
    }
    delete values[MKE_FOR_CHECK];
    const result = validateEntry(toRawFields(values, list), options.config);
    if (!result.ok) {
      report.rejected.push({ line: row.line, reason: result.reason });
      continue;
    }
    const key = entryKey(result.entry);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      report.rejected.push({ line: row.line, reason: `duplicate of line ${earlier}` });
      continue;
    }
    seen.set(key, row.line);
    entries.push(result.entry);
  }
  if (extract === undefined) throw new BulkLayoutError('FILE_MISMATCH', 'the file is empty; the layout expects a header line');
  if (options.strict === true && report.rejected.length > 0) {
    throw new BulkLayoutError('ROWS_REJECTED', `${report.rejected.length} of ${report.rows} rows rejected; strict mode refuses the whole file`, report.rejected);
  }
  report.loaded = entries.length;
  return { entries, report };
}

/** Layout field values → the matcher's entry fields: NCIC codes are translated, LIT/LIY/NIC gathered into the synopsis. */
function toRawFields(values: Readonly<Record<string, string>>, list: string): RawEntryFields {
  const raw: RawEntryFields = { plate: '', list };
  const synopsis: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const v = value.trim();
    if (v === '') continue;
    if (name === 'MKE') raw.reason = `NCIC MKE ${v}`;
    else if (name === 'NIC' || name === 'LIT' || name === 'LIY') synopsis.push(`${name} ${v}`);
    else raw[targetOf(name) as Exclude<keyof RawEntryFields, 'list'>] = v;
  }
  if (values['reason'] !== undefined && values['reason'].trim() !== '') raw.reason = values['reason'].trim();
  const given = values['synopsis']?.trim() ?? '';
  const joined = [given, ...synopsis].filter((s) => s !== '').join('; ');
  if (joined !== '') raw.synopsis = joined;
  return raw;
}

/** Where an unmapped MKE column is read to, for the immigration check only (never into an entry). */
const MKE_FOR_CHECK = '\u0000MKE';

type Row =
  | { kind: 'record'; line: number; fields: string[] }
  | { kind: 'line'; line: number; text: string }
  | { kind: 'malformed'; line: number; reason: string }
  | { kind: 'unterminated'; line: number; reason: string };

function* delimitedRows(text: string, delimiter: string): Generator<Row> {
  if (delimiter === ',') {
    const reader = new CsvReader(text);
    for (let r = reader.next(); r !== null; r = reader.next()) yield r;
    return;
  }
  for (const row of fixedRows(text)) if (row.kind === 'line') yield { kind: 'record', line: row.line, fields: row.text.split(delimiter) };
}

function* fixedRows(text: string): Generator<Row & { kind: 'line' }> {
  // A lone CR ends a line too, as in CsvReader: a file saved with classic Mac line endings was read
  // as one line, so only its first entry loaded and the rest were lost without a word.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() !== '') yield { kind: 'line', line: i + 1, text: line };
  }
}

function fixedExtractor(layout: BulkLayout) {
  const fields = Object.entries(layout.fields) as Array<[string, { start: number; length: number }]>;
  return (line: readonly string[] | string): Record<string, string> => {
    const text = typeof line === 'string' ? line : line.join('');
    const out: Record<string, string> = {};
    for (const [name, { start, length }] of fields) out[name] = text.slice(start - 1, start - 1 + length);
    return out;
  };
}

function positionalExtractor(layout: BulkLayout) {
  const fields = Object.entries(layout.fields) as Array<[string, number]>;
  return (values: readonly string[] | string): Record<string, string> => {
    const row = typeof values === 'string' ? [values] : values;
    const out: Record<string, string> = {};
    for (const [name, column] of fields) out[name] = row[column - 1] ?? '';
    return out;
  };
}

/** The most column names a message or a report shows; the rest are counted. */
const MAX_COLUMNS_SHOWN = 50;

/**
 * A header's column names as a message or a report may show them: each cut to MAX_QUOTED_LENGTH
 * characters, and at most MAX_COLUMNS_SHOWN of them. The header is the file's text: a header of
 * 100 MB went whole into the answer and the access log (found by an assessor).
 */
function columnsShown(names: readonly string[]): string[] {
  const shown = names.slice(0, MAX_COLUMNS_SHOWN).map((n) => (n.length <= MAX_QUOTED_LENGTH ? n : `${headOf(n, MAX_QUOTED_LENGTH)}… (${n.length} characters)`));
  if (names.length > MAX_COLUMNS_SHOWN) shown.push(`… (${names.length - MAX_COLUMNS_SHOWN} more columns)`);
  return shown;
}

function headerExtractor(layout: BulkLayout, header: readonly string[], line: number) {
  const names = header.map((h) => h.trim().toUpperCase());
  const positions: Array<[string, number]> = [];
  for (const [name, source] of Object.entries(layout.fields)) {
    const index = typeof source === 'number' ? source - 1 : names.indexOf(String(source).toUpperCase());
    if (index < 0 || index >= names.length) {
      throw new BulkLayoutError('FILE_MISMATCH', `header (line ${line}): no column ${typeof source === 'string' ? quoted(source) : JSON.stringify(source)} for field ${name}; the header has ${columnsShown(header).join(', ')}`);
    }
    // A column number can point at a name or a date of birth as well as a column name can.
    if (isPersonalDataField(names[index] as string)) {
      throw new BulkLayoutError('PERSONAL_DATA', `header (line ${line}): field ${name} reads column ${index + 1}, ${quoted(header[index]?.trim() ?? '')}, which holds personal data; hot list entries hold none`);
    }
    positions.push([name, index]);
  }
  // An NCIC extract's MKE column is read for the Immigration Violator File check even when the
  // layout leaves it out: unmapped, it would let those records load (Gov. Code § 7284.6).
  const mkeColumn = names.indexOf('MKE');
  if (layout.fields['MKE'] === undefined && mkeColumn >= 0) positions.push([MKE_FOR_CHECK, mkeColumn]);
  const used = new Set(positions.map(([, i]) => i));
  const ignored = columnsShown(header.filter((_, i) => !used.has(i)).map((h) => h.trim()));
  return {
    ignored,
    extract: (values: readonly string[] | string): Record<string, string> => {
      const row = typeof values === 'string' ? [values] : values;
      const out: Record<string, string> = {};
      for (const [name, index] of positions) out[name] = row[index] ?? '';
      return out;
    },
  };
}
