// Character-level comparison of a read plate with one listed plate or pattern, after the trie has
// narrowed the list to a handful of candidates. Counts OCR substitutions (characters that differ
// only within a confusion class) over the best alignment, and recovers which positions differ.
// Scratch tables are preallocated: comparing allocates nothing; `*Positions` (hits only) do.
import type { OcrAlphabet } from './ocr.js';

/** Returned when no alignment exists. */
export const NO_ALIGNMENT = 0x3fff;

const MAX_READ = 9; // plate length + 1
const MAX_LISTED = 18; // pattern length + 1
const QUESTION = 0x3f;
const STAR = 0x2a;

export class PlateComparison {
  private readonly symbolOf: Uint8Array;
  /** [layer][i][j] for one-edit alignments (layer 0: no edit yet, 1: one edit), or pattern alignments (layer 0). */
  private readonly table = new Int32Array(2 * MAX_READ * MAX_LISTED);

  constructor(alphabet: OcrAlphabet) {
    this.symbolOf = alphabet.symbolOf;
  }

  /** 0 equal, 1 OCR-equivalent, NO_ALIGNMENT otherwise. */
  private cost(a: number, b: number): number {
    if (a === b) return 0;
    const s = this.symbolOf;
    return a < 128 && b < 128 && s[a] === s[b] ? 1 : NO_ALIGNMENT;
  }

  /** Raw differences between equal-length plates; NO_ALIGNMENT if any pair is not OCR-equivalent. */
  substitutions(read: string, listed: Uint8Array, offset: number, length: number): number {
    if (read.length !== length) return NO_ALIGNMENT;
    let subs = 0;
    for (let i = 0; i < length; i++) {
      const c = this.cost(read.charCodeAt(i), listed[offset + i] as number);
      if (c === NO_ALIGNMENT) return NO_ALIGNMENT;
      subs += c;
    }
    return subs;
  }

  /**
   * Fewest OCR substitutions over alignments with exactly one edit (substitution, insertion or
   * deletion of any character), or NO_ALIGNMENT.
   */
  oneEditSubstitutions(read: string, listed: Uint8Array, offset: number, length: number): number {
    const n = read.length;
    const m = length;
    const t = this.table;
    const layer = MAX_READ * MAX_LISTED;
    for (let i = 0; i <= n; i++) {
      for (let j = 0; j <= m; j++) {
        let none = NO_ALIGNMENT;
        let one = NO_ALIGNMENT;
        if (i === 0 && j === 0) none = 0;
        if (i > 0 && j > 0) {
          const c = this.cost(read.charCodeAt(i - 1), listed[offset + j - 1] as number);
          const diag0 = t[(i - 1) * MAX_LISTED + j - 1] as number;
          const diag1 = t[layer + (i - 1) * MAX_LISTED + j - 1] as number;
          if (c !== NO_ALIGNMENT) {
            none = Math.min(none, diag0 + c);
            one = Math.min(one, diag1 + c);
          }
          one = Math.min(one, diag0); // substitution edit
        }
        if (i > 0) one = Math.min(one, t[(i - 1) * MAX_LISTED + j] as number); // read has an extra character
        if (j > 0) one = Math.min(one, t[i * MAX_LISTED + j - 1] as number); // read lacks a character
        t[i * MAX_LISTED + j] = none;
        t[layer + i * MAX_LISTED + j] = one;
      }
    }
    return Math.min(NO_ALIGNMENT, t[layer + n * MAX_LISTED + m] as number);
  }

  /** Fewest OCR substitutions over the alignments of a pattern (`?` one character, `*` any run). */
  patternSubstitutions(read: string, pattern: Uint8Array, offset: number, length: number): number {
    const n = read.length;
    const t = this.table;
    for (let j = 0; j <= length; j++) {
      const p = j > 0 ? (pattern[offset + j - 1] as number) : 0;
      for (let i = 0; i <= n; i++) {
        let best = NO_ALIGNMENT;
        if (j === 0) {
          best = i === 0 ? 0 : NO_ALIGNMENT;
        } else if (p === STAR) {
          best = t[i * MAX_LISTED + j - 1] as number;
          if (i > 0) best = Math.min(best, t[(i - 1) * MAX_LISTED + j] as number);
        } else if (i > 0) {
          const prev = t[(i - 1) * MAX_LISTED + j - 1] as number;
          const c = p === QUESTION ? 0 : this.cost(read.charCodeAt(i - 1), p);
          best = Math.min(NO_ALIGNMENT, prev + c);
        }
        t[i * MAX_LISTED + j] = best;
      }
    }
    return Math.min(NO_ALIGNMENT, t[n * MAX_LISTED + length] as number);
  }

  /** Read positions that differ from an equal-length listed plate. */
  substitutionPositions(read: string, listed: string): number[] {
    const positions: number[] = [];
    for (let i = 0; i < read.length; i++) if (read[i] !== listed[i]) positions.push(i);
    return positions;
  }

  /** Read positions touched by the best one-edit alignment (an insertion marks where the character is missing). */
  oneEditPositions(read: string, listed: string): number[] {
    const codes = toCodes(listed);
    if (this.oneEditSubstitutions(read, codes, 0, codes.length) === NO_ALIGNMENT) return [];
    const t = this.table;
    const layer = MAX_READ * MAX_LISTED;
    const positions = new Set<number>();
    let i = read.length;
    let j = codes.length;
    let inEdit = 1;
    while ((i > 0 || j > 0) && i >= 0 && j >= 0) {
      const here = t[inEdit * layer + i * MAX_LISTED + j] as number;
      const c = i > 0 && j > 0 ? this.cost(read.charCodeAt(i - 1), codes[j - 1] as number) : NO_ALIGNMENT;
      if (c !== NO_ALIGNMENT && t[inEdit * layer + (i - 1) * MAX_LISTED + j - 1] === here - c) {
        if (c === 1) positions.add(i - 1);
        i--;
        j--;
      } else if (inEdit === 1 && i > 0 && j > 0 && t[(i - 1) * MAX_LISTED + j - 1] === here) {
        positions.add(i - 1);
        inEdit = 0;
        i--;
        j--;
      } else if (inEdit === 1 && i > 0 && t[(i - 1) * MAX_LISTED + j] === here) {
        positions.add(i - 1);
        inEdit = 0;
        i--;
      } else {
        positions.add(i);
        inEdit = 0;
        j--;
      }
    }
    return [...positions].sort((a, b) => a - b);
  }

  /** Read positions matched to a pattern character they differ from (OCR substitutions). */
  patternPositions(read: string, pattern: string): number[] {
    const codes = toCodes(pattern);
    if (this.patternSubstitutions(read, codes, 0, codes.length) === NO_ALIGNMENT) return [];
    const t = this.table;
    const positions: number[] = [];
    let i = read.length;
    let j = codes.length;
    while ((i > 0 || j > 0) && i >= 0 && j >= 0) {
      const here = t[i * MAX_LISTED + j] as number;
      const p = codes[j - 1] as number;
      if (p === STAR) {
        if (t[i * MAX_LISTED + j - 1] === here) j--;
        else i--;
      } else {
        const c = p === QUESTION ? 0 : this.cost(read.charCodeAt(i - 1), p);
        if (c === 1) positions.push(i - 1);
        i--;
        j--;
      }
    }
    return positions.reverse();
  }
}

function toCodes(text: string): Uint8Array {
  const codes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}
