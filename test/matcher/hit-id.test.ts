import { describe, expect, it } from 'vitest';
import { hitId, Matcher, resolveMatcherConfig } from '../../matcher/index.js';
import { entry } from './matcher-cases.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('hitId', () => {
  it('gives the hits on one plate listed for two states two ids, so neither is dropped as a duplicate', () => {
    // A list may hold one plate for two states; the CA read hits both entries, and the CA one is the hit that matters.
    const matcher = new Matcher(resolveMatcherConfig());
    matcher.loadList('SVS', [entry('7ABC123', 'SVS', { state: 'TX' }), entry('7ABC123', 'SVS', { state: 'CA' })]);
    const hits = matcher.matchRead({ id: 'r-1', plate: '7ABC123', state: 'CA' }, NOW);
    expect(hits.map((h) => h.state).sort()).toEqual(['CA', 'TX']);
    expect(new Set(hits.map((h) => hitId('r-1', h.list, h.entry, h))).size).toBe(2);
  });

  it('gives one plate listed under two cases two ids', () => {
    expect(hitId('r-1', 'BOLO', '6TRJ244', { caseNumber: '26-0001' })).not.toBe(hitId('r-1', 'BOLO', '6TRJ244', { caseNumber: '26-0002' }));
  });

  it('keeps the same id for the same read and entry', () => {
    const identity = { state: 'CA', caseNumber: 'V260114382' };
    expect(hitId('r-1', 'SVS', '7ABC123', identity)).toBe(hitId('r-1', 'SVS', '7ABC123', { ...identity }));
    expect(hitId('r-1', 'SVS', '7ABC123', identity)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the ids it always gave entries without a state or case number', () => {
    expect(hitId('r-1', 'SVS', '7ABC123', {})).toBe(hitId('r-1', 'SVS', '7ABC123'));
    expect(hitId('r-1', 'SVS', '7ABC123', { state: '', caseNumber: '' })).toBe(hitId('r-1', 'SVS', '7ABC123'));
  });

  it('cannot be fooled by a state running into the case number', () => {
    expect(hitId('r-1', 'SVS', '7ABC123', { state: 'CA', caseNumber: '1' })).not.toBe(hitId('r-1', 'SVS', '7ABC123', { state: 'CA1' }));
  });
});
