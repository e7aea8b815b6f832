import { describe, expect, it } from 'vitest';
import { hitsSubject, isSubjectToken, parseReadsSubject, readsSubject } from '../../ingest/index.js';

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
});
