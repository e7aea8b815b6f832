// detections.csv of packages: text a camera controls never runs as a spreadsheet formula (OWASP CSV
// Injection), numbers stay numbers, and the file reads back as RFC 4180 to the values it was made of.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, packageCsv, PACKAGE_CSV_NOTE } from '../../storage/package-csv.js';
import { parseCsv as parseRfc4180 } from './rfc4180.js';

const BOM = '\uFEFF';

/** The table of a package CSV, which must start with a UTF-8 byte-order mark (Excel reads it as UTF-8 only then). */
function parseCsv(text: string): ReturnType<typeof parseRfc4180> {
  expect(text.startsWith(BOM)).toBe(true);
  return parseRfc4180(text.slice(BOM.length));
}

/** The rule as PACKAGE_CSV_NOTE states it to a reader, applied by hand: remove exactly one ' from a text cell beginning with '. */
function unescaped(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

describe('packageCsv', () => {
  it("prefixes with ' a text cell starting with = + - @ TAB or CR, and no other", () => {
    for (const text of ['=1+1', '+SUM(1,2)', '-2+3', '@evil', '\tTab', '\rCR', `=cmd|' /C calc'!A0`, '=HYPERLINK("http://evil","x")']) {
      expect(parseCsv(packageCsv(['v'], [{ v: text }])).rows[0]?.['v']).toBe(`'${text}`);
    }
    for (const text of ['7ABC123', ' =1', 'Honda', '', '\n=1', 'a,b "c"']) {
      expect(parseCsv(packageCsv(['v'], [{ v: text }])).rows[0]?.['v']).toBe(text);
    }
  });

  it('writes numbers unquoted (negative ones too), null as an empty cell, and a list as one cell of items separated by spaces', () => {
    expect(csvCell(-121.75)).toBe('-121.75');
    expect(csvCell(0.9)).toBe('0.9');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['HLD0007', 'HLD0O07'])).toBe('"HLD0007 HLD0O07"');
    expect(csvCell(['=1+1', 'X'])).toBe(`"'=1+1 X"`);
    expect(csvCell([])).toBe('""');
  });

  it('names the columns when there is no row, and ends every line with a newline', () => {
    expect(packageCsv(['read_id', 'lat'], [])).toBe(`${BOM}"read_id","lat"\n`);
    expect(packageCsv(['read_id', 'lat'], [{ read_id: 'r1', lat: null }, { read_id: 'r2', lat: 36.5 }])).toBe(`${BOM}"read_id","lat"\n"r1",\n"r2",36.5\n`);
  });

  it('starts with a UTF-8 byte-order mark, so that Excel shows Señor Muñoz and not SeÃ±or MuÃ±oz', () => {
    const bytes = Buffer.from(packageCsv(['vehicle_make'], [{ vehicle_make: 'Señor Muñoz' }]), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('"vehicle_make"\n"Señor Muñoz"\n');
    expect(PACKAGE_CSV_NOTE).toContain('UTF-8 with a byte-order mark');
  });

  it("prefixes a value already beginning with ' too, so that removing exactly one ' gives it back", () => {
    for (const text of ["'=already quoted", "'quoted", "''", "'", "'+1", "' x"]) {
      expect(parseCsv(packageCsv(['v'], [{ v: text }])).rows[0]?.['v']).toBe(`'${text}`);
    }
    expect(PACKAGE_CSV_NOTE).toContain("Every text value beginning with =, +, -, @, a tab, a carriage return or ' has one ' added before it");
    expect(PACKAGE_CSV_NOTE).toContain("remove exactly one ' from a text cell that begins with '");
  });

  it('gives back every text value exactly by the rule the note states, and every value it did not change as it was', () => {
    const starts = fc.constantFrom('', '=', '+', '-', '@', '\t', '\r', "'", "''", "'=", ' ', 'A', '"', '\n');
    fc.assert(
      fc.property(starts, fc.string(), (start, rest) => {
        const value = `${start}${rest}`;
        const cell = parseCsv(packageCsv(['v'], [{ v: value }])).rows[0]?.['v'] ?? '';
        expect(unescaped(cell)).toBe(value);
        // Only what the rule names is changed: anything else reads as written.
        if (!/^[=+\-@\t\r']/.test(value)) expect(cell).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});
