// Matcher configuration: one typed object with documented defaults, validated once.
import { MATCH_KINDS, type MatchKind } from './types.js';
import { MatcherError } from './errors.js';
import { canonicalTimeZone, DEFAULT_TIME_ZONE } from './department-day.js';

/** Plates are 2–8 characters of `[A-Z0-9]` after normalisation (DESIGN.md, matching model). */
export const MIN_PLATE_LENGTH = 2;
export const MAX_PLATE_LENGTH = 8;

/** OCR confusion classes; the first character of each class is its representative. */
export const DEFAULT_OCR_CLASSES: readonly string[] = ['0ODQ', '1IL', '8B', '5S', '2Z', '6G'];

/**
 * Most characters that may differ within an OCR class, by plate length (index = length).
 * Short plates get none: on a 3-character plate one substitution already changes a third of it.
 */
export const DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH: readonly number[] = [0, 0, 0, 0, 0, 2, 2, 2, 2];

/** Fuzzy (one edit) matching needs at least this many characters on both sides. */
export const DEFAULT_FUZZY_MIN_LENGTH = 5;

/** A partial pattern must name at least this many characters, or it would flag a large share of traffic. */
export const DEFAULT_PATTERN_MIN_KNOWN = 3;

/**
 * Bulk general lists: hundreds of thousands to millions of entries. Fuzzy matching against them
 * would flag about half of all traffic (DESIGN.md), so they match exact + OCR-equivalent only.
 */
export const DEFAULT_GENERAL_LISTS: readonly string[] = ['SVS', 'SFR', 'SLR'];
export const GENERAL_LIST_KINDS: readonly MatchKind[] = ['exact', 'ocr'];
export const SPECIFIC_LIST_KINDS: readonly MatchKind[] = ['exact', 'ocr', 'fuzzy', 'partial'];

export interface MatcherConfig {
  /** @default DEFAULT_OCR_CLASSES */
  ocrClasses: readonly string[];
  /** @default DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH (9 numbers, index = plate length 0..8) */
  ocrMaxSubstitutionsByLength: readonly number[];
  /** @default DEFAULT_FUZZY_MIN_LENGTH */
  fuzzyMinLength: number;
  /** @default DEFAULT_PATTERN_MIN_KNOWN */
  patternMinKnown: number;
  /** Lists matched exact + ocr only unless `listPolicies` says otherwise. @default DEFAULT_GENERAL_LISTS */
  generalLists: readonly string[];
  /** Match kinds per list name, overriding the general/specific default. Must include `exact`. @default {} */
  listPolicies: Readonly<Record<string, readonly MatchKind[]>>;
  /**
   * The department's IANA time zone: an entry's expiry given as a date alone is the start of that
   * day there. Set from the top-level `timeZone` (bin/config.ts), not the matcher section.
   * @default DEFAULT_TIME_ZONE (the process's own zone)
   */
  timeZone?: string;
}

export const DEFAULT_MATCHER_CONFIG: MatcherConfig = {
  ocrClasses: DEFAULT_OCR_CLASSES,
  ocrMaxSubstitutionsByLength: DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH,
  fuzzyMinLength: DEFAULT_FUZZY_MIN_LENGTH,
  patternMinKnown: DEFAULT_PATTERN_MIN_KNOWN,
  generalLists: DEFAULT_GENERAL_LISTS,
  listPolicies: {},
  timeZone: DEFAULT_TIME_ZONE,
};

/** Merges overrides onto the defaults and validates the result; throws `MatcherError` INVALID_CONFIG. */
export function resolveMatcherConfig(overrides: Partial<MatcherConfig> = {}): MatcherConfig {
  const { config, problems } = checkMatcherConfig(overrides);
  if (problems.length > 0) {
    throw new MatcherError('INVALID_CONFIG', `invalid matcher configuration:\n  ${problems.map((p) => `${p.name}: ${p.text}`).join('\n  ')}`);
  }
  return config;
}

/** One thing wrong with a matcher option, kept apart from its name so a caller can name it as it was given. */
export interface MatcherConfigProblem {
  key: keyof MatcherConfig;
  /** `key`, or the part of it at fault (`listPolicies.SVS`). */
  name: string;
  text: string;
}

/** resolveMatcherConfig without the throw: the merged configuration and every problem with it. */
export function checkMatcherConfig(overrides: Partial<MatcherConfig> = {}): { config: MatcherConfig; problems: MatcherConfigProblem[] } {
  // An option given as undefined means "not given": it keeps its default.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<MatcherConfig>;
  const merged: MatcherConfig = { ...DEFAULT_MATCHER_CONFIG, ...given };
  // Entry list names are upper-cased at validation, so names in the configuration are too.
  const config: MatcherConfig = {
    ...merged,
    generalLists: merged.generalLists.map((list) => list.toUpperCase()),
    listPolicies: Object.fromEntries(Object.entries(merged.listPolicies).map(([list, kinds]) => [list.toUpperCase(), kinds])),
  };
  const problems: MatcherConfigProblem[] = [];
  const problem = (key: keyof MatcherConfig, text: string, name: string = key): void => void problems.push({ key, name, text });

  const seen = new Map<string, string>();
  for (const cls of config.ocrClasses) {
    if (!/^[A-Z0-9]{2,}$/.test(cls)) problem('ocrClasses', `"${cls}" must be two or more characters of A-Z0-9`);
    for (const ch of cls) {
      const other = seen.get(ch);
      if (other !== undefined) problem('ocrClasses', `"${ch}" is in both "${other}" and "${cls}"`);
      seen.set(ch, cls);
    }
  }
  const caps = config.ocrMaxSubstitutionsByLength;
  if (caps.length !== MAX_PLATE_LENGTH + 1 || caps.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_PLATE_LENGTH)) {
    problem('ocrMaxSubstitutionsByLength', `needs ${MAX_PLATE_LENGTH + 1} integers 0–${MAX_PLATE_LENGTH} (index = plate length)`);
  }
  if (!Number.isInteger(config.fuzzyMinLength) || config.fuzzyMinLength < MIN_PLATE_LENGTH) {
    problem('fuzzyMinLength', `must be an integer ≥ ${MIN_PLATE_LENGTH}`);
  }
  if (!Number.isInteger(config.patternMinKnown) || config.patternMinKnown < 1) {
    problem('patternMinKnown', 'must be an integer ≥ 1');
  }
  for (const [list, kinds] of Object.entries(config.listPolicies)) {
    for (const kind of kinds) {
      if (!(MATCH_KINDS as readonly string[]).includes(kind)) problem('listPolicies', `unknown kind "${kind}"`, `listPolicies.${list}`);
    }
    if (!kinds.includes('exact')) problem('listPolicies', 'must include "exact"', `listPolicies.${list}`);
  }
  if (config.timeZone !== undefined) {
    const zone = canonicalTimeZone(config.timeZone);
    if (zone === null) problem('timeZone', `"${config.timeZone}" is not an IANA time zone`);
    else config.timeZone = zone;
  }
  return { config, problems };
}

/** The match kinds a list allows under this configuration. */
export function listPolicy(config: MatcherConfig, list: string): readonly MatchKind[] {
  return config.listPolicies[list] ?? (config.generalLists.includes(list) ? GENERAL_LIST_KINDS : SPECIFIC_LIST_KINDS);
}
