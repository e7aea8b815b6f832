import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HotlistCsvError, parseHotlistCsv } from '../../ingest/index.js';
import { MAX_QUOTED_LENGTH, resolveMatcherConfig } from '../../matcher/index.js';

const config = resolveMatcherConfig();
const HEADER = 'plate,state,list,reason,case_number,entered_by,synopsis';

function parse(text: string, strict = false) {
  return parseHotlistCsv(text, { config, strict });
}

function refusal(text: string, strict = false): HotlistCsvError {
  try {
    parse(text, strict);
  } catch (error) {
    if (error instanceof HotlistCsvError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('parseHotlistCsv', () => {
  it('turns each data row into a validated entry', () => {
    const result = parse(`${HEADER}\n7ABC123,CA,SVS,Stolen vehicle,V1,CA0440500,\n6WXT390,CA,BOLO,Robbery,WPD26-1,Sgt. Alvarez,Armed robbery\n`);
    expect(result.rows).toBe(2);
    expect(result.rejected).toEqual([]);
    expect(result.entries.map((e) => [e.list, e.plate, e.state, e.reason])).toEqual([
      ['SVS', '7ABC123', 'CA', 'Stolen vehicle'],
      ['BOLO', '6WXT390', 'CA', 'Robbery'],
    ]);
  });

  it('loading one list, rejects the rows of another by line, and strict mode refuses the file for them', () => {
    const text = `${HEADER}\n7ABC123,CA,SVS,Stolen vehicle,,,\n8XYZ999,CA,SFR,Felony vehicle,,,\n6WXT390,CA,SVS,Stolen vehicle,,,\n`;
    const result = parseHotlistCsv(text, { config, list: 'SVS' });
    expect(result.entries.map((e) => e.plate)).toEqual(['7ABC123', '6WXT390']);
    expect(result.rejected).toEqual([{ line: 3, reason: 'row of list SFR, not SVS: skipped' }]);
    expect(() => parseHotlistCsv(text, { config, list: 'SVS', strict: true })).toThrow(/1 of 3 rows rejected/);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks inside', () => {
    const text = `${HEADER}\n6WXT390,CA,BOLO,"Robbery, armed",WPD26-1,Sgt. Alvarez,"Witness said ""black SUV""\nsecond line"\n`;
    const [entry] = parse(text).entries;
    expect(entry?.reason).toBe('Robbery, armed');
    expect(entry?.synopsis).toBe('Witness said "black SUV"\nsecond line');
  });

  it('accepts CRLF line endings and a UTF-8 byte order mark', () => {
    const text = `\uFEFF${HEADER}\r\n7ABC123,CA,SVS,Stolen,,,\r\n8XYZ999,CA,SVS,Stolen,,,\r\n`;
    const result = parse(text);
    expect(result.entries.map((e) => e.plate)).toEqual(['7ABC123', '8XYZ999']);
    expect(result.entries[1]?.reason).toBe('Stolen');
  });

  it('ignores blank lines but keeps physical line numbers in reports', () => {
    const text = `${HEADER}\n\n7ABC123,CA,SVS,Stolen,,,\n   \n\n7AB$123,CA,SVS,Stolen,,,\n`;
    const result = parse(text);
    expect(result.rows).toBe(2);
    expect(result.rejected).toEqual([{ line: 6, reason: expect.stringContaining('outside A-Z0-9') }]);
  });

  it('numbers a row after a multi-line quoted field by its physical line', () => {
    const text = `${HEADER}\n6WXT390,CA,BOLO,Robbery,WPD26-1,Sgt. Alvarez,"line one\nline two\nline three"\nBAD,CA,BOLO,Robbery,,,\n`;
    expect(parse(text).rejected[0]?.line).toBe(5);
  });

  it('accepts the optional expiry and vehicle columns in any order', () => {
    const text =
      'vehicle_style,plate,expires_at,state,list,reason,case_number,entered_by,synopsis,vehicle_make,vehicle_year\n' +
      'MC,4YJE559,2030-01-31T00:00:00Z,CA,SVS,Stolen motorcycle,,,,KAWK,2021\n';
    const [entry] = parse(text).entries;
    expect(entry?.expiresAt).toBe(Date.parse('2030-01-31T00:00:00Z'));
    expect(entry?.vehicle).toEqual({ make: 'KAWK', year: 2021, style: 'MC' });
  });

  it('keeps partial patterns as listed on specific lists', () => {
    const text = `${HEADER}\n7AB?12,CA,BOLO,Hit and run,WPD26-2,Det. Osei,Partial plate\n*XK9*,,BOLO,Burglary,WPD26-3,Det. Osei,Partial plate\n`;
    const entries = parse(text).entries;
    expect(entries.map((e) => [e.listed, e.isPattern, e.state])).toEqual([
      ['7AB?12', true, 'CA'],
      ['*XK9*', true, undefined],
    ]);
  });

  it('rejects a row with the wrong number of fields and says how many it had', () => {
    const result = parse(`${HEADER}\n7ABC123,CA,SVS,Stolen\n8XYZ999,CA,SVS,Stolen,,,\n`);
    expect(result.rejected).toEqual([{ line: 2, reason: 'expected 7 fields as in the header, found 4' }]);
    expect(result.entries).toHaveLength(1);
    expect(result.rows).toBe(2);
  });

  it('rejects rows that fail entry validation with the validator reason', () => {
    const result = parse(`${HEADER}\n6WXT390,CA,BOLO,Robbery,,,\n7ABC123,California,SVS,Stolen,,,\n7AB?12,CA,SVS,Stolen,,,\n`);
    expect(result.rejected.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(result.rejected[0]?.reason).toContain('case_number, entered_by, synopsis');
    expect(result.rejected[1]?.reason).toContain('two-letter');
    expect(result.rejected[2]?.reason).toContain('partial matching');
    expect(result.entries).toEqual([]);
  });

  it('rejects a repeated list, plate and state as a duplicate of the first line', () => {
    const text = `${HEADER}\n7ABC123,CA,SVS,Stolen,,,\n7ABC123,NV,SVS,Stolen,,,\n7abc-123,ca,svs,Stolen again,,,\n7ABC123,CA,SFR,Felony,,,\n`;
    const result = parse(text);
    expect(result.rejected).toEqual([{ line: 4, reason: 'duplicate of line 2' }]);
    expect(result.entries.map((e) => `${e.list}/${e.plate}/${e.state}`)).toEqual(['SVS/7ABC123/CA', 'SVS/7ABC123/NV', 'SFR/7ABC123/CA']);
  });

  it('rejects text after a closing quote and carries on with the next line', () => {
    const result = parse(`${HEADER}\n7ABC123,CA,SVS,"Stolen"x,,,\n8XYZ999,CA,SVS,Stolen,,,\n`);
    expect(result.rejected).toEqual([{ line: 2, reason: 'text after the closing quote of field 4' }]);
    expect(result.entries.map((e) => e.plate)).toEqual(['8XYZ999']);
  });

  it('rejects a row holding bytes that are not UTF-8 instead of loading it garbled', () => {
    // A Windows-1252 export (Excel's plain "CSV"): the curly apostrophe is byte 0x92, which reading
    // the file as UTF-8 turns into U+FFFD.
    const bytes = Buffer.from(`${HEADER}\n7ABC123,CA,SVS,Stolen,,,Owner\u2019s car\n8XYZ999,CA,SVS,Stolen,,,\n`, 'utf8');
    const cp1252 = Buffer.from(bytes.toString('utf8').replace('\u2019', '\u0092'), 'latin1');
    const result = parse(cp1252.toString('utf8'));
    expect(result.rejected).toEqual([{ line: 2, reason: expect.stringContaining('not UTF-8') }]);
    expect(result.entries.map((e) => e.plate)).toEqual(['8XYZ999']);
  });

  it('refuses a file that is not UTF-8 text at all, saying how to save it', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n7ABC123,CA,SVS,Stolen,,,\r\n`, 'utf16le')]);
    const error = refusal(utf16.toString('utf8'));
    expect(error.code).toBe('NOT_UTF8');
    expect(error.message).toContain('save it as UTF-8');
  });

  it('refuses a file whose header lacks a required column, naming it', () => {
    const error = refusal('plate,state,list,reason,case_number,entered_by\n7ABC123,CA,SVS,Stolen,,\n');
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toContain('synopsis');
  });

  it('refuses a file with an unknown column, naming it', () => {
    const error = refusal(`${HEADER},colour\n7ABC123,CA,SVS,Stolen,,,,red\n`);
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain('"colour"');
  });

  it('quotes an unknown column clipped: a header of megabytes is not copied into the refusal (found by an assessor)', () => {
    const column = 'A'.repeat(3_000_000);
    const error = refusal(`${column}\n7ABC123\n`);
    expect(error.code).toBe('UNKNOWN_COLUMN');
    expect(error.message).toContain(`"${'A'.repeat(MAX_QUOTED_LENGTH)}…" (3000000 characters)`);
    expect(error.message.length).toBeLessThan(500);
  });

  it('refuses a header that names a column twice', () => {
    expect(refusal(`${HEADER},plate\n`).code).toBe('DUPLICATE_COLUMN');
  });

  it('refuses an empty file', () => {
    expect(refusal('\uFEFF\n\n').code).toBe('EMPTY_FILE');
  });

  it('refuses a file with a quote that never closes, since the rows after it are lost', () => {
    const error = refusal(`${HEADER}\n7ABC123,CA,SVS,"Stolen,,,\n8XYZ999,CA,SVS,Stolen,,,\n`);
    expect(error.code).toBe('UNTERMINATED_QUOTE');
    expect(error.message).toContain('line 2');
  });

  it('accepts a header-only file as an empty list', () => {
    expect(parse(`${HEADER}\n`)).toEqual({ entries: [], rejected: [], droppedImmigration: 0, dropped: [], rows: 0 });
  });

  it('in strict mode refuses the whole file when any row is rejected, listing the rows', () => {
    const error = refusal(`${HEADER}\n7ABC123,CA,SVS,Stolen,,,\n7ABC123,CA,SVS,Stolen,,,\n`, true);
    expect(error.code).toBe('ROWS_REJECTED');
    expect(error.rejected).toEqual([{ line: 3, reason: 'duplicate of line 2' }]);
  });

  it('in strict mode loads a clean file as usual', () => {
    expect(parse(`${HEADER}\n7ABC123,CA,SVS,Stolen,,,\n`, true).entries).toHaveLength(1);
  });

  it('drops rows whose reason or list is immigration enforcement, by line, as the NCIC layout drops Immigration Violator File records', () => {
    const text = [
      HEADER,
      'QAIVF01,CA,SFR,NCIC MKE EIV,V1,CA0440500,Immigration Violator File',
      'QAIVF02,CA,SFR,Immigration violator - deportable alien,V2,CA0440500,',
      'QAIVF03,CA,SFR,EIV,V3,CA0440500,',
      'QAIVF04,CA,IMMIGRATION_HOLDS,Felony vehicle,V4,CA0440500,',
      '7ABC123,CA,SFR,Felony vehicle,V6,CA0440500,ice cream truck robbery',
      '8XYZ999,CA,SFR,NCIC MKE EV,V7,CA0440500,black ice crash suspect',
      '6TRJ244,CA,SFR,Ivan,V8,CA0440500,',
    ].join('\n');
    const result = parse(text, true);
    expect(result).toMatchObject({ rows: 7, droppedImmigration: 4, rejected: [] });
    expect(result.dropped.map((d) => d.line)).toEqual([2, 3, 4, 5]);
    expect(result.entries.map((e) => e.plate)).toEqual(['7ABC123', '8XYZ999', '6TRJ244']);
    // A configured extra MKE is dropped too; the defaults stay.
    const extra = parseHotlistCsv(`${HEADER}\n7ABC123,CA,SFR,NCIC MKE XX1,V1,CA0440500,\n8XYZ999,CA,SFR,MKE: IVD,V2,CA0440500,\n`, { config, immigrationMessageKeys: ['EIV', 'IV', 'XX'] });
    expect(extra).toMatchObject({ entries: [], droppedImmigration: 2 });
  });

  it('quotes a dropped row\'s reason or list clipped, however long the file made it', () => {
    const reason = `ICE detainer ${'x'.repeat(1_000_000)}`;
    const list = `IMMIGRATION_${'Y'.repeat(1_000_000)}`;
    const result = parse(`${HEADER}\nQAIVF01,CA,SFR,${reason},V1,CA0440500,\nQAIVF02,CA,${list},Felony vehicle,V2,CA0440500,\nQAIVF03,CA,SFR,NCIC MKE EIV ${'z'.repeat(1_000_000)},V3,CA0440500,\n`);
    expect(result.dropped.map((d) => d.line)).toEqual([2, 3, 4]);
    for (const d of result.dropped) expect(d.reason.length, d.reason.slice(0, 80)).toBeLessThan(200);
    expect(result.dropped[0]?.reason).toBe(`reason "${reason.slice(0, MAX_QUOTED_LENGTH)}…" (${reason.length} characters) is immigration enforcement (Gov. Code § 7284.6)`);
  });

  it('reports each dropped row with its line and why, so a stolen car is never dropped unseen', () => {
    const text = `${HEADER}\n7ABC123,CA,SVS,Stolen vehicle,V1,CA0440500,\n\nQAIVF01,CA,SVS,NCIC MKE EIV,V2,CA0440500,\nQAIVF02,CA,SVS,Immigration violator,V3,CA0440500,\n`;
    const result = parse(text);
    expect(result.droppedImmigration).toBe(2);
    expect(result.dropped).toEqual([
      { line: 4, reason: expect.stringContaining('Immigration Violator File') },
      { line: 5, reason: expect.stringContaining('immigration enforcement') },
    ]);
    expect(result.dropped[0]?.reason).toContain('NCIC MKE EIV');
    expect(result.entries.map((e) => e.plate)).toEqual(['7ABC123']);
  });

  it('never drops a row for its synopsis: a synopsis tells the crime and its victims', () => {
    const synopses = [
      'hate crime against immigrant family', 'Victim is an immigrant farm worker', 'Stolen from immigration attorney office lot',
      'deportation scam fraud victim', 'ICE/meth possession for sale', 'Taken from ICE arena parking lot', 'Carjacked at Border Patrol museum',
      'Owner deported; vehicle taken by roommate',
    ];
    const text = [HEADER, ...synopses.map((synopsis, i) => `7ABC12${i},CA,SVS,Stolen vehicle,V${i},CA0440500,"${synopsis}"`)].join('\n');
    const result = parse(text, true);
    expect(result).toMatchObject({ rows: 8, droppedImmigration: 0, dropped: [], rejected: [] });
    expect(result.entries.map((e) => e.synopsis)).toEqual(synopses);
  });

  it('parses the example hot lists without rejecting a row', () => {
    for (const file of ['examples/hotlists/svs.csv', 'examples/hotlists/bolo.csv']) {
      const result = parse(readFileSync(file, 'utf8'), true);
      expect(result.entries.length).toBe(result.rows);
      expect(result.rows).toBeGreaterThan(5);
    }
  });

  it('parses a 200,000-row file completely', () => {
    const lines = [`${HEADER},expires_at,vehicle_make`];
    for (let i = 0; i < 200_000; i++) {
      lines.push(`${(i + 1_000_000).toString(36).toUpperCase()}X,CA,SVS,Stolen vehicle,V${i},CA0440500,"Taken, overnight",2030-01-01,TOYT`);
    }
    const result = parse(lines.join('\n'));
    expect(result.entries).toHaveLength(200_000);
    expect(result.entries[199_999]?.synopsis).toBe('Taken, overnight');
  });
});
