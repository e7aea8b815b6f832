// OCR confusion classes: characters a plate reader mistakes for each other map to one symbol.
// Two plates are OCR-equivalent when their symbol strings are equal (DESIGN.md, matching model).
import { DEFAULT_OCR_CLASSES } from './config.js';

const PLATE_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class OcrAlphabet {
  /** Char code (< 128) → symbol 1..size; 0 for anything that is not a plate or wildcard character. */
  readonly symbolOf: Uint8Array;
  /** Number of plate symbols: 36 less the characters folded into classes. */
  readonly size: number;
  /** Symbol of `?` (exactly one unknown character) in patterns. */
  readonly anyOne: number;
  /** Symbol of `*` (any run, possibly empty) in patterns. */
  readonly anyRun: number;
  /** Symbol → the character that stands for its class (the first of the class). */
  private readonly representative: string[];

  constructor(classes: readonly string[] = DEFAULT_OCR_CLASSES) {
    this.symbolOf = new Uint8Array(128);
    this.representative = [''];
    for (const cls of classes) {
      const symbol = this.representative.length;
      this.representative.push(cls[0] as string);
      for (const ch of cls) this.symbolOf[ch.charCodeAt(0)] = symbol;
    }
    for (const ch of PLATE_CHARS) {
      const code = ch.charCodeAt(0);
      if (this.symbolOf[code] === 0) {
        this.symbolOf[code] = this.representative.length;
        this.representative.push(ch);
      }
    }
    this.size = this.representative.length - 1;
    this.anyOne = this.size + 1;
    this.anyRun = this.size + 2;
    this.symbolOf['?'.charCodeAt(0)] = this.anyOne;
    this.symbolOf['*'.charCodeAt(0)] = this.anyRun;
    this.representative.push('?', '*');
  }

  /** The plate with every character replaced by its class representative (`B8O0` → `8800`). */
  mapPlate(plate: string): string {
    let out = '';
    for (let i = 0; i < plate.length; i++) {
      const code = plate.charCodeAt(i);
      out += this.representative[code < 128 ? (this.symbolOf[code] as number) : 0] ?? '';
    }
    return out;
  }

  /** True when two character codes fall in the same class (or are equal). */
  areEquivalent(a: number, b: number): boolean {
    return a === b || (a < 128 && b < 128 && this.symbolOf[a] === this.symbolOf[b] && this.symbolOf[a] !== 0);
  }
}
