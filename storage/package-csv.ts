// detections.csv of a package (evidence exports, releases): the rows of detections.json written for
// a records clerk's spreadsheet. Release copies go to other agencies, and cameras control much of
// the text (read id, vehicle, image reference, OCR candidates): a cell such as
// `=HYPERLINK("http://evil","x")` or `=cmd|' /C calc'!A0` would run as a formula when the file is
// opened. OWASP "CSV Injection": a text cell starting with = + - @ TAB or CR is prefixed with `'`,
// which spreadsheets show as text. A text cell that already starts with `'` is prefixed too, so the
// rule can be undone exactly: a text cell starting with `'` had one added; remove that one.
// detections.json stays the exact record (the manifest's SHA-256 covers both files as written).
// The file starts with a UTF-8 byte-order mark: Excel on Windows opens a CSV without one in the
// local code page, and "Señor Muñoz" shows as "SeÃ±or MuÃ±oz".
// Lines end in LF, not RFC 4180's CRLF: Excel, LibreOffice, Python's csv, R and pandas all read LF,
// every package made before this one used it, and line tools (wc -l, grep, cut) would otherwise
// find a stray CR at the end of every last cell. A CR or LF a camera sent inside a value stays in
// its quoted cell, as in detections.json.

/** What the manifest says about detections.csv, so that whoever opens it knows what was changed. */
export const PACKAGE_CSV_NOTE =
  'detections.csv is for spreadsheets: UTF-8 with a byte-order mark, RFC 4180 quoting, lines ending in LF. ' +
  "Every text value beginning with =, +, -, @, a tab, a carriage return or ' has one ' added before it (prefixed with ' " +
  'so that it shows as text and never runs as a formula: OWASP CSV injection); to get the value back, remove exactly one ' +
  "' from a text cell that begins with '. Numbers are written unquoted and never changed; an empty cell has no value; " +
  'times are ISO 8601 UTC (ending in Z); a list (OCR candidates, hold ids) is one cell, its items separated by spaces. ' +
  'detections.json holds the exact values as stored.';

/** Excel reads a CSV as UTF-8 only when it starts with this (U+FEFF, bytes EF BB BF). */
export const UTF8_BOM = '\uFEFF';

/** First characters a value is prefixed with `'` for: formula starts (OWASP CSV Injection), and `'` itself so the rule undoes exactly. */
const ESCAPED_START = /^[=+\-@\t\r']/;

/**
 * RFC 4180 text of `rows` under `columns` (the header names them even when there is no row), after
 * a UTF-8 byte-order mark: text quoted, `""` for a quote; numbers unquoted as JSON wrote them
 * (lat/lon stay numbers, negative ones too); null an empty cell; an array its items joined by
 * spaces; LF after every line, the last too.
 */
export function packageCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.map(quoted).join(',')];
  for (const row of rows) lines.push(columns.map((name) => csvCell(row[name])).join(','));
  return `${UTF8_BOM}${lines.join('\n')}\n`;
}

/** One cell of a value as JSONEachRow gives it: string, number, boolean, null, an array of them (or an object, as JSON). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = Array.isArray(value)
    ? value.map((v) => (v === null ? '' : String(v))).join(' ')
    : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return quoted(ESCAPED_START.test(text) ? `'${text}` : text);
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * What each column of a package's detections.csv (and each key of detections.json) means, for the
 * package's README.txt. Evidence and release packages list a subset each, in their own order.
 */
export const DETECTION_COLUMN_MEANINGS: Readonly<Record<string, string>> = {
  read_id: 'the camera system\'s id of the read (two cameras may use the same id: a detection is its read id with its plate and time)',
  agency: 'the agency whose camera made the read',
  camera: 'the camera (as the agency names it)',
  seen_at: 'when the camera saw the vehicle (UTC)',
  plate: 'the plate as the camera read it',
  plate_ocr: 'the plate folded for comparison: characters OCR confuses (0/O, 1/I, 8/B…) replaced by one of each class; a search key, not a reading',
  state: 'the plate\'s state or province as read (empty when the camera gave none)',
  confidence: 'the camera\'s confidence in its reading, 0 to 1',
  lat: 'latitude of the camera (WGS 84 decimal degrees; empty when unknown)',
  lon: 'longitude of the camera (WGS 84 decimal degrees; empty when unknown)',
  vehicle_make: 'vehicle make as the camera classified it',
  vehicle_model: 'vehicle model as the camera classified it',
  vehicle_color: 'vehicle color as the camera classified it',
  vehicle_type: 'vehicle type as the camera classified it',
  image_ref: 'reference to the camera\'s image of the read, in the camera system (the image is not in this package)',
  candidates: 'other readings of the plate the camera offered, best first (separated by spaces in the CSV)',
  stored_at: 'when this system stored the read (UTC)',
  hold_id: 'the legal hold whose copy of the detection this row is',
  hold_ids: 'every legal hold of the case that covers the detection, in the order placed (separated by spaces in the CSV)',
  held_at: 'when the hold named in hold_id copied the detection into the evidence store (UTC)',
  heading: 'direction of travel in degrees from north (empty when the camera sent none)',
  vehicle_year: 'vehicle model year as the camera classified it (empty when the camera sent none)',
};
