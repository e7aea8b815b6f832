// How the §471.9 memorandum files refusals: by the code or the system's own wording in the access
// log record, never by what a member typed (found by QA: a hold under case "TRAINING" was filed as a
// training violation, immigration refusals as "no purpose stated", a personal purpose as "other").
// Real refusals from real searches, holds and role checks on a real chDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, authoriseAction, covertHitRefusal, memorandumOf, placeLegalHold, sampleSearches, saveUser, searchDetections, type AuditSample, type Storage,
} from '../../storage/index.js';
import { refusalKind } from '../../storage/audit.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
let sample: AuditSample;
const from = new Date(Date.now() - 3_600_000);
const criteria = { from: new Date(0), to: new Date() };

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  const ctx = { storage, accessLog };
  await saveUser(storage, { userId: 'ana1', name: 'Ana Analyst', title: 'Crime Analyst', roles: ['analyst'], trainedAt: '2026-01-10', active: true }, 'admin');
  await saveUser(storage, { userId: 'u9', name: 'Lapsed Officer', title: 'Officer', roles: ['officer'], trainedAt: '2020-01-01', trainingExpiresAt: '2021-01-01', active: true }, 'admin');
  const refused = async (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code });
  // The QA repro: the case "number" TRAINING has no digit; the reason is good.
  await refused(placeLegalHold(ctx, { user: 'ana1', caseNumber: 'TRAINING', reason: 'robbery evidence for trial', criteria }), 'PURPOSE_REQUIRED');
  // Immigration enforcement, in the reason, the case number and a hold's reason (Values Act).
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { reason: 'ICE detainer' }, ...criteria }), 'PROHIBITED_PURPOSE');
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { caseNumber: 'ICE-26-1' }, ...criteria }), 'PROHIBITED_PURPOSE');
  await refused(placeLegalHold(ctx, { user: 'ana1', caseNumber: 'WPD-26-1', reason: 'ICE removal order', criteria }), 'PROHIBITED_PURPOSE');
  // A personal purpose (§471.5 Impermissible Uses (c)).
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { reason: 'personal' }, ...criteria }), 'PROHIBITED_PURPOSE');
  // No purpose, with words in it that the old regexes took for a role or a training problem.
  await refused(searchDetections(ctx, { user: 'ana1', purpose: { caseNumber: 'needs one of the roles', reason: 'x' }, ...criteria }), 'PURPOSE_REQUIRED');
  // An unregistered id with "training" in it: an account problem, not a training one.
  await refused(searchDetections(ctx, { user: 'training-ofc', purpose: { caseNumber: 'WPD-26-2' }, ...criteria }), 'USER_NOT_AUTHORISED');
  // The real violations: a lapsed member's search, and a role refusal.
  await refused(searchDetections(ctx, { user: 'u9', purpose: { caseNumber: 'WPD-26-3' }, ...criteria }), 'USER_NOT_AUTHORISED');
  await refused(authoriseAction(ctx, 'ana1', 'audit.read'), 'NOT_PERMITTED');
  // Written with its code, as hit views and console subscriptions log a covert list refusal.
  await accessLog.append({ user: 'ana1', action: 'hit_view', outcome: 'refused', params: { hitId: 'h-1' }, rowsReturned: 0, caseNumber: 'WPD-26-4', reason: 'training', detail: covertHitRefusal('ana1') });
  sample = await sampleSearches(storage, { from, to: new Date(Date.now() + 60_000) });
});
afterAll(() => temp.cleanup());

describe('refusals in the audit', () => {
  it('files each refusal by its code or the system\'s wording, never by the text a member typed', () => {
    expect(sample.refusedActions.map((r) => `${r.record.action} ${r.record.user_id} ${r.record.case_number}: ${r.kind}`)).toEqual([
      'hold ana1 TRAINING: purpose',
      'search ana1 : immigration',
      'search ana1 ICE-26-1: immigration',
      'hold ana1 WPD-26-1: immigration',
      'search ana1 : personal',
      'search ana1 needs one of the roles: purpose',
      'search training-ofc WPD-26-2: account',
      'search u9 WPD-26-3: training',
      'audit ana1 : role',
      'hit_view ana1 WPD-26-4: covert_list',
    ]);
  });

  it('files a refusal written with a code by the code', () => {
    const record = { action: 'hotlist', case_number: '', reason: 'add_entry', user_id: 'ana1' };
    expect(refusalKind({ ...record, detail: 'PROHIBITED_PURPOSE: a hot list entry for immigration enforcement cannot be added (training)' })).toBe('immigration');
    expect(refusalKind({ ...record, detail: 'ROLE_REQUIRED: "hotlists.manage" needs one of the roles administrator' })).toBe('role');
    expect(refusalKind({ ...record, detail: 'PURPOSE_REQUIRED: the reason "training" does not say why the data is needed' })).toBe('purpose');
  });

  it('counts refused searches and prohibited purposes apart, in sentences that say what they count', () => {
    expect(sample.refused).toBe(6);
    expect(sample.refusedSearches).toMatchObject({ purpose: 1, immigration: 2, personal: 1, account: 1, training: 1, role: 0 });
    expect(sample.refusalsByKind).toMatchObject({ purpose: 2, immigration: 3, personal: 1, account: 1, training: 1, role: 1, covert_list: 1 });
    const m = memorandumOf(sample, { auditor: 'Capt. P. Standards', date: new Date('2026-11-23T00:00:00Z') });
    expect(m.violations).toBe(3);
    for (const text of [m.markdown, m.html]) {
      expect(text).not.toContain('no purpose or user not authorised');
      expect(text).toContain('Searches refused by the system in the period: 6 (1 for no case or incident number, and no reason that documents the search');
      expect(text).toContain('2 for immigration enforcement stated as the purpose (California Values Act, Gov. Code § 7284.6(a)(1))');
      expect(text).toContain('1 for a personal purpose stated (§471.5 Impermissible Uses (c))');
      expect(text).toContain('2 for a member lacking the role, the training or an active account');
      expect(text).toContain('Actions refused because the purpose stated is one the policy forbids outright: 3 for immigration enforcement');
      expect(text).toContain('and 1 for personal use (§471.5 Impermissible Uses (c))');
      expect(text).toContain(': 10, of which 3 were by members lacking the role, the training or an active account.');
    }
    const violations = m.markdown.slice(m.markdown.indexOf('## Role and training violations'), m.markdown.indexOf('## Privileged account changes'));
    expect(violations).not.toContain('TRAINING');
    expect(violations).not.toContain('ICE');
    expect(violations.match(/^- /gm)).toHaveLength(3);
    const refusedRows = m.markdown.slice(m.markdown.indexOf('## Refused actions'));
    expect(refusedRows).toMatch(/\| hold \| purpose not documented \| case number "TRAINING" has no number in it/);
    expect(refusedRows.match(/\| prohibited purpose: immigration enforcement \|/g)).toHaveLength(3);
    expect(refusedRows.match(/\| prohibited purpose: personal use \|/g)).toHaveLength(1);
    expect(refusedRows).not.toContain('| no purpose stated |');
  });
});
