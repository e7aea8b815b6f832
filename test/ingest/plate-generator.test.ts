import { describe, expect, it } from 'vitest';
import { DEFAULT_OCR_CLASSES, OcrAlphabet, normalizePlate } from '../../matcher/index.js';
import {
  createRandom,
  generatePlate,
  misreadPlate,
  mutatePlateOneEdit,
  simulateCameraRead,
  stateShares,
  VANITY_SHARE,
} from '../../ingest/plate-generator.js';

/** Plain Levenshtein distance, for checking one-edit mutations. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

describe('plate generator', () => {
  it('generates plates that normalizePlate accepts unchanged', () => {
    const random = createRandom(1);
    for (let i = 0; i < 20_000; i++) {
      const { plate, state } = generatePlate(random);
      expect(normalizePlate(plate)).toEqual({ ok: true, plate });
      expect(state).toMatch(/^[A-Z]{2}$/);
    }
  });

  it('repeats the same plates for the same seed and differs for another seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 100 }, () => generatePlate(random));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('spreads plates over states roughly as the fleet sizes weigh them', () => {
    const random = createRandom(7);
    const n = 50_000;
    const counts = new Map<string, number>();
    let vanity = 0;
    for (let i = 0; i < n; i++) {
      const { plate, state } = generatePlate(random);
      counts.set(state, (counts.get(state) ?? 0) + 1);
      if (state === 'CA' && !/^[1-9][A-Z]{3}[0-9]{3}$/.test(plate)) vanity++;
    }
    const shares = stateShares();
    for (const state of ['CA', 'TX', 'FL', 'NY', 'IL']) {
      const expected = shares.get(state) as number;
      expect(Math.abs((counts.get(state) ?? 0) / n - expected)).toBeLessThan(0.01);
    }
    // CA's non-standard plates are its vanity plates: about VANITY_SHARE of CA's.
    const caVanityShare = vanity / (counts.get('CA') as number);
    expect(caVanityShare).toBeGreaterThan(VANITY_SHARE / 3);
    expect(caVanityShare).toBeLessThan(VANITY_SHARE * 3);
  });

  it('gives California its 1ABC234 serials and Illinois its AB12345 serials', () => {
    const random = createRandom(3);
    const byState = new Map<string, string[]>();
    for (let i = 0; i < 5_000; i++) {
      const { plate, state } = generatePlate(random);
      byState.set(state, [...(byState.get(state) ?? []), plate]);
    }
    const standard = (plates: string[] | undefined, pattern: RegExp) => (plates ?? []).filter((p) => pattern.test(p)).length / (plates ?? []).length;
    expect(standard(byState.get('CA'), /^[1-9][A-HJ-NP-Z]{3}[0-9]{3}$/)).toBeGreaterThan(0.95);
    expect(standard(byState.get('IL'), /^[A-HJ-NP-Z]{2}[0-9]{5}$/)).toBeGreaterThan(0.95);
  });

  it('misreads only within OCR confusion classes, one or two characters', () => {
    const random = createRandom(11);
    const alphabet = new OcrAlphabet(DEFAULT_OCR_CLASSES);
    let changed = 0;
    for (let i = 0; i < 2_000; i++) {
      const { plate } = generatePlate(random);
      const misread = misreadPlate(plate, random);
      expect(alphabet.mapPlate(misread)).toBe(alphabet.mapPlate(plate));
      const differing = [...plate].filter((ch, at) => misread[at] !== ch).length;
      expect(differing).toBeLessThanOrEqual(2);
      if (differing > 0) changed++;
    }
    expect(changed).toBeGreaterThan(1_500);
  });

  it('leaves a plate without confusable characters as it is', () => {
    expect(misreadPlate('XYW', createRandom(1))).toBe('XYW');
  });

  it('simulates camera misreads at about the requested rate', () => {
    const random = createRandom(5);
    let misread = 0;
    for (let i = 0; i < 10_000; i++) if (simulateCameraRead('8BC1234', random, 0.1) !== '8BC1234') misread++;
    expect(misread).toBeGreaterThan(800);
    expect(misread).toBeLessThan(1_200);
  });

  it('mutates a plate by one edit that OCR equivalence cannot explain', () => {
    const random = createRandom(9);
    const alphabet = new OcrAlphabet(DEFAULT_OCR_CLASSES);
    const edits = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const { plate } = generatePlate(random);
      const mutated = mutatePlateOneEdit(plate, random);
      edits.add(mutated.edit);
      expect(normalizePlate(mutated.plate)).toEqual({ ok: true, plate: mutated.plate });
      expect(editDistance(alphabet.mapPlate(plate), alphabet.mapPlate(mutated.plate))).toBe(1);
    }
    expect(edits).toEqual(new Set(['substitution', 'insertion', 'deletion']));
  });
});
