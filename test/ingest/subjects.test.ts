import { describe, expect, it } from 'vitest';
import { checkReadsSubject, hitsSubject, isSubjectToken, parseReadsSubject, readsSubject } from '../../ingest/index.js';

describe('subjects', () => {
  it('build and parse reads subjects', () => {
    expect(readsSubject('wpd', 'cam-7')).toBe('alpr.reads.wpd.cam-7');
    expect(parseReadsSubject('alpr.reads.wpd.cam-7')).toEqual({ agency: 'wpd', camera: 'cam-7' });
    expect(parseReadsSubject('alpr.reads.wpd')).toBeNull();
    expect(parseReadsSubject('alpr.hits.wpd.SVS')).toBeNull();
    expect(hitsSubject('wpd', 'BOLO')).toBe('alpr.hits.wpd.BOLO');
  });

  it('accept only tokens that cannot split or wildcard a subject', () => {
    for (const ok of ['wpd', 'cam_7', 'A-1', 'x'.repeat(64)]) expect(isSubjectToken(ok), ok).toBe(true);
    for (const bad of ['', 'a.b', 'a*', '>', 'a b', 'x'.repeat(65), 'é']) expect(isSubjectToken(bad), bad).toBe(false);
  });

  it('say why a subject cannot carry reads: not alpr.reads.<agency>.<camera>, or a token NATS allows and the wire does not', () => {
    expect(checkReadsSubject('alpr.reads.wpd.cam-7')).toEqual({ agency: 'wpd', camera: 'cam-7' });
    expect(checkReadsSubject('alpr.reads.wpd')).toBe('subject "alpr.reads.wpd" is not alpr.reads.<agency>.<camera>');
    expect(checkReadsSubject('alpr.reads.q@a.c1')).toBe('the subject\'s agency token "q@a" must be 1–64 characters of A-Za-z0-9_-');
    expect(checkReadsSubject(`alpr.reads.${'a'.repeat(70)}.c1`)).toMatch(/^the subject's agency token "a{32}…" \(70 characters\) must be 1–64 characters/);
    expect(checkReadsSubject('alpr.reads.wpd.cäm')).toBe('the subject\'s camera token "cäm" must be 1–64 characters of A-Za-z0-9_-');
  });
});
