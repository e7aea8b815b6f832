// Synthetic US licence plates for the benchmark and the camera simulator. Everything is driven by
// a seeded random source, so a workload can be regenerated exactly from its seed (no Math.random).
import { DEFAULT_OCR_CLASSES } from '../matcher/index.js';

/** A random source returning floats in [0, 1), like Math.random but repeatable. */
export type Random = () => number;

/** mulberry32: tiny, fast and good enough for test data; not for anything secret. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One character of `chars`, uniformly. */
export function pickChar(random: Random, chars: string): string {
  return chars[randomInt(random, chars.length)] as string;
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** One element of `items`, uniformly. */
export function pickOne<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, items.length)] as T;
}

export interface GeneratedPlate {
  /** Normalised plate text, `[A-Z0-9]{2,8}`. */
  plate: string;
  /** Two-letter code of the issuing state. */
  state: string;
}

/**
 * Serial formats: `L` letter, `D` digit, `N` digit 1–9. Standard issues skip I, O and Q, as most
 * states do because they read as 1 and 0; vanity plates may use any character.
 */
export interface PlateFormat {
  format: string;
  /** Share among this state's standard plates; a state's shares sum to 1. */
  share: number;
}

export interface StatePlates {
  state: string;
  /** Registered vehicles in millions, roughly (FHWA Highway Statistics, table MV-1, 2022). */
  vehiclesMillions: number;
  formats: readonly PlateFormat[];
}

const SEVEN_CHAR = [{ format: 'LLLDDDD', share: 1 }] as const;

/** The twelve largest fleets, each with its current standard format(s). */
export const LARGE_STATE_PLATES: readonly StatePlates[] = [
  { state: 'CA', vehiclesMillions: 36.0, formats: [{ format: 'NLLLDDD', share: 1 }] },
  { state: 'TX', vehiclesMillions: 24.0, formats: SEVEN_CHAR },
  {
    state: 'FL',
    vehiclesMillions: 18.5,
    formats: [
      { format: 'LLLLDD', share: 0.6 },
      { format: 'LDDDLL', share: 0.2 },
      { format: 'LLLDDDD', share: 0.2 },
    ],
  },
  { state: 'NY', vehiclesMillions: 11.3, formats: SEVEN_CHAR },
  { state: 'OH', vehiclesMillions: 10.6, formats: SEVEN_CHAR },
  { state: 'PA', vehiclesMillions: 10.3, formats: SEVEN_CHAR },
  { state: 'IL', vehiclesMillions: 10.2, formats: [{ format: 'LLDDDDD', share: 1 }] },
  { state: 'NC', vehiclesMillions: 9.0, formats: SEVEN_CHAR },
  { state: 'GA', vehiclesMillions: 8.6, formats: SEVEN_CHAR },
  {
    state: 'MI',
    vehiclesMillions: 8.4,
    formats: [
      { format: 'LLLDDDD', share: 0.8 },
      { format: 'NLLLDD', share: 0.2 },
    ],
  },
  { state: 'WA', vehiclesMillions: 7.3, formats: SEVEN_CHAR },
  { state: 'AZ', vehiclesMillions: 6.3, formats: SEVEN_CHAR },
];

/** The other states and DC share the rest of the ~283 million vehicles, with generic serials. */
export const OTHER_STATES: readonly string[] = [
  'AL', 'AK', 'AR', 'CO', 'CT', 'DC', 'DE', 'HI', 'IA', 'ID', 'IN', 'KS', 'KY', 'LA', 'MA', 'MD',
  'ME', 'MN', 'MO', 'MS', 'MT', 'ND', 'NE', 'NH', 'NJ', 'NM', 'NV', 'OK', 'OR', 'RI', 'SC', 'SD',
  'TN', 'UT', 'VA', 'VT', 'WI', 'WV', 'WY',
];
export const OTHER_STATES_VEHICLES_MILLIONS = 122.5;
export const OTHER_STATE_FORMATS: readonly PlateFormat[] = [
  { format: 'LLLDDD', share: 0.5 },
  { format: 'LLLDDDD', share: 0.3 },
  { format: 'DDDLLL', share: 0.2 },
];

/** Share of plates that are personalised ("vanity"): 2–7 letters and digits of the owner's choosing. */
export const VANITY_SHARE = 0.01;

const STANDARD_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const ALL_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PLATE_CHARACTERS = DIGITS + ALL_LETTERS;

/** Each state's share of all plates, vanity included; the shares sum to 1. */
export function stateShares(): ReadonlyMap<string, number> {
  const total = LARGE_STATE_PLATES.reduce((sum, s) => sum + s.vehiclesMillions, 0) + OTHER_STATES_VEHICLES_MILLIONS;
  const shares = new Map<string, number>();
  for (const s of LARGE_STATE_PLATES) shares.set(s.state, s.vehiclesMillions / total);
  for (const state of OTHER_STATES) shares.set(state, OTHER_STATES_VEHICLES_MILLIONS / OTHER_STATES.length / total);
  return shares;
}

// Cumulative tables, built once, so drawing a plate is a short scan and no allocation beyond the string.
const STATE_CUMULATIVE: { state: string; upTo: number; formats: readonly PlateFormat[] }[] = (() => {
  const rows: { state: string; upTo: number; formats: readonly PlateFormat[] }[] = [];
  let upTo = 0;
  const shares = stateShares();
  for (const s of LARGE_STATE_PLATES) {
    upTo += shares.get(s.state) as number;
    rows.push({ state: s.state, upTo, formats: s.formats });
  }
  for (const state of OTHER_STATES) {
    upTo += shares.get(state) as number;
    rows.push({ state, upTo, formats: OTHER_STATE_FORMATS });
  }
  return rows;
})();

function pickState(random: Random): { state: string; formats: readonly PlateFormat[] } {
  const r = random();
  for (const row of STATE_CUMULATIVE) if (r < row.upTo) return row;
  return STATE_CUMULATIVE[STATE_CUMULATIVE.length - 1] as (typeof STATE_CUMULATIVE)[number];
}

function pickFormat(random: Random, formats: readonly PlateFormat[]): string {
  let r = random();
  for (const f of formats) {
    if (r < f.share) return f.format;
    r -= f.share;
  }
  return (formats[formats.length - 1] as PlateFormat).format;
}

/** A plate in the given serial format (`L` letter, `D` digit, `N` digit 1–9). */
export function plateInFormat(random: Random, format: string): string {
  let plate = '';
  for (const slot of format) {
    if (slot === 'L') plate += pickChar(random, STANDARD_LETTERS);
    else if (slot === 'N') plate += String(1 + randomInt(random, 9));
    else plate += String(randomInt(random, 10));
  }
  return plate;
}

/** A personalised plate: 2–7 characters, mostly letters, any state. */
export function generateVanityPlate(random: Random): string {
  const length = 2 + randomInt(random, 6);
  let plate = '';
  for (let i = 0; i < length; i++) plate += random() < 0.8 ? pickChar(random, ALL_LETTERS) : String(randomInt(random, 10));
  return plate;
}

/** A plate as it might pass a camera anywhere in the US: state chosen by fleet size, then its format. */
export function generatePlate(random: Random): GeneratedPlate {
  const { state, formats } = pickState(random);
  if (random() < VANITY_SHARE) return { plate: generateVanityPlate(random), state };
  return { plate: plateInFormat(random, pickFormat(random, formats)), state };
}

/**
 * The plate as a reader might misread it: 1 (three times in four) or 2 characters replaced by
 * another member of their OCR confusion class (`8`↔`B`, `0`↔`O`↔`D`↔`Q`, …). Returns the plate
 * unchanged when it has no confusable character.
 */
export function misreadPlate(plate: string, random: Random, ocrClasses: readonly string[] = DEFAULT_OCR_CLASSES): string {
  const confusable: number[] = [];
  for (let i = 0; i < plate.length; i++) if (classOf(plate[i] as string, ocrClasses) !== undefined) confusable.push(i);
  if (confusable.length === 0) return plate;
  const wanted = Math.min(confusable.length, random() < 0.75 ? 1 : 2);
  const chars = plate.split('');
  for (let n = 0; n < wanted; n++) {
    const at = confusable.splice(randomInt(random, confusable.length), 1)[0] as number;
    const cls = classOf(chars[at] as string, ocrClasses) as string;
    const others = cls.replace(chars[at] as string, '');
    chars[at] = others[randomInt(random, others.length)] as string;
  }
  return chars.join('');
}

/**
 * Assumed share of reads with a confusion-class error. Vendors quote plate-level accuracy in the
 * 90–98% range and most errors are within these classes; tune against a real camera's log.
 */
export const DEFAULT_MISREAD_RATE = 0.05;

/** What a camera reports for a plate: usually the plate, now and then a confusion-class misread. */
export function simulateCameraRead(
  plate: string,
  random: Random,
  misreadRate: number = DEFAULT_MISREAD_RATE,
  ocrClasses: readonly string[] = DEFAULT_OCR_CLASSES,
): string {
  return random() < misreadRate ? misreadPlate(plate, random, ocrClasses) : plate;
}

export const ONE_EDIT_KINDS = ['substitution', 'insertion', 'deletion'] as const;
export type OneEditKind = (typeof ONE_EDIT_KINDS)[number];

/**
 * The plate with exactly one edit that OCR equivalence cannot explain: a character replaced by one
 * outside its confusion class, a character inserted, or one deleted. Length stays within 2–8.
 * This is what a fuzzy match is for: a witness who misremembers one character.
 */
export function mutatePlateOneEdit(
  plate: string,
  random: Random,
  ocrClasses: readonly string[] = DEFAULT_OCR_CLASSES,
): { plate: string; edit: OneEditKind } {
  let edit = pickOne(random, ONE_EDIT_KINDS);
  if (edit === 'insertion' && plate.length >= 8) edit = 'substitution';
  if (edit === 'deletion' && plate.length <= 2) edit = 'substitution';
  if (edit === 'insertion') {
    const at = randomInt(random, plate.length + 1);
    return { plate: plate.slice(0, at) + pickChar(random, PLATE_CHARACTERS) + plate.slice(at), edit };
  }
  const at = randomInt(random, plate.length);
  if (edit === 'deletion') return { plate: plate.slice(0, at) + plate.slice(at + 1), edit };
  const original = plate[at] as string;
  const excluded = classOf(original, ocrClasses) ?? original;
  let replacement = original;
  while (excluded.includes(replacement)) replacement = pickChar(random, PLATE_CHARACTERS);
  return { plate: plate.slice(0, at) + replacement + plate.slice(at + 1), edit };
}

function classOf(ch: string, ocrClasses: readonly string[]): string | undefined {
  for (const cls of ocrClasses) if (cls.includes(ch)) return cls;
  return undefined;
}
