// Generated detections for the storage benchmarks, made inside ClickHouse (INSERT … SELECT), so the
// data never passes through JS. Plates: 80 % California style (1ABC234), 20 % other 6–7 character
// plates; plate_ocr uses the default OCR classes (matcher/config.ts): 0ODQ→0, 1IL→1, 8B→8, 5S→5, 2Z→2, 6G→6.
import { OcrAlphabet } from '../../matcher/index.js';
import { ocrMappedSql } from '../../storage/index.js';

/** plate_ocr of a generated plate: the product's own mapping, in SQL. */
export const OCR_TRANSLATE = ocrMappedSql('plate', new OcrAlphabet());

const LETTER = (seed: string) => `char(65 + (${seed}) % 26)`;
const ALNUM = (seed: string) => `substring('ABCDEFGHJKLMNPRSTUVWXYZ0123456789', 1 + (${seed}) % 33, 1)`;

export const PLATE_EXPR = `if(h % 5 != 0,
  concat(toString(1 + h % 9), ${LETTER('bitShiftRight(h, 8)')}, ${LETTER('bitShiftRight(h, 16)')}, ${LETTER('bitShiftRight(h, 24)')}, leftPad(toString((bitShiftRight(h, 32)) % 1000), 3, '0')),
  substring(concat(${ALNUM('bitShiftRight(h, 8)')}, ${ALNUM('bitShiftRight(h, 14)')}, ${ALNUM('bitShiftRight(h, 20)')}, ${ALNUM('bitShiftRight(h, 26)')}, ${ALNUM('bitShiftRight(h, 32)')}, ${ALNUM('bitShiftRight(h, 38)')}, ${ALNUM('bitShiftRight(h, 44)')}), 1, 6 + (bitShiftRight(h, 50)) % 2))`;

/**
 * A read's `n` alternative readings: the plate with one character changed, at position k for the
 * k-th (0-based, wrapping), as a reader's second guesses differ from its first.
 */
function alternativeReadings(n: number): string {
  if (n === 0) return '[]';
  return `arrayMap(k -> concat(substring(plate, 1, k % length(plate)), ${ALNUM('bitShiftRight(h, 3 * k + 1)')}, substring(plate, k % length(plate) + 2)), range(${n}))`;
}

/**
 * SELECT producing `rows` detections spread evenly over `days` days ending at `endMs`, each with
 * `candidates` alternative readings. A slice of a larger set: detections `offset` … `offset + rows`
 * of `total`, at the times they have in the whole (bench/storage/year-search.bench.ts inserts a
 * year a day at a time, so that each day is one part without a merge).
 */
export function generatedDetections(rows: number, days: number, endMs: number, offset = 0, candidates = 0, total = rows + offset): string {
  const spanMs = days * 86_400_000;
  const startMs = endMs - spanMs;
  return `SELECT
  concat('bench-', toString(number)) AS read_id,
  'WPD' AS agency,
  concat('cam-', toString(number % 40)) AS camera,
  concat(agency, '/', camera) AS read_source,
  fromUnixTimestamp64Milli(toInt64(${startMs} + intDiv(number * ${spanMs}, ${total})), 'UTC') AS seen_at,
  plate,
  ${OCR_TRANSLATE} AS plate_ocr,
  'CA' AS state,
  toFloat32(0.5 + (h % 500) / 1000) AS confidence,
  36.9 + ((bitShiftRight(h, 12)) % 1000) / 10000 AS lat,
  -121.8 + ((bitShiftRight(h, 22)) % 1000) / 10000 AS lon,
  CAST(toFloat32((bitShiftRight(h, 32) % 3600) / 10) AS Nullable(Float32)) AS heading,
  ['Toyota', 'Honda', 'Ford', 'Chevrolet', 'Nissan'][1 + h % 5] AS vehicle_make,
  '' AS vehicle_model,
  CAST(toUInt16(1995 + bitShiftRight(h, 44) % 30) AS Nullable(UInt16)) AS vehicle_year,
  ['white', 'black', 'silver', 'red', 'blue'][1 + (bitShiftRight(h, 3)) % 5] AS vehicle_color,
  'car' AS vehicle_type,
  concat('s3://alpr-images/', toString(number), '.jpg') AS image_ref,
  ${alternativeReadings(candidates)} AS candidates
FROM (SELECT number, sipHash64(number) AS h, ${PLATE_EXPR} AS plate FROM numbers(${offset}, ${rows}))`;
}
