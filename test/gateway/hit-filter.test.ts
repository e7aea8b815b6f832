import { describe, expect, it } from 'vitest';
import { distanceMeters, matchesFilter, parseHitFilter, type HitFilter } from '../../gateway/index.js';
import { hitMessage } from './harness.js';

function filter(input: unknown, allowed?: string[]): HitFilter {
  const r = parseHitFilter(input, allowed);
  if (!r.ok) throw new Error(r.reason);
  return r.filter;
}

describe('hit filter', () => {
  it('matches everything when empty', () => {
    expect(matchesFilter(hitMessage({ readId: 'r1' }), filter({}))).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r1' }), filter(undefined))).toBe(true);
  });

  it('selects by agency, list (any case) and camera', () => {
    const f = filter({ agencies: ['wpd'], lists: ['bolo'], cameras: ['cam7'] });
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'wpd', list: 'BOLO', camera: 'cam7' }), f)).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'mpd', list: 'BOLO', camera: 'cam7' }), f)).toBe(false);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'wpd', list: 'SVS', camera: 'cam7' }), f)).toBe(false);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'wpd', list: 'BOLO', camera: 'cam1' }), f)).toBe(false);
  });

  it('matches agencies and cameras in any letter case, as searches do (a read keeps the case its camera sent)', () => {
    const f = filter({ agencies: ['SCPD'], cameras: ['gate-b'] });
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'scpd', camera: 'Gate-B' }), f)).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'SCPD', camera: 'GATE-B' }), f)).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'scso', camera: 'Gate-B' }), f)).toBe(false);
    // A session limited to "WPD" may watch "wpd", and sees its reads sent as "Wpd".
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'Wpd' }), filter({ agencies: ['wpd'] }, ['WPD']))).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'Wpd' }), filter({}, ['WPD']))).toBe(true);
  });

  it('selects by area, and a read without a location is outside every area', () => {
    // Watsonville city hall and a point ~1.1 km north of it.
    const f = filter({ area: { lat: 36.9103, lon: -121.7569, radiusMeters: 1000 } });
    expect(matchesFilter(hitMessage({ readId: 'r', lat: 36.9113, lon: -121.7569 }), f)).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', lat: 36.9203, lon: -121.7569 }), f)).toBe(false);
    expect(matchesFilter(hitMessage({ readId: 'r' }), f)).toBe(false);
    expect(distanceMeters(36.9103, -121.7569, 36.9203, -121.7569)).toBeCloseTo(1112, -1);
  });

  it('limits a session to its agencies and refuses a filter naming another', () => {
    const f = filter({}, ['wpd']);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'wpd' }), f)).toBe(true);
    expect(matchesFilter(hitMessage({ readId: 'r', agency: 'mpd' }), f)).toBe(false);
    expect(parseHitFilter({ agencies: ['mpd'] }, ['wpd'])).toEqual({ ok: false, reason: 'not permitted to watch agency "mpd"' });
  });

  it('refuses malformed filters with a reason', () => {
    for (const bad of [[], 'x', { lists: 'SVS' }, { colour: ['red'] }, { area: { lat: 91, lon: 0, radiusMeters: 5 } }, { area: { lat: 1, lon: 1, radiusMeters: -1 } }, { cameras: [''] }]) {
      const r = parseHitFilter(bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
    }
  });
});
