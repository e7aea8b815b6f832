import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcrAlphabet } from '../../matcher/ocr.js';
import { NO_ALIGNMENT, PlateComparison } from '../../matcher/plate-comparison.js';

const alphabet = new OcrAlphabet();
const comparison = new PlateComparison(alphabet);

/** Char codes of `text`, as the index stores a listed plate or pattern. */
function codes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

const substitutions = (read: string, listed: string): number => comparison.substitutions(read, codes(listed), 0, listed.length);
const oneEdit = (read: string, listed: string): number => comparison.oneEditSubstitutions(read, codes(listed), 0, listed.length);
const pattern = (read: string, listed: string): number => comparison.patternSubstitutions(read, codes(listed), 0, listed.length);

describe('substitutions', () => {
  it('counts nothing for equal plates', () => {
    expect(substitutions('7ABC123', '7ABC123')).toBe(0);
  });

  it('counts each OCR-equivalent character that differs', () => {
    expect(substitutions('7A8C123', '7ABC123')).toBe(1);
    expect(substitutions('8O5123', 'B0S123')).toBe(3);
  });

  it('finds no alignment when a character differs outside its class', () => {
    expect(substitutions('7AXC123', '7ABC123')).toBe(NO_ALIGNMENT);
    expect(substitutions('7A8C12X', '7ABC123')).toBe(NO_ALIGNMENT);
  });

  it('finds no alignment for plates of different lengths', () => {
    expect(substitutions('7ABC12', '7ABC123')).toBe(NO_ALIGNMENT);
    expect(substitutions('7ABC1234', '7ABC123')).toBe(NO_ALIGNMENT);
  });

  it('reads the listed plate at its offset and length in a shared buffer', () => {
    const buffer = codes('ZZZZZZZZ7ABC123Z');
    expect(comparison.substitutions('7A8C123', buffer, 8, 7)).toBe(1);
    expect(comparison.substitutions('7A8C123Z', buffer, 8, 7)).toBe(NO_ALIGNMENT);
  });
});

describe('oneEditSubstitutions', () => {
  it('absorbs a substitution of any character', () => {
    expect(oneEdit('7ABX123', '7ABC123')).toBe(0);
  });

  it('absorbs a character the read lacks (an insertion)', () => {
    expect(oneEdit('7AC123', '7ABC123')).toBe(0);
    expect(oneEdit('ABC12', 'ABC123')).toBe(0);
    expect(oneEdit('BC123', 'ABC123')).toBe(0);
  });

  it('absorbs a character the read has extra (a deletion)', () => {
    expect(oneEdit('7ABXC123', '7ABC123')).toBe(0);
    expect(oneEdit('ABC123X', 'ABC123')).toBe(0);
    expect(oneEdit('XABC123', 'ABC123')).toBe(0);
  });

  it('counts OCR substitutions outside the edit', () => {
    expect(oneEdit('8BX123', 'BBC123')).toBe(1);
    expect(oneEdit('8BC12', 'BBC123')).toBe(1);
    expect(oneEdit('8BCX123', 'BBC123')).toBe(1);
    expect(oneEdit('8OX125', 'B0C12S')).toBe(3);
  });

  it('lets the one edit absorb an OCR-equivalent pair', () => {
    expect(oneEdit('A8C123', 'ABC123')).toBe(0);
    expect(oneEdit('A8C1Z3', 'ABC123')).toBe(1);
  });

  it('finds no alignment two edits away', () => {
    expect(oneEdit('AXY123', 'ABC123')).toBe(NO_ALIGNMENT);
    expect(oneEdit('ABC1', 'ABC123')).toBe(NO_ALIGNMENT);
    expect(oneEdit('ABC123XY', 'ABC123')).toBe(NO_ALIGNMENT);
    expect(oneEdit('XBC12', 'ABC123')).toBe(NO_ALIGNMENT);
    expect(oneEdit('BAC124', 'ABC123')).toBe(NO_ALIGNMENT);
  });

  it('finds no alignment when a second difference is outside its class', () => {
    expect(oneEdit('AXC12Y', 'ABC123')).toBe(NO_ALIGNMENT);
  });

  it('reads the listed plate at its offset and length in a shared buffer', () => {
    const buffer = codes('YYYYYYYYABC123YY');
    expect(comparison.oneEditSubstitutions('ABC12', buffer, 8, 6)).toBe(0);
    expect(comparison.oneEditSubstitutions('ABC123YY', buffer, 8, 6)).toBe(NO_ALIGNMENT);
  });

  it('gives the same answer whatever was compared before', () => {
    const first = oneEdit('8BX123', 'BBC123');
    pattern('ABCDEFGH', '*A*B*C*D*E*F*G*H*');
    oneEdit('XYZXYZXY', 'ABCDEFGH');
    expect(oneEdit('8BX123', 'BBC123')).toBe(first);
  });
});

describe('patternSubstitutions', () => {
  it('matches ? to exactly one character of any class', () => {
    expect(pattern('ABC1X3', 'ABC1?3')).toBe(0);
    expect(pattern('ABC13', 'ABC1?3')).toBe(NO_ALIGNMENT);
    expect(pattern('ABC1XY3', 'ABC1?3')).toBe(NO_ALIGNMENT);
  });

  it('matches * at the start to any leading run', () => {
    expect(pattern('ABC123', '*123')).toBe(0);
    expect(pattern('X123', '*123')).toBe(0);
  });

  it('matches * in the middle to any run', () => {
    expect(pattern('ABXYZ23', 'AB*23')).toBe(0);
    expect(pattern('ABX23', 'AB*23')).toBe(0);
  });

  it('matches * at the end to any trailing run', () => {
    expect(pattern('ABC12345', 'ABC*')).toBe(0);
    expect(pattern('ABC1', 'ABC*')).toBe(0);
  });

  it('matches * to an empty run', () => {
    expect(pattern('123', '*123')).toBe(0);
    expect(pattern('AB23', 'AB*23')).toBe(0);
    expect(pattern('ABC', 'ABC*')).toBe(0);
    expect(pattern('ABC', '*ABC*')).toBe(0);
  });

  it('finds no alignment when the literals are not there in order', () => {
    expect(pattern('AXC123', 'ABC*')).toBe(NO_ALIGNMENT);
    expect(pattern('XYZ321', '*123')).toBe(NO_ALIGNMENT);
    expect(pattern('AB', 'AB*23')).toBe(NO_ALIGNMENT);
  });

  it('counts OCR substitutions at literals', () => {
    expect(pattern('A8C123', 'ABC*')).toBe(1);
    expect(pattern('A8C1Z', 'ABC*2')).toBe(2);
    expect(pattern('X0S', '*OS')).toBe(1);
  });

  it('counts nothing at ? or inside * runs', () => {
    expect(pattern('A8C12Z', '*C12?')).toBe(0);
    expect(pattern('8B0O5S', '8*S')).toBe(0);
  });

  it('takes the alignment with the fewest OCR substitutions', () => {
    expect(pattern('8B', '*B*')).toBe(0);
    expect(pattern('B8B', 'B*')).toBe(0);
  });

  it('reads the pattern at its offset and length in a shared buffer', () => {
    const buffer = codes('ZZZZZZZZZZZZZZZZZZAB*23ZZ');
    expect(comparison.patternSubstitutions('A8X23', buffer, 18, 5)).toBe(1);
  });
});

describe('positions a dispatcher sees highlighted', () => {
  it('substitutionPositions marks each read character that differs', () => {
    expect(comparison.substitutionPositions('A8C12Z', 'ABC123')).toEqual([1, 5]);
    expect(comparison.substitutionPositions('ABC123', 'ABC123')).toEqual([]);
  });

  it('oneEditPositions marks a substituted character', () => {
    expect(comparison.oneEditPositions('ABX123', 'ABC123')).toEqual([2]);
  });

  it('oneEditPositions marks an extra character in the read', () => {
    expect(comparison.oneEditPositions('ABCX123', 'ABC123')).toEqual([3]);
    expect(comparison.oneEditPositions('XABC123', 'ABC123')).toEqual([0]);
  });

  it('oneEditPositions marks where a missing character goes', () => {
    expect(comparison.oneEditPositions('AC123', 'ABC123')).toEqual([1]);
    expect(comparison.oneEditPositions('ABC12', 'ABC123')).toEqual([5]);
    expect(comparison.oneEditPositions('BC123', 'ABC123')).toEqual([0]);
  });

  it('oneEditPositions also marks OCR substitutions outside the edit', () => {
    expect(comparison.oneEditPositions('8BX123', 'BBC123')).toEqual([0, 2]);
    expect(comparison.oneEditPositions('8BC12', 'BBC123')).toEqual([0, 5]);
  });

  it('oneEditPositions marks an OCR pair the edit absorbed', () => {
    expect(comparison.oneEditPositions('A8C123', 'ABC123')).toEqual([1]);
  });

  it('patternPositions marks OCR substitutions at literals only', () => {
    expect(comparison.patternPositions('A8C12Z', 'ABC*2?')).toEqual([1]);
    expect(comparison.patternPositions('A8C1Z', 'ABC*2')).toEqual([1, 4]);
  });

  it('patternPositions marks nothing under ? or *', () => {
    expect(comparison.patternPositions('AXC123', 'A?C*')).toEqual([]);
    expect(comparison.patternPositions('8B0O5S', '8*S')).toEqual([]);
  });
});

/**
 * Brute force: every single raw edit of the read (substitute or insert a character of the listed
 * plate, or delete one), then raw differences to the listed plate when OCR-equivalent; the minimum.
 */
function bruteOneEdit(read: string, listed: string): number {
  const edited = new Set<string>();
  for (let i = 0; i <= read.length; i++) {
    if (i < read.length) edited.add(read.slice(0, i) + read.slice(i + 1));
    for (const ch of listed) {
      edited.add(read.slice(0, i) + ch + read.slice(i));
      if (i < read.length) edited.add(read.slice(0, i) + ch + read.slice(i + 1));
    }
  }
  let best = NO_ALIGNMENT;
  for (const plate of edited) {
    if (plate.length !== listed.length) continue;
    let diffs = 0;
    for (let i = 0; i < plate.length && diffs < NO_ALIGNMENT; i++) {
      if (plate[i] === listed[i]) continue;
      diffs = alphabet.areEquivalent(plate.charCodeAt(i), listed.charCodeAt(i)) ? diffs + 1 : NO_ALIGNMENT;
    }
    best = Math.min(best, diffs);
  }
  return best;
}

// Few characters, most of them in OCR classes, so near misses and equivalent pairs abound.
const CHARS = ['A', 'X', '0', 'O', 'D', '8', 'B', '1', 'I', '5', 'S'];
const plateArb = (min: number, max: number) => fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
const editArb = fc.record({ kind: fc.constantFrom('sub', 'ins', 'del'), at: fc.nat(), ch: fc.constantFrom(...CHARS) });

/** The listed plate with up to three random raw edits, kept to 1–8 characters. */
function applyEdits(listed: string, edits: readonly { kind: string; at: number; ch: string }[]): string {
  let read = listed;
  for (const { kind, at, ch } of edits) {
    if (kind === 'ins' && read.length < 8) {
      const i = at % (read.length + 1);
      read = read.slice(0, i) + ch + read.slice(i);
    } else if (kind === 'del' && read.length > 1) {
      const i = at % read.length;
      read = read.slice(0, i) + read.slice(i + 1);
    } else {
      const i = at % read.length;
      read = read.slice(0, i) + ch + read.slice(i + 1);
    }
  }
  return read;
}

describe('oneEditSubstitutions against a brute force', () => {
  it('agrees on reads a few edits from the listed plate', () => {
    fc.assert(
      fc.property(plateArb(2, 8), fc.array(editArb, { maxLength: 3 }), (listed, edits) => {
        const read = applyEdits(listed, edits);
        expect(oneEdit(read, listed)).toBe(bruteOneEdit(read, listed));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on unrelated plates', () => {
    fc.assert(
      fc.property(plateArb(1, 8), plateArb(2, 8), (read, listed) => {
        expect(oneEdit(read, listed)).toBe(bruteOneEdit(read, listed));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('oneEditPositions on one-edit hits', () => {
  it('marks at least one position and at most the edit plus each OCR substitution, all within the read', () => {
    fc.assert(
      fc.property(plateArb(2, 8), fc.array(editArb, { minLength: 1, maxLength: 2 }), (listed, edits) => {
        const read = applyEdits(listed, edits);
        const subs = oneEdit(read, listed);
        fc.pre(subs !== NO_ALIGNMENT && read !== listed);
        const positions = comparison.oneEditPositions(read, listed);
        // An insertion point may fall on an OCR-substituted character, so the two can share a position.
        expect(positions.length).toBeGreaterThanOrEqual(Math.max(1, subs));
        expect(positions.length).toBeLessThanOrEqual(subs + 1);
        expect(positions).toEqual([...new Set(positions)].sort((a, b) => a - b));
        for (const p of positions) expect(p >= 0 && p <= read.length).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

/** Brute force over every way to split the read among the pattern's `*` runs. */
function brutePattern(read: string, pat: string): number {
  if (pat === '') return read === '' ? 0 : NO_ALIGNMENT;
  const [p, rest] = [pat[0] as string, pat.slice(1)];
  if (p === '*') {
    let best = NO_ALIGNMENT;
    for (let k = 0; k <= read.length; k++) best = Math.min(best, brutePattern(read.slice(k), rest));
    return best;
  }
  if (read === '') return NO_ALIGNMENT;
  const r = read[0] as string;
  const here = p === '?' || p === r ? 0 : alphabet.areEquivalent(r.charCodeAt(0), p.charCodeAt(0)) ? 1 : NO_ALIGNMENT;
  return here === NO_ALIGNMENT ? NO_ALIGNMENT : Math.min(NO_ALIGNMENT, here + brutePattern(read.slice(1), rest));
}

describe('patternSubstitutions against a brute force', () => {
  const patternArb = fc
    .array(fc.constantFrom(...CHARS, '?', '*', '*'), { minLength: 1, maxLength: 10 })
    .map((cs) => cs.join('').replace(/\*+/g, '*'));

  it('agrees on random reads and patterns', () => {
    fc.assert(
      fc.property(plateArb(1, 8), patternArb, (read, pat) => {
        expect(pattern(read, pat)).toBe(brutePattern(read, pat));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on reads made from the pattern', () => {
    fc.assert(
      fc.property(plateArb(2, 8), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), fc.array(editArb, { maxLength: 2 }), (plate, holes, edits) => {
        // Punch ? and * holes into a plate, then read a slightly edited plate against it.
        let pat = plate;
        for (const h of holes.slice(0, 2)) {
          const i = h % pat.length;
          pat = pat.slice(0, i) + (h % 2 === 0 ? '?' : '*') + pat.slice(i + 1);
        }
        pat = pat.replace(/\*+/g, '*');
        const read = applyEdits(plate, edits);
        expect(pattern(read, pat)).toBe(brutePattern(read, pat));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('oneEditPositions off a one-edit hit', () => {
  it('returns no positions for pairs that are not within one edit, instead of looping', () => {
    for (const [read, listed] of [['ABCDEF', 'ABXYEF'], ['ABC', 'XYZ12'], ['ABCDEFGH', 'AB']] as const) {
      expect(oneEdit(read, listed)).toBe(NO_ALIGNMENT);
      expect(comparison.oneEditPositions(read, listed)).toEqual([]);
    }
    expect(comparison.patternPositions('ABC', 'X*')).toEqual([]);
  });
});
