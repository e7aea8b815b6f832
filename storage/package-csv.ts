// detections.csv of a package (evidence exports, releases): the rows of detections.json written for
// a records clerk's spreadsheet. Release copies go to other agencies, and cameras control much of
// the text (read id, vehicle, image reference, OCR candidates): a cell such as
// `=HYPERLINK("http://evil","x")` or `=cmd|' /C calc'!A0` would run as a formula when the file is
// opened. OWASP "CSV Injection": a text cell starting with = + - @ TAB or CR is prefixed with `'`,
// which spreadsheets show as text. detections.json stays the exact record (the manifest's SHA-256
// covers both files as written).

/** What the manifest says about detections.csv, so that whoever opens it knows what was changed. */
export const PACKAGE_CSV_NOTE =
  "detections.csv is for spreadsheets: a text cell that would start with =, +, -, @, a tab or a carriage return is prefixed " +
  "with ' so that it shows as text and never runs as a formula (OWASP CSV injection); an empty cell has no value; times are " +
  'ISO 8601 UTC; a list (OCR candidates, hold ids) is one cell, its items separated by spaces. detections.json holds the ' +
  'exact values as stored.';

/** First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180 text of `rows` under `columns` (the header names them even when there is no row): text
 * quoted, `""` for a quote; numbers unquoted as JSON wrote them (lat/lon stay numbers, negative ones
 * too); null an empty cell; an array its items joined by spaces; LF after every line, the last too.
 */
export function packageCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.map(quoted).join(',')];
  for (const row of rows) lines.push(columns.map((name) => csvCell(row[name])).join(','));
  return `${lines.join('\n')}\n`;
}

/** One cell of a value as JSONEachRow gives it: string, number, boolean, null, an array of them (or an object, as JSON). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = Array.isArray(value)
    ? value.map((v) => (v === null ? '' : String(v))).join(' ')
    : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return quoted(FORMULA_START.test(text) ? `'${text}` : text);
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
