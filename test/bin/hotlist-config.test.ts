// The `hotlists` section of the configuration: staleness limit (Watsonville §471.5(f)(4): at most a
// day), Immigration Violator File codes that can be added to but never removed (Gov. Code § 7284.6),
// and bulk layouts validated at start (no name or DOB mapping).
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../../bin/config.js';

function problem(file: unknown, env: Record<string, string> = {}): string {
  try {
    resolveConfig(file, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('hotlists configuration', () => {
  it('defaults to a 24 h staleness limit, the EIV/IV codes and no layouts', () => {
    expect(DEFAULT_CONFIG.hotlists).toEqual({ staleAfterHours: 24, immigrationMessageKeys: ['EIV', 'IV'], layouts: {} });
    expect(resolveConfig({}, {}).hotlists.staleAfterHours).toBe(24);
  });

  it('takes a shorter limit from the file or the environment, and refuses one longer than a day', () => {
    expect(resolveConfig({ hotlists: { staleAfterHours: 12 } }, {}).hotlists.staleAfterHours).toBe(12);
    expect(resolveConfig({}, { PLATEWATCH_HOTLIST_STALE_HOURS: '6' }).hotlists.staleAfterHours).toBe(6);
    expect(problem({ hotlists: { staleAfterHours: 48 } })).toMatch(/staleAfterHours is 48.*§471\.5\(f\)\(4\)/);
    expect(problem({}, { PLATEWATCH_HOTLIST_STALE_HOURS: 'daily' })).toContain('PLATEWATCH_HOTLIST_STALE_HOURS');
  });

  it('adds configured immigration codes to the defaults and never drops the defaults', () => {
    expect(resolveConfig({ hotlists: { immigrationMessageKeys: ['edf'] } }, {}).hotlists.immigrationMessageKeys).toEqual(['EIV', 'IV', 'EDF']);
    expect(resolveConfig({}, { PLATEWATCH_IMMIGRATION_MKE: 'XX' }).hotlists.immigrationMessageKeys).toEqual(['EIV', 'IV', 'XX']);
    expect(problem({ hotlists: { immigrationMessageKeys: 'EIV' } })).toContain('immigrationMessageKeys');
  });

  it('refuses immigration codes in the environment that the file would refuse, naming the variable', () => {
    expect(resolveConfig({}, { PLATEWATCH_IMMIGRATION_MKE: ' edf , XX ' }).hotlists.immigrationMessageKeys).toEqual(['EIV', 'IV', 'EDF', 'XX']);
    // Space-separated codes would become one prefix "EDF XX" that matches no record.
    expect(problem({}, { PLATEWATCH_IMMIGRATION_MKE: 'EDF XX' })).toContain('PLATEWATCH_IMMIGRATION_MKE: "EDF XX"');
    expect(problem({}, { PLATEWATCH_IMMIGRATION_MKE: 'EDF;XX' })).toContain('PLATEWATCH_IMMIGRATION_MKE');
  });

  it('refuses a general list name no list can have, from the file or the environment', () => {
    expect(resolveConfig({}, { PLATEWATCH_GENERAL_LISTS: 'svs, sfr' }).matcher.generalLists).toEqual(['SVS', 'SFR']);
    // Space- or semicolon-separated names would make one list that can never be loaded, and SVS a specific list.
    expect(problem({}, { PLATEWATCH_GENERAL_LISTS: 'SVS SFR SLR' })).toContain('"SVS SFR SLR" is not a list name');
    expect(problem({ matcher: { generalLists: ['SVS;SFR'] } })).toContain('"SVS;SFR" is not a list name');
  });

  it('validates layouts at start: a name or DOB mapping or an unknown key is refused', () => {
    const ok = resolveConfig({ hotlists: { layouts: { ncic: { format: 'delimited', fields: { LIC: 'LIC', LIS: 'LIS' } } } } }, {});
    expect(ok.hotlists.layouts['ncic']).toMatchObject({ format: 'delimited', delimiter: ',', header: true });
    expect(problem({ hotlists: { layouts: { ncic: { format: 'delimited', fields: { LIC: 'LIC', NAM: 'NAM' } } } } })).toMatch(/layouts\.ncic\.fields\.NAM.*personal data/);
    expect(problem({ hotlists: { stale: 1 } })).toContain('unknown key "hotlists.stale"');
  });
});
