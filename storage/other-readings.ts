// The reader's alternative readings (a read's `candidates`) in SQL: a hit may be raised on one, so
// searches by plate look in them too (storage/search.ts, otherReadings), through the OCR classes
// as plate_ocr is looked up. No column holds their mapping: the writer would pay for one at every
// insert (BENCHMARKS.md, "alternative readings"), and it would keep the classes of the day each
// read was stored. The mapping is worked out from `candidates` when a query reads them, and an
// index over the same expression (migration 16) lets a query skip granules without a match.
import { OcrAlphabet } from '../matcher/index.js';

const PLATE_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * `candidates` mapped through `alphabet` in SQL, each character as OcrAlphabet.mapPlate maps it
 * (`translate` of the characters it changes). The text is what ClickHouse matches an index by:
 * a query uses migration 16's index only when it writes the expression exactly as the index
 * does, which it does with the default classes. Frozen for those: migration 16's checksum covers it.
 */
export function ocrMappedCandidates(alphabet: OcrAlphabet): string {
  const mapped = ocrMappedSql('c', alphabet);
  return mapped === 'c' ? 'candidates' : `arrayMap(c -> ${mapped}, candidates)`;
}

/** One plate expression `plate` mapped through `alphabet` in SQL, as OcrAlphabet.mapPlate maps it (the benchmarks' generated plate_ocr too). */
export function ocrMappedSql(plate: string, alphabet: OcrAlphabet): string {
  let from = '';
  let to = '';
  for (const ch of PLATE_CHARS) {
    const mapped = alphabet.mapPlate(ch);
    if (mapped === ch) continue;
    from += ch;
    to += mapped;
  }
  // Plate characters are [A-Z0-9], so neither string holds a quote.
  return from === '' ? plate : `translate(${plate}, '${from}', '${to}')`;
}

/**
 * Migration 16's index, for tables made outside the migrations too: a bloom filter answers has()
 * per 8,192-row granule and is sized by the readings it holds, so reads without alternatives cost
 * next to nothing. Over the default OCR classes: a department that configures others gets right
 * answers, found by reading the alternatives of the range rather than through the index.
 */
export const CANDIDATES_OCR_INDEX = `INDEX candidates_ocr_bloom ${ocrMappedCandidates(new OcrAlphabet())} TYPE bloom_filter(0.01) GRANULARITY 1`;
