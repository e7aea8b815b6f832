// Plate and pattern normalisation: upper-case, drop spaces, dashes and dots; plates are [A-Z0-9]{2,8}.
import { MAX_PLATE_LENGTH, MIN_PLATE_LENGTH } from './config.js';
import { quoted } from './reason.js';

export type PlateResult = { ok: true; plate: string } | { ok: false; reason: string };
export type PatternResult = { ok: true; pattern: string; isPattern: boolean } | { ok: false; reason: string };

const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;

function isPlateChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

function isSeparator(code: number): boolean {
  return code === SPACE || code === DASH || code === DOT || (code >= 0xa0 && isUnicodeSeparator(code));
}

/**
 * Spaces and dashes outside ASCII, as text copied from a document or an e-mail carries them: a
 * no-break space (U+00A0), the typographic spaces, an en or em dash, a minus sign. The design says
 * spaces and dashes are dropped; without these "7ABC 123" pasted from a PDF was refused with a
 * reason whose quoted plate showed only a space. Letters and digits that look like plate
 * characters (Cyrillic А, fullwidth Ａ) stay refused: they are not separators.
 */
function isUnicodeSeparator(code: number): boolean {
  return (
    code === 0xa0 || // no-break space
    (code >= 0x2000 && code <= 0x200a) || // en quad … hair space
    code === 0x202f || // narrow no-break space
    code === 0x205f || // medium mathematical space
    code === 0x3000 || // ideographic space
    (code >= 0x2010 && code <= 0x2015) || // hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar
    code === 0x2212 || // minus sign
    code === 0xfe63 || // small hyphen-minus
    code === 0xff0d // fullwidth hyphen-minus
  );
}

/**
 * Why an already-normalised plate is not valid, or null when it is. Allocates nothing for a valid
 * plate, so the pipeline can check every read with it. A reason quotes only the head of a long
 * plate (matcher/reason.ts).
 */
export function plateProblem(plate: string): string | null {
  const n = plate.length;
  if (n < MIN_PLATE_LENGTH) return n === 0 ? 'plate is empty' : `plate ${quoted(plate)} is shorter than ${MIN_PLATE_LENGTH} characters`;
  if (n > MAX_PLATE_LENGTH) return `plate ${quoted(plate)} is longer than ${MAX_PLATE_LENGTH} characters`;
  for (let i = 0; i < n; i++) {
    if (!isPlateChar(plate.charCodeAt(i))) return `plate ${quoted(plate)} has a character outside A-Z0-9 at position ${i}`;
  }
  return null;
}

/**
 * Upper-cases a-z and drops separators; returns the same string when it is already normal. Only
 * ASCII letters are upper-cased: `String#toUpperCase` would turn `ß` into `SS` and `ı` into `I`,
 * making a plate out of characters no plate has.
 */
function stripSeparators(text: string): string {
  let clean = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c) || (c >= 0x61 && c <= 0x7a)) {
      clean = false;
      break;
    }
  }
  if (clean) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c)) continue;
    out += c >= 0x61 && c <= 0x7a ? String.fromCharCode(c - 0x20) : text[i];
  }
  return out;
}

/** Normalises a plate as read or listed; the reason says what is wrong in words an operator can act on. */
export function normalizePlate(text: string): PlateResult {
  const plate = stripSeparators(text.trim());
  const problem = plateProblem(plate);
  return problem === null ? { ok: true, plate } : { ok: false, reason: problem };
}

/**
 * Normalises a hot list plate that may be a partial pattern: `?` is exactly one unknown character,
 * `*` any run (possibly empty). Runs of `*` collapse to one. A pattern must name at least
 * `minKnown` characters and be able to match some plate of 2–8 characters.
 */
export function normalizePattern(text: string, minKnown: number): PatternResult {
  const trimmed = text.trim();
  let pattern = '';
  let known = 0;
  let fixed = 0;
  let stars = 0;
  for (let i = 0; i < trimmed.length; i++) {
    let code = trimmed.charCodeAt(i);
    if (isSeparator(code)) continue;
    if (code >= 0x61 && code <= 0x7a) code -= 0x20;
    const ch = String.fromCharCode(code);
    if (ch === '*') {
      if (pattern.endsWith('*')) continue;
      stars++;
    } else if (ch === '?') {
      fixed++;
    } else if (isPlateChar(code)) {
      known++;
      fixed++;
    } else {
      // The position counts in the text as written, separators included, since that is what is quoted.
      return { ok: false, reason: `plate ${quoted(text)} has a character outside A-Z0-9?* at position ${i + text.length - text.trimStart().length}` };
    }
    pattern += ch;
  }
  if (stars === 0 && known === fixed) {
    const problem = plateProblem(pattern);
    return problem === null ? { ok: true, pattern, isPattern: false } : { ok: false, reason: problem };
  }
  if (known < minKnown) {
    return { ok: false, reason: `pattern ${quoted(text)} names ${known} characters; at least ${minKnown} are needed` };
  }
  if (fixed > MAX_PLATE_LENGTH) {
    return { ok: false, reason: `pattern ${quoted(text)} needs ${fixed} characters; plates have at most ${MAX_PLATE_LENGTH}` };
  }
  if (stars === 0 && fixed < MIN_PLATE_LENGTH) {
    return { ok: false, reason: `pattern ${quoted(text)} is shorter than ${MIN_PLATE_LENGTH} characters` };
  }
  return { ok: true, pattern, isPattern: true };
}
