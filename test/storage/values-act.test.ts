// The California Values Act (Gov. Code § 7284.6(a)(1); Watsonville §471.2, §471.8(c)) across
// storage on real chDB: every path that takes a stated purpose refuses immigration enforcement up
// front with PROHIBITED_PURPOSE, on the access log as a refusal — searches, hit views, legal holds,
// specific-list entries (submitted and updated) and release requests — while police work that
// merely looks like it ("black ice crash") goes through. The classifier itself is in immigration.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMatcherConfig } from '../../matcher/index.js';
import {
  AccessLog, decideEntry, DEFAULT_RELEASE_POLICY, designateList, DetectionWriter, hitId, placeLegalHold, recordHits, recordReleaseRequest, refusalKind, saveUser,
  searchDetections, submitEntry, submitUpdate, viewHit, type AccessRecord, type HotlistContext, type Storage, type UserRole,
} from '../../storage/index.js';
import { detection, openTempStorage, refusalCode as codeOf, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let storage: Storage;
let accessLog: AccessLog;
let hotlists: HotlistContext;
const T0 = Date.UTC(2026, 10, 20, 9);
const HOUR = 3_600_000;
const RANGE = { from: new Date(T0 - HOUR), to: new Date(T0 + HOUR) };
const HIT_ID = hitId({ id: 'va-1', agency: 'wpd', camera: 'cam1', ts: T0 }, 'BOLO', 'e1');

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  accessLog = new AccessLog(storage);
  hotlists = { storage, accessLog, config: resolveMatcherConfig() };
  const users: Array<[string, UserRole[]]> = [['ana1', ['analyst']], ['disp1', ['dispatcher']], ['ofc1', ['officer']], ['admin1', ['administrator']], ['cust1', ['custodian']]];
  for (const [userId, roles] of users) await saveUser(storage, { userId, name: `User ${userId}`, title: roles.join(','), roles, trainedAt: '2026-01-15', active: true }, 'setup');
  const writer = new DetectionWriter(storage);
  await (await writer.enqueue([detection({ readId: 'va-1', plate: '7ABC123', seenAt: T0 })])).durable;
  await writer.close();
  await recordHits(storage, [{
    hitId: HIT_ID, readId: 'va-1', agency: 'WPD', camera: 'main-st', seenAt: T0, plate: '7ABC123', list: 'BOLO', entryId: 'e1', entryVersion: 1,
    matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
  }]);
  await designateList(hotlists, 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases' });
});
afterAll(() => temp?.cleanup());

async function lastRecord(user: string): Promise<AccessRecord> {
  const rs = await storage.client.query({
    query: `SELECT * FROM ${storage.db}.access_log WHERE user_id = {u:String} ORDER BY seq DESC LIMIT 1`, query_params: { u: user }, format: 'JSONEachRow',
  });
  return (await rs.json<AccessRecord>())[0] as AccessRecord;
}

describe('searches, hit views and legal holds', () => {
  it('refuses a search whose purpose is immigration enforcement, and logs it as a refused purpose', async () => {
    for (const purpose of [{ reason: 'ICE immigration enforcement request' }, { caseNumber: 'WPD-26-1', reason: 'assist I.C.E. with cases' }, { reason: 'inmigración, caso 26-1' }]) {
      await expect(searchDetections({ storage, accessLog }, { user: 'ana1', purpose, ...RANGE, plate: { kind: 'exact', plate: '7ABC123' } }))
        .rejects.toMatchObject({ code: 'PROHIBITED_PURPOSE', message: expect.stringContaining('7284.6') });
      const record = await lastRecord('ana1');
      expect(record).toMatchObject({ action: 'search', outcome: 'refused', rows_returned: 0, detail: expect.stringContaining('immigration enforcement') });
      // Its own kind in the audit memorandum: a prohibited purpose, not a missing one.
      expect(refusalKind(record)).toBe('immigration');
    }
    const ok = await searchDetections({ storage, accessLog }, { user: 'ana1', purpose: { reason: 'black ice crash, hit and run 26-4411' }, ...RANGE, plate: { kind: 'exact', plate: '7ABC123' } });
    expect(ok.rows.map((r) => r.readId)).toEqual(['va-1']);
  });

  it('refuses a hit view for immigration enforcement, and shows the hit for police work', async () => {
    await expect(viewHit({ storage, accessLog }, { user: 'disp1', purpose: { reason: 'ICE detainer on the driver' }, hitId: HIT_ID }))
      .rejects.toMatchObject({ code: 'PROHIBITED_PURPOSE' });
    expect(await lastRecord('disp1')).toMatchObject({ action: 'hit_view', outcome: 'refused', detail: expect.stringContaining('immigration enforcement') });
    expect((await viewHit({ storage, accessLog }, { user: 'disp1', purpose: { reason: 'verifying live alert' }, hitId: HIT_ID }))?.hit.readId).toBe('va-1');
  });

  it('refuses a legal hold for immigration enforcement, holding nothing', async () => {
    await expect(placeLegalHold({ storage, accessLog }, { user: 'ana1', caseNumber: 'WPD-26-0900', reason: 'removal order, locate noncitizen', criteria: { ...RANGE, plate: { kind: 'exact', plate: '7ABC123' } } }))
      .rejects.toMatchObject({ code: 'PROHIBITED_PURPOSE' });
    expect(await lastRecord('ana1')).toMatchObject({ action: 'hold', outcome: 'refused', detail: expect.stringContaining('immigration enforcement') });
    const rs = await storage.client.query({ query: `SELECT count() AS n FROM ${storage.db}.legal_holds`, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: number | string }>())[0]?.n)).toBe(0);
  });
});

describe('specific-list entries', () => {
  const ENTRY = { plate: '6TRJ244', state: 'CA', reason: 'Armed robbery suspect vehicle', caseNumber: 'WPD-26-0411', synopsis: 'Silver sedan seen leaving the robbery' };

  it('refuses an entry whose reason or synopsis is immigration enforcement, logged as a refusal', async () => {
    for (const fields of [{ ...ENTRY, reason: 'Immigration violator - deportable alien' }, { ...ENTRY, synopsis: 'ICE detainer' }, { ...ENTRY, synopsis: 'locate noncitizen for removal' }]) {
      expect(await codeOf(submitEntry(hotlists, 'ofc1', 'BOLO', fields))).toBe('PROHIBITED_PURPOSE');
      expect(await lastRecord('ofc1')).toMatchObject({ action: 'hotlist', outcome: 'refused', detail: expect.stringContaining('PROHIBITED_PURPOSE') });
    }
    expect((await submitEntry(hotlists, 'ofc1', 'BOLO', { ...ENTRY, synopsis: 'Stolen from the ice cream truck lot' })).version).toBe(1);
  });

  it('refuses an update that turns an approved entry to immigration enforcement', async () => {
    const v1 = await submitEntry(hotlists, 'ofc1', 'BOLO', { ...ENTRY, plate: '5LMN456', caseNumber: 'WPD-26-0412' });
    await decideEntry(hotlists, 'admin1', v1.entryId, { decision: 'approved' });
    expect(await codeOf(submitUpdate(hotlists, 'ofc1', v1.entryId, { fields: { synopsis: 'green card holder, verify lawful presence' } }))).toBe('PROHIBITED_PURPOSE');
    expect(await lastRecord('ofc1')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('7284.6') });
    expect(await codeOf(submitUpdate(hotlists, 'ofc1', v1.entryId, { fields: { reason: 'NCIC MKE EIV, U S I C E' } }))).toBe('PROHIBITED_PURPOSE');
    expect((await submitUpdate(hotlists, 'ofc1', v1.entryId, { fields: { synopsis: 'seen again on Main St' } })).version).toBe(2);
  });
});

describe('release requests', () => {
  const criteria = { kind: 'plate', plate: { kind: 'exact', plate: '7ABC123' }, from: RANGE.from.toISOString(), to: RANGE.to.toISOString() } as const;

  it('records a request for immigration enforcement as refused under the Values Act, on the access log', async () => {
    const ctx = { storage, accessLog, policy: DEFAULT_RELEASE_POLICY };
    const refused = await recordReleaseRequest(ctx, 'cust1', { agency: 'Santa Cruz Police Department', agencyKind: 'local', requester: 'Det. M. Lopez', purpose: 'removal order, case 26-1', criteria });
    expect(refused).toMatchObject({ status: 'refused', refusalRule: 'values_act', decidedBy: 'system' });
    expect(await lastRecord('cust1')).toMatchObject({ action: 'release', outcome: 'refused' });
    const byName = await recordReleaseRequest(ctx, 'cust1', { agency: 'Homeland Security Dept.', agencyKind: 'local', requester: 'SA J. Doe', purpose: 'armed robbery, case 26-2', criteria });
    expect(byName).toMatchObject({ status: 'refused', refusalRule: 'values_act', agencyKind: 'federal_immigration' });
  });
});
