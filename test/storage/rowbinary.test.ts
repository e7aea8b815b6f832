// RowBinaryBatch against ClickHouse's own RowBinary reader: whatever a detection holds (any Unicode,
// long strings whose length needs several varint bytes, missing positions, headings and model years,
// candidates), chDB reads back exactly the values written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTION_INSERT_COLUMNS, type Detection } from '../../storage/index.js';
import { DETECTION_ROWBINARY_STRUCTURE, RowBinaryBatch } from '../../storage/rowbinary.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
beforeAll(async () => {
  temp = await openTempStorage();
});
afterAll(() => temp.cleanup());

interface Decoded {
  read_id: string; agency: string; camera: string; read_source: string; seen_at: string; plate: string; plate_ocr: string; state: string;
  /** As its Float32 bits. */
  confidence: number; lat: number | null; lon: number | null;
  /** As its Float32 bits, or null. */
  heading: number | null; vehicle_make: string; vehicle_model: string; vehicle_year: number | null;
  vehicle_color: string; vehicle_type: string; image_ref: string; candidates: string[];
}

async function readBack(batch: RowBinaryBatch, name: string): Promise<Decoded[]> {
  const file = join(temp.dir, `${name}.rowbinary`);
  writeFileSync(file, batch.bytes);
  const rs = await temp.storage.client.query({
    query: `SELECT * REPLACE (toString(seen_at) AS seen_at, reinterpretAsUInt32(confidence) AS confidence,
                              if(isNull(heading), NULL, reinterpretAsUInt32(assumeNotNull(heading))) AS heading)
              FROM file({file:String}, 'RowBinary', {structure:String})`,
    query_params: { file, structure: DETECTION_ROWBINARY_STRUCTURE },
    format: 'JSONEachRow',
  });
  return rs.json<Decoded>();
}

/** The bits of the nearest Float32: compared as bits, since JSON output rounds tiny floats. */
function float32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0] as number;
}

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 100, maxLength: 9000 }));
const position = fc.option(fc.double({ min: -180, max: 180, noNaN: true }), { nil: undefined });
const detection: fc.Arbitrary<Detection> = fc.record({
  readId: text, agency: text, camera: text,
  seenAt: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true })),
  plate: text, state: text, confidence: fc.float({ min: 0, max: 1, noNaN: true }),
  lat: position, lon: position,
  heading: fc.option(fc.float({ min: 0, max: 360, noNaN: true }), { nil: undefined }),
  vehicleYear: fc.option(fc.integer({ min: 1900, max: 2100 }), { nil: undefined }),
  vehicleMake: fc.option(text, { nil: undefined }), vehicleModel: fc.option(text, { nil: undefined }),
  vehicleColor: fc.option(text, { nil: undefined }), vehicleType: fc.option(text, { nil: undefined }),
  imageRef: fc.option(text, { nil: undefined }), candidates: fc.option(fc.array(text, { maxLength: 200 }), { nil: undefined }),
});

describe('RowBinaryBatch', () => {
  it('lays out the columns the insert names, in its order', () => {
    const names = DETECTION_ROWBINARY_STRUCTURE.split(/,\s*(?![^()]*\))/).map((c) => c.trim().split(' ')[0]);
    expect(names).toEqual([...DETECTION_INSERT_COLUMNS]);
  });

  it('writes what ClickHouse reads back, field for field', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(detection, { minLength: 1, maxLength: 20 }), async (rows) => {
        const batch = new RowBinaryBatch();
        for (const d of rows) batch.add(d, `${d.plate}-ocr`);
        expect(batch.rows).toBe(rows.length);
        const back = await readBack(batch, `run-${run++}`);
        expect(back).toEqual(rows.map((d) => ({
          read_id: d.readId, agency: d.agency, camera: d.camera, read_source: `${d.agency}/${d.camera}`,
          seen_at: new Date(typeof d.seenAt === 'number' ? d.seenAt : d.seenAt.getTime()).toISOString().replace('T', ' ').slice(0, 23),
          plate: d.plate, plate_ocr: `${d.plate}-ocr`, state: d.state, confidence: float32Bits(d.confidence),
          lat: d.lat ?? null, lon: d.lon ?? null, heading: d.heading === undefined ? null : float32Bits(d.heading),
          vehicle_make: d.vehicleMake ?? '', vehicle_model: d.vehicleModel ?? '', vehicle_year: d.vehicleYear ?? null,
          vehicle_color: d.vehicleColor ?? '', vehicle_type: d.vehicleType ?? '', image_ref: d.imageRef ?? '', candidates: d.candidates ?? [],
        })));
      }),
      { numRuns: 40, seed: 3 },
    );
  }, 60_000);

  it('grows past its first buffer without losing a byte', async () => {
    const batch = new RowBinaryBatch();
    const imageRef = 'x'.repeat(70_000); // over the first 64 KiB on its own
    for (let i = 0; i < 30; i++) batch.add({ readId: `g-${i}`, agency: 'WPD', camera: 'c', seenAt: i, plate: 'P', state: '', confidence: 0.5, imageRef }, 'P');
    const back = await readBack(batch, 'grow');
    expect(back.map((r) => [r.read_id, r.image_ref.length])).toEqual(Array.from({ length: 30 }, (_, i) => [`g-${i}`, 70_000]));
  });
});
