// Bulk layouts for state/NCIC extracts: delimited by column name or number, fixed-width by
// start/length; NCIC codes understood; Immigration Violator File records dropped and counted
// (Gov. Code § 7284.6); layouts mapping names or dates of birth refused (State Auditor 2019-118).
import { describe, expect, it } from 'vitest';
import { BulkLayoutError, isImmigrationRecord, parseBulkFile, resolveBulkLayout } from '../../ingest/index.js';
import { MAX_QUOTED_LENGTH, resolveMatcherConfig } from '../../matcher/index.js';

const config = resolveMatcherConfig();

function refusal(fn: () => unknown): BulkLayoutError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BulkLayoutError) return error;
    throw error;
  }
  throw new Error('expected a BulkLayoutError');
}

const NCIC_CSV_LAYOUT = resolveBulkLayout({
  format: 'delimited',
  fields: { LIC: 'LIC', LIS: 'LIS', LIT: 'LIT', VMA: 'VMA', VYR: 'VYR', VCO: 'VCO', NIC: 'NIC', OCA: 'OCA', ORI: 'ORI', MKE: 'MKE' },
});

const NCIC_CSV = [
  'MKE,LIC,LIS,LIT,VMA,VYR,VCO,NIC,OCA,ORI,NAM,DOB',
  'EV,7ABC123,CA,PC,TOYT,2019,BLK,V123456789,24-1001,CA0440300,DOE/JOHN,19800101',
  'EIV,8XYZ999,CA,PC,HOND,2015,WHI,I987654321,,DCICE0000,ROE/JANE,19900202',
  'IVD,5LMN456,CA,PC,FORD,2012,BLU,I111111111,,DCICE0000,,',
  'EV,BAD PLATE WITH SPACES TOO LONG,CA,PC,,,,V2,,CA0440300,,',
  'EV,7ABC123,CA,PC,TOYT,2019,BLK,V123456789,24-1001,CA0440300,,',
  'EV,4DEF567,,PC,,,,V3,24-1002,CA0440300,,',
].join('\n');

describe('bulk layouts', () => {
  it('loads an NCIC extract by header names, translating the codes into entries', () => {
    const { entries, report } = parseBulkFile(NCIC_CSV, NCIC_CSV_LAYOUT, { list: 'svs', config });
    expect(entries.map((e) => e.plate)).toEqual(['7ABC123', '4DEF567']);
    expect(entries[0]).toMatchObject({
      list: 'SVS', state: 'CA', reason: 'NCIC MKE EV', caseNumber: '24-1001', enteredBy: 'CA0440300',
      synopsis: 'LIT PC; NIC V123456789', vehicle: { make: 'TOYT', year: 2019, color: 'BLK' },
    });
    expect(report).toMatchObject({ list: 'SVS', rows: 6, loaded: 2, droppedImmigration: 2 });
    expect(report.rejected.map((r) => r.line)).toEqual([5, 6]);
    expect(report.rejected[1]?.reason).toBe('duplicate of line 2');
  });

  it('never reads columns the layout does not map, and reports them', () => {
    const { entries, report } = parseBulkFile(NCIC_CSV, NCIC_CSV_LAYOUT, { list: 'SVS', config });
    expect(report.ignoredColumns).toEqual(['NAM', 'DOB']);
    expect(JSON.stringify(entries)).not.toMatch(/DOE|JOHN|19800101/);
  });

  it('drops NCIC immigration violator records at load and counts them', () => {
    expect(isImmigrationRecord('EIV')).toBe(true);
    expect(isImmigrationRecord(' ivd ')).toBe(true);
    expect(isImmigrationRecord('EV')).toBe(false);
    expect(isImmigrationRecord('')).toBe(false);
    const { entries, report } = parseBulkFile(NCIC_CSV, NCIC_CSV_LAYOUT, { list: 'SVS', config });
    expect(entries.map((e) => e.plate)).not.toContain('8XYZ999');
    expect(entries.map((e) => e.plate)).not.toContain('5LMN456');
    expect(report.droppedImmigration).toBe(2);
    // The prefixes are configuration: an agency may add the codes its extract uses.
    const more = parseBulkFile(NCIC_CSV, NCIC_CSV_LAYOUT, { list: 'SVS', config, immigrationMessageKeys: ['EIV', 'IV', 'EV'] });
    expect(more.entries).toEqual([]);
    expect(more.report.droppedImmigration).toBe(6);
  });

  it('refuses a layout that maps a name or date of birth, and accepts the same layout without it', () => {
    for (const field of ['NAM', 'DOB', 'date_of_birth', 'Last Name', 'OLN']) {
      const e = refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', [field]: 'X' } }));
      expect(e.code).toBe('PERSONAL_DATA');
      expect(e.message).toContain(field);
    }
    expect(resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC' } }).fields).toEqual({ LIC: 'LIC' });
  });

  it('refuses a layout or file that reads a name or date of birth through another field', () => {
    // By the column's name in the layout…
    const byName = refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', NIC: 'NAM', OCA: 'DOB' } }));
    expect(byName.code).toBe('PERSONAL_DATA');
    expect(byName.message).toContain('column "NAM"');
    // …or by a column number that lands on one in the file's header.
    const layout = resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', OCA: 12 } });
    const byNumber = refusal(() => parseBulkFile(NCIC_CSV, layout, { list: 'SVS', config }));
    expect(byNumber.code).toBe('PERSONAL_DATA');
    expect(byNumber.message).toMatch(/column 12, "DOB"/);
  });

  it('refuses a column whose name marks it as a person\'s, such as a subject\'s date of birth or the registered owner\'s name', () => {
    for (const column of ['SUBJ_DOB', 'RO_NAME', 'Owner First', 'SUSPECT-NAM', 'birth_date_2']) {
      const e = refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', NIC: column } }));
      expect(e.code).toBe('PERSONAL_DATA');
      expect(e.message).toContain(column);
    }
    // The same check on a header column reached by number.
    const layout = resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', OCA: 2 } });
    expect(refusal(() => parseBulkFile('LIC,RO_DOB\n7ABC123,19800101\n', layout, { list: 'SVS', config })).code).toBe('PERSONAL_DATA');
    // An agency's name is not a person's.
    expect(resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', ORI: 'AGENCY_NAME' } }).fields).toEqual({ LIC: 'LIC', ORI: 'AGENCY_NAME' });
  });

  it('drops immigration violator records even when the layout leaves the MKE column unmapped', () => {
    const layout = resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', LIS: 'LIS' } });
    const { entries, report } = parseBulkFile(NCIC_CSV, layout, { list: 'SVS', config });
    expect(entries.map((e) => e.plate)).toEqual(['7ABC123', '4DEF567']);
    expect(report.droppedImmigration).toBe(2);
    // Read for the check only: it is not a column "not read", and no entry takes it as a reason.
    expect(report.ignoredColumns).not.toContain('MKE');
    expect(entries.every((e) => e.reason === undefined || !e.reason.includes('MKE'))).toBe(true);
  });

  it('reads fixed-width files by start and length', () => {
    const layout = resolveBulkLayout({
      format: 'fixed',
      fields: { MKE: { start: 1, length: 3 }, LIC: { start: 4, length: 8 }, LIS: { start: 12, length: 2 }, OCA: { start: 14, length: 10 } },
    });
    const text = ['EV 6TRJ244 CA24-0001   DOE/JOHN', 'EIV1ABC234 CA          ROE/JANE', 'EV 2XYZ11  NV24-0002   '].join('\r\n');
    const { entries, report } = parseBulkFile(text, layout, { list: 'SFR', config });
    expect(entries.map((e) => [e.plate, e.state, e.caseNumber])).toEqual([['6TRJ244', 'CA', '24-0001'], ['2XYZ11', 'NV', '24-0002']]);
    expect(report).toMatchObject({ rows: 3, loaded: 2, droppedImmigration: 1, rejected: [] });
  });

  it('ends a line at a lone CR too (classic Mac line endings), so no entry after the first is lost', () => {
    const fixed = resolveBulkLayout({
      format: 'fixed',
      fields: { MKE: { start: 1, length: 3 }, LIC: { start: 4, length: 8 }, LIS: { start: 12, length: 2 }, OCA: { start: 14, length: 10 } },
    });
    const text = ['EV 6TRJ244 CA24-0001   DOE/JOHN', 'EIV1ABC234 CA          ROE/JANE', 'EV 2XYZ11  NV24-0002   '].join('\r');
    const { entries, report } = parseBulkFile(text, fixed, { list: 'SFR', config });
    expect(entries.map((e) => [e.plate, e.state, e.caseNumber])).toEqual([['6TRJ244', 'CA', '24-0001'], ['2XYZ11', 'NV', '24-0002']]);
    expect(report).toMatchObject({ rows: 3, loaded: 2, droppedImmigration: 1, rejected: [] });
    const piped = resolveBulkLayout({ format: 'delimited', delimiter: '|', header: false, fields: { LIC: 2, LIS: 3, MKE: 1 } });
    const { entries: pipedEntries, report: pipedReport } = parseBulkFile('EV|7ABC123|CA\rEV|8DEF456|\r\rEV|9GHJ789|NV\r', piped, { list: 'SLR', config });
    expect(pipedEntries.map((e) => e.plate)).toEqual(['7ABC123', '8DEF456', '9GHJ789']);
    expect(pipedReport.rejected).toEqual([]);
  });

  it('reads delimited files without a header by column number, with another delimiter', () => {
    const layout = resolveBulkLayout({ format: 'delimited', delimiter: '|', header: false, fields: { LIC: 2, LIS: 3, MKE: 1 } });
    const { entries } = parseBulkFile('EV|7ABC123|CA\nEV|8DEF456|\n', layout, { list: 'SLR', config });
    expect(entries.map((e) => e.plate)).toEqual(['7ABC123', '8DEF456']);
  });

  it('rejects a row whose field count differs from the header, so no column is read from the wrong place', () => {
    // A stray "|" inside VMA shifts every later column: the Immigration Violator File record's MKE
    // would land outside the MKE column and the row would load (Gov. Code § 7284.6).
    const layout = resolveBulkLayout({ format: 'delimited', delimiter: '|', fields: { LIC: 'LIC', LIS: 'LIS', VMA: 'VMA', OCA: 'OCA', MKE: 'MKE' } });
    const text = 'LIC|LIS|VMA|OCA|MKE\n1ABC234|CA|FO|RD|I-9|IVD\n7ABC123|CA|TOYT|24-1\n8DEF456|CA|TOYT|24-2|EV\n';
    const { entries, report } = parseBulkFile(text, layout, { list: 'SVS', config });
    expect(entries.map((e) => e.plate)).toEqual(['8DEF456']);
    expect(report.rejected).toEqual([
      { line: 2, reason: 'expected 5 fields as in the header, found 6' },
      { line: 3, reason: 'expected 5 fields as in the header, found 4' },
    ]);
  });

  it('rejects a row too short for the columns a headerless layout reads', () => {
    const layout = resolveBulkLayout({ format: 'delimited', delimiter: '|', header: false, fields: { MKE: 1, LIC: 2, LIS: 3 } });
    const { entries, report } = parseBulkFile('EV|7ABC123|CA\nEV|8DEF456\n', layout, { list: 'SLR', config });
    expect(entries.map((e) => e.plate)).toEqual(['7ABC123']);
    expect(report.rejected).toEqual([{ line: 2, reason: 'expected at least 3 fields (the layout reads column 3), found 2' }]);
  });

  it('rejects a row holding bytes that are not UTF-8 instead of loading it garbled', () => {
    const layout = resolveBulkLayout({ format: 'fixed', fields: { LIC: { start: 1, length: 8 }, VMO: { start: 9, length: 8 } } });
    const latin1 = Buffer.from('7ABC123 CITRO\u00cbN\n8DEF456 CIVIC\n', 'latin1').toString('utf8');
    const { entries, report } = parseBulkFile(latin1, layout, { list: 'SVS', config });
    expect(entries.map((e) => e.plate)).toEqual(['8DEF456']);
    expect(report.rejected).toEqual([{ line: 1, reason: expect.stringContaining('not UTF-8') }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('LIC,MKE\r\n7ABC123,EV\r\n', 'utf16le')]).toString('utf8');
    const refused = refusal(() => parseBulkFile(utf16, resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', MKE: 'MKE' } }), { list: 'SVS', config }));
    expect(refused.code).toBe('NOT_UTF8');
    expect(refused.message).toContain('save it as UTF-8');
  });

  it('shows a header\'s columns clipped in refusals and in the report: a header of megabytes is not copied (found by an assessor)', () => {
    const huge = 'A'.repeat(3_000_000);
    const mismatch = refusal(() => parseBulkFile(`${huge},STATE\n7ABC123,CA\n`, NCIC_CSV_LAYOUT, { list: 'SVS', config }));
    expect(mismatch.code).toBe('FILE_MISMATCH');
    expect(mismatch.message).toContain(`${'A'.repeat(MAX_QUOTED_LENGTH)}… (3000000 characters), STATE`);
    expect(mismatch.message.length).toBeLessThan(500);
    const manyColumns = Array.from({ length: 100_000 }, (_, i) => `C${i}`).join(',');
    expect(refusal(() => parseBulkFile(`${manyColumns}\n`, NCIC_CSV_LAYOUT, { list: 'SVS', config })).message.length).toBeLessThan(1000);
    // A column a name or date of birth is read from, named at length.
    const byNumber = resolveBulkLayout({ format: 'delimited', fields: { LIC: 1, NIC: 2 } });
    const personal = refusal(() => parseBulkFile(`LIC,DOB ${huge}\n7ABC123,19800101\n`, byNumber, { list: 'SVS', config }));
    expect(personal.code).toBe('PERSONAL_DATA');
    expect(personal.message.length).toBeLessThan(500);
    // Columns never read: each clipped, and not 100,000 of them.
    const { report } = parseBulkFile(`LIC,${huge},${manyColumns}\n7ABC123,,\n`, resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC' } }), { list: 'SVS', config });
    expect(report.ignoredColumns[0]).toBe(`${'A'.repeat(MAX_QUOTED_LENGTH)}… (3000000 characters)`);
    expect(report.ignoredColumns.slice(1, 3)).toEqual(['C0', 'C1']);
    expect(report.ignoredColumns.length).toBeLessThanOrEqual(51);
    expect(report.ignoredColumns.at(-1)).toBe('… (99951 more columns)');
  });

  it('refuses bad layouts and files that do not fit them, naming the problem', () => {
    expect(refusal(() => resolveBulkLayout({ format: 'xml', fields: {} })).code).toBe('INVALID_LAYOUT');
    expect(refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIS: 'LIS' } })).message).toContain('must map the plate');
    expect(refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIC: 'A', plate: 'B' } })).message).toContain('two fields fill "plate"');
    expect(refusal(() => resolveBulkLayout({ format: 'delimited', fields: { LIC: 'A', COLOUR: 'B' } })).message).toContain('unknown field');
    expect(refusal(() => resolveBulkLayout({ format: 'fixed', fields: { LIC: { start: 0, length: 7 } } })).code).toBe('INVALID_LAYOUT');
    expect(refusal(() => parseBulkFile('PLATE,STATE\n7ABC123,CA\n', NCIC_CSV_LAYOUT, { list: 'SVS', config })).code).toBe('FILE_MISMATCH');
    expect(refusal(() => parseBulkFile('', NCIC_CSV_LAYOUT, { list: 'SVS', config })).code).toBe('FILE_MISMATCH');
    expect(refusal(() => parseBulkFile(NCIC_CSV, NCIC_CSV_LAYOUT, { list: 'SVS', config, strict: true })).code).toBe('ROWS_REJECTED');
  });
});
