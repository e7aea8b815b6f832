// ListLoader: bulk loads prepared in a real worker thread, refusals coming back as their classes.
import { afterAll, describe, expect, it } from 'vitest';
import { BulkLayoutError, decodeHotlist, encodeHotlist, HotlistCsvError, ListLoader, parseHotlistCsv, resolveBulkLayout } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';

const config = resolveMatcherConfig();
const loader = new ListLoader();
afterAll(() => loader.close());
const base = { list: 'SVS', strict: false, config, immigrationMessageKeys: ['EIV', 'IV'] } as const;
const CSV = 'plate,state,list,reason,case_number,entered_by,synopsis,vehicle_make\n7ABC123,CA,SVS,Stolen,V1,CA0440500,Café du coin 🚗,TOYT\nBAD!,CA,SVS,Stolen,V2,,,\n';

describe('ListLoader', () => {
  it('prepares a file in its thread: the bytes hold the entries the parser gives here, text outside ASCII kept', async () => {
    const prepared = await loader.prepare({ ...base, text: CSV });
    expect(decodeHotlist('SVS', prepared.encoded)).toEqual(parseHotlistCsv(CSV, base).entries);
    expect(decodeHotlist('SVS', prepared.encoded)[0]?.synopsis).toBe('Café du coin 🚗');
    expect(prepared.report.rejected).toEqual([{ line: 3, reason: expect.stringContaining('BAD!') }]);
  });

  it('moves a file\'s bytes to its thread rather than copying them', async () => {
    const bytes = new Uint8Array(Buffer.from(CSV));
    const prepared = await loader.prepare({ ...base, text: bytes });
    expect(bytes.byteLength).toBe(0); // detached here: they went to the thread
    expect(decodeHotlist('SVS', prepared.encoded)).toEqual(parseHotlistCsv(CSV, base).entries);
  });

  it('refuses a file with the parser\'s error class, code and rejected rows', async () => {
    const strict = await loader.prepare({ ...base, text: CSV, strict: true }).catch((e: unknown) => e);
    expect(strict).toBeInstanceOf(HotlistCsvError);
    expect(strict).toMatchObject({ code: 'ROWS_REJECTED', rejected: [{ line: 3 }] });
    const layout = resolveBulkLayout({ format: 'delimited', fields: { LIC: 'LIC', LIS: 'LIS' } });
    const mismatch = await loader.prepare({ ...base, text: 'OTHER\nx\n', layout }).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(BulkLayoutError);
    expect(mismatch).toMatchObject({ code: 'FILE_MISMATCH' });
  });

  it('compares two versions in its thread', async () => {
    const next = (await loader.prepare({ ...base, text: CSV })).keys;
    expect(next).toBe('7ABC123|CA');
    expect(await loader.compare('SVS', null, next)).toEqual({ added: 1, removed: 0 });
    expect(await loader.compare('SVS', encodeHotlist(parseHotlistCsv(CSV.replace('7ABC123', '8XYZ999'), base).entries), next)).toEqual({ added: 1, removed: 1 });
  });
});
