// The transparency report counts search inquiries as the §471.9 audit does (a paged search once,
// found by QA: every "older results" page was published as a search), gives refusals for a
// prohibited purpose a row of their own, and reads plainly. Real searches on a real chDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, decideRelease, DEFAULT_RELEASE_POLICY, DetectionWriter, recordReleaseRequest, renderTransparencyHtml, renderTransparencyMarkdown,
  sampleSearches, saveUser, searchDetections, transparencyReport, type Storage,
} from '../../storage/index.js';
import { detection, openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
const DAY = Date.UTC(2026, 10, 20);
const from = new Date(Date.now() - 3_600_000);
const to = new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  for (const [userId, role] of [['cust1', 'custodian'], ['chief1', 'chief'], ['ana1', 'analyst']] as const) {
    await saveUser(storage, { userId, name: userId, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'admin');
  }
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([1, 2, 3].map((i) => detection({ readId: `p-${i}`, plate: '7PAGE01', seenAt: DAY + i * 1000 })))).durable;
  await writer.close();
  const ctx = { storage, accessLog };
  const range = { from: new Date(DAY), to: new Date(DAY + 86_400_000) };
  // One inquiry of three pages: the analyst clicked "Older results" twice.
  const walk = { user: 'ana1', purpose: { caseNumber: 'WPD-26-7' }, plate: { kind: 'exact' as const, plate: '7PAGE01' }, limit: 1, ...range };
  const first = await searchDetections(ctx, walk);
  const second = await searchDetections(ctx, { ...walk, before: first.nextCursor });
  await searchDetections(ctx, { ...walk, before: second.nextCursor });
  await searchDetections(ctx, { user: 'ana1', purpose: { reason: 'stolen vehicle follow-up' }, ...range });
  const refused = (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code });
  await refused(searchDetections(ctx, { user: 'ana1', purpose: {}, ...range }), 'PURPOSE_REQUIRED');
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { reason: 'ICE detainer' }, ...range }), 'PROHIBITED_PURPOSE');
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { reason: 'personal' }, ...range }), 'PROHIBITED_PURPOSE');
  await refused(searchDetections(ctx, { user: 'nobody', purpose: { caseNumber: 'WPD-26-8' }, ...range }), 'USER_NOT_AUTHORISED');
  const releases = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY };
  const request = await recordReleaseRequest(releases, 'cust1', {
    agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. Lopez', purpose: 'robbery case 26-9',
    criteria: { kind: 'plate', plate: { kind: 'exact', plate: '7PAGE01' }, from: range.from.toISOString(), to: range.to.toISOString() },
  });
  await decideRelease(releases, 'chief1', request.requestId, 'refuse', 'not enough shown');
});
afterAll(() => temp.cleanup());

describe('transparency report searches', () => {
  it('counts a paged search once, as the audit memorandum counts inquiries', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: [] }, 'chief1', { from, to });
    const audit = await sampleSearches(storage, { from, to });
    expect(r.searches).toMatchObject({ withCaseNumber: 1, reasonOnly: 1, laterPages: 2 });
    expect(r.searches.withCaseNumber + r.searches.reasonOnly).toBe(audit.population);
    expect(r.searches.laterPages).toBe(audit.pagesAfterFirst);
    expect(renderTransparencyMarkdown(r)).toContain('| Later pages of those searches (not counted as searches) | 2 |');
  });

  it('counts refusals for a prohibited purpose on a row of their own', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: [] }, 'chief1', { from, to });
    expect(r.searches).toMatchObject({ refused: 4, refusedNoPurpose: 1, refusedProhibitedPurpose: 2, refusedUser: 1, refusedOther: 0 });
    const md = renderTransparencyMarkdown(r);
    expect(md).toContain('| Searches refused: no case or incident number or reason given | 1 |');
    expect(md).toContain('| Searches refused: a prohibited purpose (immigration enforcement or personal use) | 2 |');
    expect(md).toContain('| Searches refused: user not trained, active or authorised | 1 |');
    expect(md).not.toContain('Refused (no purpose, or user not trained or authorised)');
  });

  it('reads plainly: no doubled word, no "none" beside a count, and no control character from its input', async () => {
    const r = await transparencyReport({ storage, accessLog, covertLists: [] }, 'chief1', { from, to });
    const md = renderTransparencyMarkdown(r, 'Watsonville\u001b[31m PD');
    const html = renderTransparencyHtml(r, 'Watsonville\u001b[31m PD');
    for (const text of [md, html]) {
      expect(text).toContain('Refused by the Chief of Police or designee');
      expect(text).not.toMatch(/refused:? refused/i);
      expect(text).not.toMatch(/\bnone\b/i);
      expect(text).toContain('Hits with a disposition recorded');
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(text).toContain('Watsonville\\x1b[31m PD');
    }
    expect(md).toContain('| Refused by the Chief of Police or designee | 1 |');
    expect(md).toContain('| Hits with a disposition recorded | 0 |');
  });
});
