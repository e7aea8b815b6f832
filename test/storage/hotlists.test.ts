// The specific-list entry workflow on real chDB (Watsonville §471.5(f)(5); designating lists is
// in hotlist-lists.test.ts): entries with member, case number and synopsis, new entries approved
// by the Administrator, updates by a supervisor, never by the submitter; every action and refusal
// in the access log; only approved entries reach the matcher.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMatcherConfig } from '../../matcher/index.js';
import {
  AccessLog, approvedEntries, decideEntry, designateList, entryHistory, listEntries,
  pendingChanges, saveUser, submitEntry, submitUpdate, type HotlistContext, type UserRole,
} from '../../storage/index.js';
import { openTempStorage, refusalCode as codeOf, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let ctx: HotlistContext;

beforeAll(async () => {
  temp = await openTempStorage();
  ctx = { storage: temp.storage, accessLog: new AccessLog(temp.storage), config: resolveMatcherConfig() };
  const users: Array<[string, UserRole[]]> = [
    ['admin1', ['administrator']], ['admin2', ['administrator']], ['sup1', ['supervisor']], ['sup2', ['supervisor']], ['ofc1', ['officer']], ['disp1', ['dispatcher']],
  ];
  for (const [id, roles] of users) await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: roles.join(','), roles, trainedAt: '2026-01-15', active: true }, 'setup');
  await designateList(ctx, 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases' });
});

afterAll(async () => {
  await temp?.cleanup();
});

async function log(user: string): Promise<Array<{ outcome: string; detail: string; params: string }>> {
  const rs = await temp.storage.client.query({
    query: `SELECT outcome, detail, params FROM ${temp.storage.db}.access_log WHERE user_id = {u:String} AND action = 'hotlist' ORDER BY seq`,
    query_params: { u: user }, format: 'JSONEachRow',
  });
  return rs.json();
}

const ENTRY = { plate: '7ABC123', state: 'CA', reason: 'Armed robbery suspect vehicle', caseNumber: 'WPD-26-0411', synopsis: 'Silver sedan seen leaving 7-Eleven robbery', vehicle: { make: 'HOND', color: 'SIL' } };

describe('entries of specific lists', () => {
  it('refuses an entry without a case number or synopsis, and takes one with them', async () => {
    expect(await codeOf(submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, synopsis: '' }))).toBe('INVALID');
    expect(await codeOf(submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, caseNumber: '  ' }))).toBe('INVALID');
    expect((await log('ofc1')).at(-1)).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('case_number') });
    expect(await codeOf(submitEntry(ctx, 'disp1', 'BOLO', ENTRY))).toBe('NOT_PERMITTED');
    expect(await codeOf(submitEntry(ctx, 'ofc1', 'SVS', ENTRY))).toBe('GENERAL_LIST');
    expect(await codeOf(submitEntry(ctx, 'ofc1', 'NOPE', ENTRY))).toBe('UNKNOWN_LIST');
    const v = await submitEntry(ctx, 'ofc1', 'BOLO', ENTRY);
    expect(v).toMatchObject({ version: 1, list: 'BOLO', enteredBy: 'ofc1', caseNumber: 'WPD-26-0411', decision: null, vehicle: { make: 'HOND', color: 'SIL' } });
  });

  it('keeps a new entry from matching until the Administrator approves it; a supervisor or the submitter cannot', async () => {
    const v = await submitEntry(ctx, 'admin1', 'BOLO', { ...ENTRY, plate: '6TRJ244' });
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate)).not.toContain('6TRJ244');
    expect((await pendingChanges(temp.storage)).map((p) => p.entryId)).toContain(v.entryId);

    expect(await codeOf(decideEntry(ctx, 'sup1', v.entryId, { decision: 'approved' }))).toBe('NOT_PERMITTED');
    expect((await log('sup1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('hotlists.approve_entry') });
    expect(await codeOf(decideEntry(ctx, 'admin1', v.entryId, { decision: 'approved' }))).toBe('SELF_APPROVAL');
    expect((await log('admin1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('SELF_APPROVAL') });
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate)).not.toContain('6TRJ244');

    const decided = await decideEntry(ctx, 'admin2', v.entryId, { decision: 'approved', note: 'case confirmed' });
    expect(decided).toMatchObject({ decision: 'approved', changedList: 'BOLO', entry: { decision: { decidedBy: 'admin2', decidedRole: 'administrator' } } });
    const approved = await approvedEntries(temp.storage, ctx.config, 'BOLO');
    expect(approved.find((e) => e.plate === '6TRJ244')).toMatchObject({ list: 'BOLO', enteredBy: 'User admin1 (admin1)', caseNumber: 'WPD-26-0411', vehicle: { make: 'HOND' } });
    expect(await codeOf(decideEntry(ctx, 'admin2', v.entryId, { decision: 'approved' }))).toBe('NOTHING_PENDING');
  });

  it('puts an update into force only with a supervisor’s approval, keeps every version, and never lets the submitter decide', async () => {
    const v1 = await submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, plate: '4DEF567' });
    await decideEntry(ctx, 'admin1', v1.entryId, { decision: 'approved' });
    const v2 = await submitUpdate(ctx, 'sup1', v1.entryId, { fields: { synopsis: 'Suspect vehicle now with a dented rear bumper' } });
    expect(v2).toMatchObject({ version: 2, enteredBy: 'sup1', synopsis: 'Suspect vehicle now with a dented rear bumper', caseNumber: 'WPD-26-0411' });
    expect(await codeOf(submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { synopsis: 'another' } }))).toBe('CHANGE_PENDING');
    const before = (await approvedEntries(temp.storage, ctx.config, 'BOLO')).find((e) => e.plate === '4DEF567');
    expect(before?.synopsis).toBe(ENTRY.synopsis);

    expect(await codeOf(decideEntry(ctx, 'ofc1', v1.entryId, { decision: 'approved' }))).toBe('NOT_PERMITTED');
    expect(await codeOf(decideEntry(ctx, 'sup1', v1.entryId, { decision: 'approved' }))).toBe('SELF_APPROVAL');
    expect(await codeOf(decideEntry(ctx, 'sup2', v1.entryId, { decision: 'rejected' }))).toBe('INVALID'); // a rejection says why
    await decideEntry(ctx, 'sup2', v1.entryId, { decision: 'approved', version: 2 });
    const after = (await approvedEntries(temp.storage, ctx.config, 'BOLO')).find((e) => e.plate === '4DEF567');
    expect(after).toMatchObject({ synopsis: 'Suspect vehicle now with a dented rear bumper', enteredBy: 'User sup1 (sup1)' });

    const history = await entryHistory(temp.storage, v1.entryId);
    expect(history.map((h) => [h.version, h.enteredBy, h.decision?.decidedBy, h.decision?.decidedRole])).toEqual([
      [1, 'ofc1', 'admin1', 'administrator'],
      [2, 'sup1', 'sup2', 'supervisor'],
    ]);
    expect(history.every((h) => !Number.isNaN(Date.parse(h.recordedAt)) && !Number.isNaN(Date.parse(h.decision?.decidedAt ?? '')))).toBe(true);
  });

  it('takes a change of the vehicle listed (plate or state) as a new entry: the Administrator approves it, not a supervisor', async () => {
    const v1 = await submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, plate: '3QRS890' });
    await decideEntry(ctx, 'admin1', v1.entryId, { decision: 'approved' });
    const approverOf = async () => (await pendingChanges(temp.storage)).find((p) => p.entryId === v1.entryId)?.approver;

    // Another car under the same entry: on the list only as a new entry would be.
    await submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { plate: '3ZZZ999', caseNumber: 'WPD-26-7777', synopsis: 'a different vehicle entirely' } });
    expect(await approverOf()).toBe('administrator');
    expect(await codeOf(decideEntry(ctx, 'sup1', v1.entryId, { decision: 'approved' }))).toBe('NOT_PERMITTED');
    expect((await log('sup1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('hotlists.approve_entry') });
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate)).not.toContain('3ZZZ999');
    await decideEntry(ctx, 'admin2', v1.entryId, { decision: 'approved' });
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate)).toContain('3ZZZ999');

    // The state of issue too; the plate respelt ("3zzz 999") is the same car, a supervisor's to approve.
    await submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { state: 'NV' } });
    expect(await approverOf()).toBe('administrator');
    await decideEntry(ctx, 'admin1', v1.entryId, { decision: 'approved' });
    await submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { plate: '3zzz 999', synopsis: 'seen again on Main St' } });
    expect(await approverOf()).toBe('supervisor');
    await decideEntry(ctx, 'sup1', v1.entryId, { decision: 'approved' });
    expect((await entryHistory(temp.storage, v1.entryId)).map((h) => h.decision?.decidedRole)).toEqual(['administrator', 'administrator', 'administrator', 'supervisor']);
  });

  it('keeps the version in force when an update is rejected, and drops a removed entry', async () => {
    const v1 = await submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, plate: '5LMN456' });
    await decideEntry(ctx, 'admin2', v1.entryId, { decision: 'approved' });
    await submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { plate: '5LMN457' } });
    await decideEntry(ctx, 'admin1', v1.entryId, { decision: 'rejected', note: 'plate not confirmed by DMV' });
    let plates = (await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate);
    expect(plates).toContain('5LMN456');
    expect(plates).not.toContain('5LMN457');

    await submitUpdate(ctx, 'ofc1', v1.entryId, { remove: true });
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate)).toContain('5LMN456');
    await decideEntry(ctx, 'sup2', v1.entryId, { decision: 'approved' });
    plates = (await approvedEntries(temp.storage, ctx.config, 'BOLO')).map((e) => e.plate);
    expect(plates).not.toContain('5LMN456');
    expect(await codeOf(submitUpdate(ctx, 'ofc1', v1.entryId, { fields: { synopsis: 'back again' } }))).toBe('NOT_APPROVED');
    const state = (await listEntries(temp.storage, 'BOLO')).find((s) => s.entryId === v1.entryId);
    expect(state?.current).toMatchObject({ version: 3, status: 'removed' });
  });

  it('publishes no expired entry and no rejected one', async () => {
    // Expired by the time approvedEntries is asked about (an entry cannot be submitted already expired).
    const old = await submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, plate: '8GHJ111', expiresAt: '2099-01-01' });
    await decideEntry(ctx, 'admin1', old.entryId, { decision: 'approved' });
    const rejected = await submitEntry(ctx, 'ofc1', 'BOLO', { ...ENTRY, plate: '8GHJ222' });
    await decideEntry(ctx, 'admin1', rejected.entryId, { decision: 'rejected', note: 'no case' });
    const plates = (await approvedEntries(temp.storage, ctx.config, 'BOLO', Date.UTC(2099, 5, 1))).map((e) => e.plate);
    expect(plates).not.toContain('8GHJ111');
    expect(plates).not.toContain('8GHJ222');
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO', Date.UTC(2098, 5, 1))).map((e) => e.plate)).toContain('8GHJ111');
  });
});

/**
 * Version 1 of an entry written as another gateway writes it: its submission was checked while this
 * one's was, so neither saw the other (in one process submissions are taken one at a time).
 */
async function submittedOnAnotherGateway(list: string, enteredBy: string, fields: { plate: string; state: string; caseNumber: string; synopsis: string }): Promise<string> {
  const entryId = randomUUID();
  await temp.storage.client.insert({
    table: `${temp.storage.db}.hotlist_entries`, format: 'JSONEachRow',
    values: [{
      entry_id: entryId, version: 1, list, plate: fields.plate, is_pattern: false, state: fields.state, reason: '', case_number: fields.caseNumber,
      entered_by: enteredBy, synopsis: fields.synopsis, expires_at: null, status: 'active', recorded_at: Date.now(),
    }],
  });
  return entryId;
}

describe('one entry per plate, state and case number', () => {
  const LISTED = { plate: '7DUP200', state: 'CA', reason: 'Robbery', caseNumber: 'C26-200', synopsis: 'Grey hatchback, robbery on Main St' };

  it('refuses a second entry of a plate, state and case already waiting or in force, naming the entry, however the plate is spelt', async () => {
    const first = await submitEntry(ctx, 'ofc1', 'BOLO', LISTED);
    const waiting = submitEntry(ctx, 'sup1', 'BOLO', { ...LISTED, synopsis: 'Same car, seen again at the bank' });
    await expect(waiting).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY', message: expect.stringContaining(`entry ${first.entryId}`) });
    await expect(waiting).rejects.toThrow(/waiting for approval; once it is decided, update that entry instead of adding another/);
    expect((await log('sup1')).at(-1)).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('DUPLICATE_ENTRY'), params: expect.stringContaining(first.entryId) });
    // As the matcher compares plates: case and separators do not make another car.
    expect(await codeOf(submitEntry(ctx, 'sup1', 'BOLO', { ...LISTED, plate: '7dup-200', state: 'ca', caseNumber: ' C26-200 ' }))).toBe('DUPLICATE_ENTRY');

    await decideEntry(ctx, 'admin1', first.entryId, { decision: 'approved' });
    const inForce = submitEntry(ctx, 'sup1', 'BOLO', { ...LISTED, synopsis: 'Same car, seen again at the bank' });
    await expect(inForce).rejects.toThrow(new RegExp(`already has entry ${first.entryId} for plate 7DUP200 \\(state CA, case "C26-200"\\); update that entry instead`));
    expect((await listEntries(temp.storage, 'BOLO')).filter((s) => s.current?.plate === '7DUP200' || s.pending?.plate === '7DUP200')).toHaveLength(1);
  });

  it('takes the same plate under another case or state: two investigations may list one car', async () => {
    const plate = '7DUP300';
    const first = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate });
    await decideEntry(ctx, 'admin1', first.entryId, { decision: 'approved' });
    for (const other of [{ caseNumber: 'C26-301' }, { state: 'NV' }, { state: '' }]) {
      const v = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate, ...other });
      await decideEntry(ctx, 'admin1', v.entryId, { decision: 'approved' });
    }
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).filter((e) => e.plate === plate)).toHaveLength(4);
  });

  it('refuses the second approval of two duplicates submitted at the same moment: only the first comes into force', async () => {
    const plate = '7DUP400';
    const here = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate });
    const there = await submittedOnAnotherGateway('BOLO', 'sup1', { ...LISTED, plate, synopsis: 'Same car from another desk' });
    expect((await pendingChanges(temp.storage, 'BOLO')).map((p) => p.entryId)).toEqual(expect.arrayContaining([here.entryId, there]));

    await decideEntry(ctx, 'admin1', here.entryId, { decision: 'approved' });
    const second = decideEntry(ctx, 'admin2', there, { decision: 'approved' });
    await expect(second).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY', message: expect.stringContaining(`entry ${here.entryId} already holds it`) });
    expect((await log('admin2')).at(-1)).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('DUPLICATE_ENTRY') });
    expect((await entryHistory(temp.storage, there))[0]?.decision).toBeNull();
    expect((await approvedEntries(temp.storage, ctx.config, 'BOLO')).filter((e) => e.plate === plate).map((e) => e.synopsis)).toEqual([LISTED.synopsis]);
    // Its synopsis goes into an update of the entry in force; the duplicate is rejected.
    await decideEntry(ctx, 'admin2', there, { decision: 'rejected', note: `duplicate of ${here.entryId}` });
  });

  it('refuses an update that would give an entry another entry’s plate, state and case', async () => {
    const a = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP500' });
    await decideEntry(ctx, 'admin1', a.entryId, { decision: 'approved' });
    const b = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP500', caseNumber: 'C26-501' });
    await decideEntry(ctx, 'admin1', b.entryId, { decision: 'approved' });
    const update = submitUpdate(ctx, 'ofc1', b.entryId, { fields: { caseNumber: 'C26-200' } });
    await expect(update).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY', message: expect.stringContaining(`entry ${a.entryId}`) });
    // An update of the entry itself (a new synopsis) is no duplicate of itself.
    expect(await submitUpdate(ctx, 'ofc1', a.entryId, { fields: { synopsis: 'Grey hatchback, now with a roof rack' } })).toMatchObject({ version: 2 });
  });

  it('takes the listing again once the entry holding it is removed or has expired', async () => {
    const removed = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP600' });
    await decideEntry(ctx, 'admin1', removed.entryId, { decision: 'approved' });
    await submitUpdate(ctx, 'ofc1', removed.entryId, { remove: true });
    await decideEntry(ctx, 'sup1', removed.entryId, { decision: 'approved' });
    expect(await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP600' })).toMatchObject({ version: 1 });

    // An entry cannot be submitted already expired (below), so this one expires a moment after its approval.
    const until = Date.now() + 3000;
    const expired = await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP700', expiresAt: new Date(until).toISOString() });
    await decideEntry(ctx, 'admin1', expired.entryId, { decision: 'approved' });
    await new Promise((done) => setTimeout(done, Math.max(0, until - Date.now() + 50)));
    expect(await submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7DUP700' })).toMatchObject({ version: 1 });
  });

  it('refuses an entry that has already expired, or whose case number has no number in it', async () => {
    await expect(submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7OLD100', expiresAt: '2020-01-01' }))
      .rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(/^expiresAt "2020-01-01" has already passed; an expired entry never matches/) });
    await expect(submitEntry(ctx, 'ofc1', 'BOLO', { ...LISTED, plate: '7OLD100', caseNumber: 'nodigit' }))
      .rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(/^caseNumber "nodigit" has no number in it/) });
  });
});
