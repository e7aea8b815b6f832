import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvRecord } from '../../ingest/csv.js';

function records(text: string): CsvRecord[] {
  const reader = new CsvReader(text);
  const out: CsvRecord[] = [];
  for (let record = reader.next(); record !== null; record = reader.next()) out.push(record);
  return out;
}

describe('CsvReader', () => {
  it('splits records on LF, CRLF and a lone CR, with the line each starts on', () => {
    expect(records('a,b\nc,d\r\ne,f\rg,h')).toEqual([
      { kind: 'record', line: 1, fields: ['a', 'b'] },
      { kind: 'record', line: 2, fields: ['c', 'd'] },
      { kind: 'record', line: 3, fields: ['e', 'f'] },
      { kind: 'record', line: 4, fields: ['g', 'h'] },
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(records(',x,\n')).toEqual([{ kind: 'record', line: 1, fields: ['', 'x', ''] }]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, counting the lines', () => {
    expect(records('"a,1","say ""hi""","two\r\nlines"\nnext')).toEqual([
      { kind: 'record', line: 1, fields: ['a,1', 'say "hi"', 'two\r\nlines'] },
      { kind: 'record', line: 3, fields: ['next'] },
    ]);
  });

  it('reads a quoted field that ends the text without a line break', () => {
    expect(records('a,"b"')).toEqual([{ kind: 'record', line: 1, fields: ['a', 'b'] }]);
  });

  it('keeps a quote inside an unquoted field as a literal character', () => {
    expect(records('7" tall,b\n')).toEqual([{ kind: 'record', line: 1, fields: ['7" tall', 'b'] }]);
  });

  it('skips a byte order mark and lines that are empty or only spaces and tabs', () => {
    expect(records('\uFEFFa\n\n \t \r\n\nb\n\n')).toEqual([
      { kind: 'record', line: 1, fields: ['a'] },
      { kind: 'record', line: 5, fields: ['b'] },
    ]);
  });

  it('reports text after a closing quote as malformed and resumes on the next line', () => {
    expect(records('"a"b,c\nd\n')).toEqual([
      { kind: 'malformed', line: 1, reason: 'text after the closing quote of field 1' },
      { kind: 'record', line: 2, fields: ['d'] },
    ]);
  });

  it('reports a quote that never closes and stops there', () => {
    expect(records('a\nb,"open\nc\n')).toEqual([
      { kind: 'record', line: 1, fields: ['a'] },
      { kind: 'unterminated', line: 2, reason: 'quoted field 2 is never closed' },
    ]);
  });
});
