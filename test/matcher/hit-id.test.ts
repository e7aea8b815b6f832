import { describe, expect, it } from 'vitest';
import { hitId, Matcher, resolveMatcherConfig } from '../../matcher/index.js';
import { entry } from './matcher-cases.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const R1 = { id: 'r-1', agency: 'wpd', camera: 'main-st', ts: NOW };

describe('hitId', () => {
  it('gives the hits on one plate listed for two states two ids, so neither is dropped as a duplicate', () => {
    // A list may hold one plate for two states; the CA read hits both entries, and the CA one is the hit that matters.
    const matcher = new Matcher(resolveMatcherConfig());
    matcher.loadList('SVS', [entry('7ABC123', 'SVS', { state: 'TX' }), entry('7ABC123', 'SVS', { state: 'CA' })]);
    const hits = matcher.matchRead({ id: 'r-1', plate: '7ABC123', state: 'CA' }, NOW);
    expect(hits.map((h) => h.state).sort()).toEqual(['CA', 'TX']);
    expect(new Set(hits.map((h) => hitId(R1, h.list, h.entry, h))).size).toBe(2);
  });

  it('gives one plate listed under two cases two ids', () => {
    expect(hitId(R1, 'BOLO', '6TRJ244', { caseNumber: '26-0001' })).not.toBe(hitId(R1, 'BOLO', '6TRJ244', { caseNumber: '26-0002' }));
  });

  it('keeps the same id for the same read and entry', () => {
    const identity = { state: 'CA', caseNumber: 'V260114382' };
    expect(hitId(R1, 'SVS', '7ABC123', identity)).toBe(hitId(R1, 'SVS', '7ABC123', { ...identity }));
    expect(hitId(R1, 'SVS', '7ABC123', identity)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the ids it always gave entries without a state or case number', () => {
    expect(hitId(R1, 'SVS', '7ABC123', {})).toBe(hitId(R1, 'SVS', '7ABC123'));
    expect(hitId(R1, 'SVS', '7ABC123', { state: '', caseNumber: '' })).toBe(hitId(R1, 'SVS', '7ABC123'));
  });

  it('tells apart reads that share an id: other cameras or agencies, or one camera\'s counter reused at another time', () => {
    const id = hitId(R1, 'SVS', '7ABC123');
    expect(hitId({ ...R1, camera: 'elm-ave' }, 'SVS', '7ABC123')).not.toBe(id);
    expect(hitId({ ...R1, agency: 'spd' }, 'SVS', '7ABC123')).not.toBe(id);
    expect(hitId({ ...R1, ts: NOW + 86_400_000 }, 'SVS', '7ABC123')).not.toBe(id);
    // A redelivered read is the same read: the same hit.
    expect(hitId({ ...R1 }, 'SVS', '7ABC123')).toBe(id);
    // Field boundaries: agency "wpd" + camera "main-st" is not agency "wpdmain" + camera "-st".
    expect(hitId({ ...R1, agency: 'wpdmain', camera: '-st' }, 'SVS', '7ABC123')).not.toBe(hitId({ ...R1, agency: 'wpd', camera: 'main-st' }, 'SVS', '7ABC123'));
  });

  it('cannot be fooled by a state running into the case number', () => {
    expect(hitId(R1, 'SVS', '7ABC123', { state: 'CA', caseNumber: '1' })).not.toBe(hitId(R1, 'SVS', '7ABC123', { state: 'CA1' }));
  });
});
