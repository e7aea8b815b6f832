// A stated purpose judged against the permitted uses: the finding a sampled inquiry gets, and any
// other access of the period (storage/purpose-review.ts; its reading of the log: audit.test.ts).
import { describe, expect, it } from 'vitest';
import { prohibitedPurposeFindings } from '../../storage/index.js';

describe('prohibitedPurposeFindings', () => {
  it('finds each forbidden use a reason or a case number suggests, for review', () => {
    expect(prohibitedPurposeFindings('', 'ex-girlfriend lives there')).toEqual(['stated purpose suggests personal use (§471.5 Impermissible Uses (c)): review']);
    expect(prohibitedPurposeFindings('', 'who attended the rally')).toEqual(['stated purpose suggests First Amendment activity (§471.5 Impermissible Uses (b)): review']);
    expect(prohibitedPurposeFindings('ICE-2026-1', '')).toEqual(['stated purpose suggests federal immigration enforcement (§471.2, §471.8(c)): review']);
    expect(prohibitedPurposeFindings('', 'assist ICE; my neighbour')).toEqual([
      'stated purpose suggests federal immigration enforcement (§471.2, §471.8(c)): review',
      'stated purpose suggests personal use (§471.5 Impermissible Uses (c)): review',
    ]);
  });

  it('finds nothing in ordinary police work', () => {
    const purposes: Array<[string, string]> = [['WPD-26-0100', ''], ['', 'stolen vehicle recovery, report 26-4411'], ['', 'live hits (dispatch console)'], ['26-7', 'black ice crash, hit and run']];
    for (const [caseNumber, reason] of purposes) {
      expect({ caseNumber, reason, findings: prohibitedPurposeFindings(caseNumber, reason) }).toEqual({ caseNumber, reason, findings: [] });
    }
  });
});
