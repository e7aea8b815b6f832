// Test helper: a strict RFC 4180 reader for the CSV files of packages, written apart from the code
// that writes them. Quoted fields keep every character (CR and LF included); `""` is one quote.
// Throws on anything RFC 4180 does not allow, so a malformed file fails the test that reads it.

export interface CsvTable {
  header: string[];
  rows: Array<Record<string, string>>;
  /** Whether each field was quoted, row by row (header first): numbers are written unquoted. */
  quoted: boolean[][];
}

export function parseCsv(text: string): CsvTable {
  // A package's CSV starts with a byte-order mark for Excel (storage/package-csv.ts): not part of the first field.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const records: string[][] = [];
  const quotedness: boolean[][] = [];
  let fields: string[] = [];
  let quoted: boolean[] = [];
  let at = 0;
  for (;;) {
    let field = '';
    let isQuoted = false;
    if (text[at] === '"') {
      isQuoted = true;
      at++;
      for (;;) {
        const q = text.indexOf('"', at);
        if (q < 0) throw new Error(`unterminated quoted field at ${at}`);
        field += text.slice(at, q);
        if (text[q + 1] === '"') {
          field += '"';
          at = q + 2;
        } else {
          at = q + 1;
          break;
        }
      }
    } else {
      while (at < text.length && text[at] !== ',' && text[at] !== '\n' && text[at] !== '\r') {
        if (text[at] === '"') throw new Error(`quote inside an unquoted field at ${at}`);
        field += text[at];
        at++;
      }
    }
    fields.push(field);
    quoted.push(isQuoted);
    if (text[at] === ',') {
      at++;
      continue;
    }
    const end = text.startsWith('\r\n', at) ? 2 : text[at] === '\n' ? 1 : at >= text.length ? 0 : -1;
    if (end < 0) throw new Error(`unexpected ${JSON.stringify(text[at])} after a field at ${at}`);
    records.push(fields);
    quotedness.push(quoted);
    fields = [];
    quoted = [];
    at += end;
    if (at >= text.length) break;
  }
  const [header = [], ...body] = records;
  const rows = body.map((r, i) => {
    if (r.length !== header.length) throw new Error(`row ${i + 1} has ${r.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((name, j) => [name, r[j] ?? '']));
  });
  return { header, rows, quoted: quotedness };
}
