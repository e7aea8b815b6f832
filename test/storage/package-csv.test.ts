// detections.csv of packages: text a camera controls never runs as a spreadsheet formula (OWASP CSV
// Injection), numbers stay numbers, and the file reads back as RFC 4180 to the values it was made of.
import { describe, expect, it } from 'vitest';
import { csvCell, packageCsv } from '../../storage/package-csv.js';
import { parseCsv } from './rfc4180.js';

describe('packageCsv', () => {
  it("prefixes with ' a text cell starting with = + - @ TAB or CR, and no other", () => {
    for (const text of ['=1+1', '+SUM(1,2)', '-2+3', '@evil', '\tTab', '\rCR', `=cmd|' /C calc'!A0`, '=HYPERLINK("http://evil","x")']) {
      expect(parseCsv(packageCsv(['v'], [{ v: text }])).rows[0]?.['v']).toBe(`'${text}`);
    }
    for (const text of ['7ABC123', ' =1', "'quoted", 'Honda', '', '\n=1', 'a,b "c"']) {
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
    expect(packageCsv(['read_id', 'lat'], [])).toBe('"read_id","lat"\n');
    expect(packageCsv(['read_id', 'lat'], [{ read_id: 'r1', lat: null }, { read_id: 'r2', lat: 36.5 }])).toBe('"read_id","lat"\n"r1",\n"r2",36.5\n');
  });
});
