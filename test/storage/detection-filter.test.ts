// The conditions that select detections, as text: what decides whether ClickHouse can use an index
// is the SQL itself, so these check the SQL (the rows they select are test/storage/search-oracle.test.ts).
import { describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/index.js';
import { buildDetectionFilter, CANDIDATES_OCR_INDEX, indexedWhere, type DetectionCriteria } from '../../storage/index.js';

const RANGE = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };

function filter(criteria: Omit<DetectionCriteria, 'from' | 'to'>, alphabet = new OcrAlphabet()) {
  const built = buildDetectionFilter({ ...RANGE, ...criteria }, alphabet);
  if (!built.ok) throw new Error(built.reason);
  return built;
}

/** The expression migration 16's index is over: ClickHouse uses the index for a condition on exactly this text. */
const INDEXED_EXPRESSION = /^INDEX candidates_ocr_bloom (.*) TYPE bloom_filter/.exec(CANDIDATES_OCR_INDEX)?.[1] ?? '';

describe('the alternative readings of a read (otherReadings)', () => {
  it('are looked up by an exact or OCR-equivalent plate through the expression the index is over', () => {
    expect(INDEXED_EXPRESSION).toBe("arrayMap(c -> translate(c, 'BDGILOQSZ', '806110052'), candidates)");
    for (const kind of ['exact', 'ocr'] as const) {
      const f = filter({ plate: { kind, plate: '7ABC123' }, otherReadings: true });
      expect(f.branches).toEqual(['plate_ocr = {plateOcr:String}', `has(${INDEXED_EXPRESSION}, {plateOcr:String})`]);
      expect(f.params['plateOcr']).toBe('7A8C123');
    }
  });

  it('are left out unless asked for, and refused without a plate', () => {
    const f = filter({ plate: { kind: 'exact', plate: '7ABC123' } });
    expect(f.where.join(' ')).not.toContain('candidates');
    expect(f.branches).toBeUndefined();
    expect(f.matchedCandidate).toBe("''");
    expect(buildDetectionFilter({ ...RANGE, otherReadings: true }, new OcrAlphabet())).toEqual({ ok: false, reason: 'otherReadings needs a plate' });
  });

  it('follow the OCR classes in force: other classes map through their own expression, which the index does not serve', () => {
    const f = filter({ plate: { kind: 'ocr', plate: '7ABC123' }, otherReadings: true }, new OcrAlphabet(['0O', '8B']));
    expect(f.branches?.[1]).toBe("has(arrayMap(c -> translate(c, 'BO', '80'), candidates), {plateOcr:String})");
  });

  it('keep the plate as read on its own way in for fuzzy and partial plates, the alternatives read whole beside it', () => {
    const partial = filter({ plate: { kind: 'partial', pattern: '*ABC1*' }, otherReadings: true });
    expect(partial.branches).toEqual(['plate_ocr LIKE {like:String}', `arrayExists(c -> c LIKE {like:String}, ${INDEXED_EXPRESSION})`]);
    const fuzzy = filter({ plate: { kind: 'fuzzy', plate: '7ABC123' }, otherReadings: true });
    expect(fuzzy.branches?.slice(0, 2)).toEqual(['startsWith(plate_ocr, {fuzzyPrefix:String})', 'endsWith(plate_ocr, {fuzzySuffix:String})']);
    expect(fuzzy.branches?.[2]).toMatch(/^arrayExists\(c -> length\(c\) BETWEEN/);
  });
});

describe('indexedWhere', () => {
  it('adds the branches as the set of keys they find, each with the whole filter, and leaves a filter without branches as it is', () => {
    const f = filter({ plate: { kind: 'ocr', plate: '7ABC123' }, otherReadings: true });
    const where = indexedWhere('platewatch', f);
    expect(where.slice(0, -1)).toEqual(f.where);
    expect(where.at(-1)).toBe(
      `(plate_ocr, seen_at, read_id) IN (${(f.branches ?? []).map((b) => `SELECT plate_ocr, seen_at, read_id FROM platewatch.detections WHERE ${[...f.where, b].join(' AND ')}`).join(' UNION ALL ')})`,
    );
    const plain = filter({ plate: { kind: 'ocr', plate: '7ABC123' } });
    expect(indexedWhere('platewatch', plain)).toBe(plain.where);
  });
});
