// Preparing a general list's download, and counting what a version changed, from bytes.
import { describe, expect, it } from 'vitest';
import { countListChanges, decodeHotlist, encodeHotlist, HotlistCsvError, parseHotlistCsv, prepareBulkLoad, resolveBulkLayout, BulkLayoutError } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';

const config = resolveMatcherConfig();
const HEADER = 'plate,state,list,reason,case_number,entered_by,synopsis,vehicle_make,vehicle_year';
const CSV = [HEADER, '7ABC123,CA,SVS,Stolen,V1,CA0440500,Taken overnight,TOYT,2019', 'BAD!,CA,SVS,Stolen,V2,,,,', '8XYZ999,CA,SVS,Stolen,V3,,,HOND,'].join('\n');
const base = { list: 'SVS', strict: false, config, immigrationMessageKeys: ['EIV', 'IV'] } as const;

describe('prepareBulkLoad', () => {
  it('gives the stored bytes of exactly the entries the CSV parser gives, and its report', () => {
    const prepared = prepareBulkLoad({ ...base, text: CSV });
    const parsed = parseHotlistCsv(CSV, base);
    expect(decodeHotlist('SVS', prepared.encoded)).toEqual(parsed.entries);
    expect(prepared.entries).toBe(2);
    expect(prepared.report).toEqual({ rows: 3, rejected: parsed.rejected, droppedImmigration: 0, dropped: [], ignoredColumns: [] });
    expect(prepared.report.rejected[0]?.line).toBe(3);
  });

  it('reads a file through a layout, counting Immigration Violator File records and naming unread columns', () => {
    const layout = resolveBulkLayout({ format: 'delimited', fields: { MKE: 'MKE', LIC: 'LIC', LIS: 'LIS', OCA: 'OCA', ORI: 'ORI' } });
    const text = 'MKE,LIC,LIS,OCA,ORI,EXTRA\nEV,7ABC123,CA,26-1,CA0440300,x\nEIV,8XYZ999,CA,,DCICE0000,y\n';
    const prepared = prepareBulkLoad({ ...base, text, layout });
    expect(decodeHotlist('SVS', prepared.encoded).map((e) => e.plate)).toEqual(['7ABC123']);
    expect(prepared.report).toMatchObject({ rows: 2, droppedImmigration: 1, dropped: [], ignoredColumns: ['EXTRA'] });
  });

  it('takes the file as bytes: a row that is not UTF-8 is rejected with its line, as from a file on disk', () => {
    const latin1 = Buffer.concat([Buffer.from(`\ufeff${HEADER}\n7ABC123,CA,SVS,Stolen,V1,CA0440500,Taken overnight,TOYT,2019\n8XYZ999,CA,SVS,Stolen,V3,,Caf`), Buffer.from([0xe9]), Buffer.from(',HOND,\n')]);
    const prepared = prepareBulkLoad({ ...base, text: new Uint8Array(latin1) });
    expect(decodeHotlist('SVS', prepared.encoded).map((e) => e.plate)).toEqual(['7ABC123']);
    expect(prepared.report.rejected).toEqual([{ line: 3, reason: expect.stringContaining('UTF-8') }]);
    const utf16 = Buffer.from(`\ufeff${HEADER}\n7ABC123,CA,SVS,Stolen,V1,,,,\n`, 'utf16le');
    expect(() => prepareBulkLoad({ ...base, text: new Uint8Array(utf16) })).toThrow(expect.objectContaining({ code: 'NOT_UTF8' }));
  });

  it('refuses the whole file as the parsers do', () => {
    expect(() => prepareBulkLoad({ ...base, text: CSV, strict: true })).toThrow(HotlistCsvError);
    const layout = resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', LIS: 'LIS' } });
    expect(() => prepareBulkLoad({ ...base, text: 'OTHER\nx\n', layout })).toThrow(BulkLayoutError);
  });
});

describe('countListChanges', () => {
  const version = (text: string) => prepareBulkLoad({ ...base, text: `${HEADER}\n${text}` });

  it('counts plates added and removed between two versions, by plate and state', () => {
    const before = version('7ABC123,CA,SVS,Stolen,V1,,,,\n8XYZ999,CA,SVS,Stolen,V2,,,,\n5STA555,CA,SVS,Stolen,V5,,,,');
    const after = version('7ABC123,CA,SVS,Stolen,V1,,,,\n1NEW111,CA,SVS,Stolen,V3,,,,\n2NEW222,CA,SVS,Stolen,V4,,,,\n5STA555,NV,SVS,Stolen,V5,,,,');
    expect(after.keys.split('\n')).toEqual(['7ABC123|CA', '1NEW111|CA', '2NEW222|CA', '5STA555|NV']);
    expect(countListChanges('SVS', before.encoded, after.keys)).toEqual({ added: 3, removed: 2 });
    expect(countListChanges('SVS', null, after.keys)).toEqual({ added: 4, removed: 0 });
    expect(countListChanges('SVS', before.encoded, '')).toEqual({ added: 0, removed: 3 });
  });

  it('counts everything as added over a previous version it cannot read', () => {
    const after = version('7ABC123,CA,SVS,Stolen,V1,,,,').keys;
    expect(countListChanges('SVS', new Uint8Array([1, 2, 3]), after)).toEqual({ added: 1, removed: 0 });
    expect(countListChanges('SVS', encodeHotlist([]), after)).toEqual({ added: 1, removed: 0 });
  });
});
