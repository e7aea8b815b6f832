// Control characters a member typed (a NUL, an escape sequence) reach the §471.9 memorandum only
// as visible escapes, in Markdown and HTML alike: `cat` of the file must not run them (found by QA:
// the reason "stolen\u0000car\u001b[31m follow-up" was written raw). Real searches on a real chDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, memorandumOf, sampleSearches, saveUser, searchDetections, type Storage } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
const from = new Date(Date.now() - 3_600_000);
const to = new Date(Date.now() + 60_000);
const REASON = 'stolen\u0000car\u001b[31m follow-up';
/** Every control character but tab and newline, DEL, C1, and the bidirectional overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  const accessLog = new AccessLog(storage);
  await saveUser(storage, { userId: 'a1', name: 'Ana\u001b]0;pwned\u0007 Analyst', title: 'Crime Analyst', roles: ['analyst'], trainedAt: '2026-01-10', active: true }, 'admin');
  // Accepted: the reason says why. It is the memorandum's job to show it safely.
  await searchDetections({ storage, accessLog }, { user: 'a1', purpose: { reason: REASON }, plate: { kind: 'exact', plate: '7ABC123' }, from: new Date(0), to: new Date() });
  // Refused: its detail quotes the case "number", controls and all, into the refused actions table.
  await expect(searchDetections({ storage, accessLog }, { user: 'a1', purpose: { caseNumber: 'x\u001b[J\u009bm\u202e' }, from: new Date(0), to: new Date() }))
    .rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
});
afterAll(() => temp.cleanup());

describe('control characters in the memorandum', () => {
  it('writes none raw in Markdown or HTML, and shows each as an escape', async () => {
    const sample = await sampleSearches(storage, { from, to });
    expect(sample.reviews.map((r) => r.record.reason)).toEqual([REASON]);
    const m = memorandumOf(sample, { auditor: 'Capt.\u001b[8m P. Standards', date: new Date('2026-11-23T00:00:00Z') });
    for (const text of [m.markdown, m.html]) {
      expect(text).not.toMatch(RAW_CONTROL);
      expect(text).toContain('P. Standards');
      expect(text).toContain('pwned');
    }
    // CommonMark shows "\\x1b" as \x1b; HTML shows it as written.
    expect(m.markdown).toContain('stolen\\\\x00car\\\\x1b\\[31m follow-up');
    expect(m.markdown).toContain('x\\\\x1b\\[J\\\\x9bm\\\\u202e');
    expect(m.html).toContain('stolen\\x00car\\x1b[31m follow-up');
    expect(m.html).toContain('Ana\\x1b]0;pwned\\x07 Analyst');
    expect(m.html).toContain('x\\x1b[J\\x9bm\\u202e');
  });
});
