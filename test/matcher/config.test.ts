import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FUZZY_MIN_LENGTH,
  DEFAULT_GENERAL_LISTS,
  DEFAULT_MATCHER_CONFIG,
  DEFAULT_OCR_CLASSES,
  DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH,
  DEFAULT_PATTERN_MIN_KNOWN,
  listPolicy,
  resolveMatcherConfig,
  type MatcherConfig,
} from '../../matcher/config.js';
import { MatcherError } from '../../matcher/errors.js';
import type { MatchKind } from '../../matcher/types.js';

/** The error `resolveMatcherConfig` throws for these overrides. */
function configError(overrides: Partial<MatcherConfig>): MatcherError {
  try {
    resolveMatcherConfig(overrides);
  } catch (error) {
    if (error instanceof MatcherError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(overrides)}`);
}

describe('resolveMatcherConfig', () => {
  it('returns the documented defaults when given nothing', () => {
    const config = resolveMatcherConfig();
    expect(config).toEqual(DEFAULT_MATCHER_CONFIG);
    expect(config.ocrClasses).toEqual(['0ODQ', '1IL', '8B', '5S', '2Z', '6G']);
    expect(config.ocrMaxSubstitutionsByLength).toEqual([0, 0, 0, 0, 0, 2, 2, 2, 2]);
    expect(config.fuzzyMinLength).toBe(5);
    expect(config.patternMinKnown).toBe(3);
    expect(config.generalLists).toEqual(['SVS', 'SFR', 'SLR']);
    expect(config.listPolicies).toEqual({});
  });

  it('exports the defaults the config is made of', () => {
    expect(DEFAULT_MATCHER_CONFIG.ocrClasses).toBe(DEFAULT_OCR_CLASSES);
    expect(DEFAULT_MATCHER_CONFIG.ocrMaxSubstitutionsByLength).toBe(DEFAULT_OCR_MAX_SUBSTITUTIONS_BY_LENGTH);
    expect(DEFAULT_MATCHER_CONFIG.fuzzyMinLength).toBe(DEFAULT_FUZZY_MIN_LENGTH);
    expect(DEFAULT_MATCHER_CONFIG.patternMinKnown).toBe(DEFAULT_PATTERN_MIN_KNOWN);
    expect(DEFAULT_MATCHER_CONFIG.generalLists).toBe(DEFAULT_GENERAL_LISTS);
  });

  it('keeps the defaults for options it is not given', () => {
    const config = resolveMatcherConfig({ fuzzyMinLength: 6 });
    expect(config.fuzzyMinLength).toBe(6);
    expect(config.ocrClasses).toEqual(DEFAULT_OCR_CLASSES);
    expect(config.patternMinKnown).toBe(DEFAULT_PATTERN_MIN_KNOWN);
  });

  it('accepts valid overrides of every option', () => {
    const overrides: MatcherConfig = {
      ocrClasses: ['0O', 'UV'],
      ocrMaxSubstitutionsByLength: [0, 0, 0, 1, 1, 1, 2, 3, 8],
      fuzzyMinLength: 2,
      patternMinKnown: 1,
      generalLists: ['BULK'],
      listPolicies: { CASE7: ['exact', 'fuzzy'], SVS: ['exact'] },
      timeZone: 'America/Los_Angeles',
    };
    expect(resolveMatcherConfig(overrides)).toEqual(overrides);
  });

  it.each<[string, Partial<MatcherConfig>]>([
    ['ocrClasses', { ocrClasses: ['0o'] }],
    ['ocrClasses', { ocrClasses: ['O'] }],
    ['ocrClasses', { ocrClasses: ['0O?'] }],
    ['ocrClasses', { ocrClasses: [''] }],
    ['ocrMaxSubstitutionsByLength', { ocrMaxSubstitutionsByLength: [0, 0, 0, 0, 0, 2, 2, 2] }],
    ['ocrMaxSubstitutionsByLength', { ocrMaxSubstitutionsByLength: [0, 0, 0, 0, 0, 2, 2, 2, 2, 2] }],
    ['ocrMaxSubstitutionsByLength', { ocrMaxSubstitutionsByLength: [0, 0, 0, 0, 0, 2, 2, 2, -1] }],
    ['ocrMaxSubstitutionsByLength', { ocrMaxSubstitutionsByLength: [0, 0, 0, 0, 0, 2, 2, 2, 1.5] }],
    ['ocrMaxSubstitutionsByLength', { ocrMaxSubstitutionsByLength: [0, 0, 0, 0, 0, 2, 2, 2, 9] }],
    ['fuzzyMinLength', { fuzzyMinLength: 1 }],
    ['fuzzyMinLength', { fuzzyMinLength: 5.5 }],
    ['fuzzyMinLength', { fuzzyMinLength: Number.NaN }],
    ['patternMinKnown', { patternMinKnown: 0 }],
    ['patternMinKnown', { patternMinKnown: 2.5 }],
    ['listPolicies.CASE7', { listPolicies: { CASE7: ['exact', 'close'] as unknown as MatchKind[] } }],
  ])('refuses an invalid %s with INVALID_CONFIG naming it (%j)', (option, overrides) => {
    const error = configError(overrides);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.name).toBe('MatcherError');
    expect(error.message).toContain(`${option}:`);
  });

  it('names the unknown kind in a list policy', () => {
    expect(configError({ listPolicies: { CASE7: ['exact', 'close'] as unknown as MatchKind[] } }).message).toContain('unknown kind "close"');
  });

  it('refuses a list policy without exact', () => {
    const error = configError({ listPolicies: { BOLO: ['ocr', 'fuzzy'] } });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('listPolicies.BOLO: must include "exact"');
  });

  it('refuses an empty list policy', () => {
    expect(configError({ listPolicies: { BOLO: [] } }).message).toContain('listPolicies.BOLO: must include "exact"');
  });

  it('names both classes when a character is in two classes', () => {
    const error = configError({ ocrClasses: ['0ODQ', '8B', 'BR'] });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('ocrClasses: "B" is in both "8B" and "BR"');
  });

  it('reports every problem at once', () => {
    const error = configError({ fuzzyMinLength: 0, patternMinKnown: 0, listPolicies: { X: ['ocr'] } });
    expect(error.message).toContain('fuzzyMinLength:');
    expect(error.message).toContain('patternMinKnown:');
    expect(error.message).toContain('listPolicies.X:');
  });
});

describe('listPolicy', () => {
  const config = resolveMatcherConfig();

  it('gives the default general lists exact and ocr only', () => {
    for (const list of ['SVS', 'SFR', 'SLR']) expect(listPolicy(config, list)).toEqual(['exact', 'ocr']);
  });

  it('gives any other list exact, ocr, fuzzy and partial', () => {
    expect(listPolicy(config, 'BOLO')).toEqual(['exact', 'ocr', 'fuzzy', 'partial']);
    expect(listPolicy(config, 'CASE-26-0042')).toEqual(['exact', 'ocr', 'fuzzy', 'partial']);
  });

  it('follows a configured set of general lists', () => {
    const custom = resolveMatcherConfig({ generalLists: ['BULK'] });
    expect(listPolicy(custom, 'BULK')).toEqual(['exact', 'ocr']);
    expect(listPolicy(custom, 'SVS')).toEqual(['exact', 'ocr', 'fuzzy', 'partial']);
  });

  it('lets a list policy override the general and the specific default', () => {
    const custom = resolveMatcherConfig({ listPolicies: { SVS: ['exact'], CASE7: ['exact', 'fuzzy'] } });
    expect(listPolicy(custom, 'SVS')).toEqual(['exact']);
    expect(listPolicy(custom, 'CASE7')).toEqual(['exact', 'fuzzy']);
    expect(listPolicy(custom, 'SFR')).toEqual(['exact', 'ocr']);
    expect(listPolicy(custom, 'BOLO')).toEqual(['exact', 'ocr', 'fuzzy', 'partial']);
  });
});

describe('configuration given loosely', () => {
  it('keeps the default for an option given as undefined', () => {
    expect(resolveMatcherConfig({ ocrClasses: undefined, fuzzyMinLength: undefined }).fuzzyMinLength).toBe(5);
  });

  it('upper-cases list names, as entry validation does, so lower-case names still apply', () => {
    const config = resolveMatcherConfig({ generalLists: ['svs'], listPolicies: { bolo: ['exact'] } });
    expect(listPolicy(config, 'SVS')).toEqual(['exact', 'ocr']);
    expect(listPolicy(config, 'BOLO')).toEqual(['exact']);
  });
});
