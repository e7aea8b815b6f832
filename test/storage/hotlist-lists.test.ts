// Designating hot lists on real chDB (Watsonville §471.5(f)): the Administrator alone designates
// a list and says what it is for, never for immigration enforcement (Gov. Code § 7284.6); each
// re-description is a new version; every designation and refusal is on the access log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { AccessLog, designateList, findDesignation, isImmigrationEnforcement, listDesignations, saveUser, type HotlistContext, type UserRole } from '../../storage/index.js';
import { openTempStorage, refusalCode as codeOf, type TempStorage } from './temp-storage.js';

let temp: TempStorage;
let ctx: HotlistContext;

beforeAll(async () => {
  temp = await openTempStorage();
  ctx = { storage: temp.storage, accessLog: new AccessLog(temp.storage), config: resolveMatcherConfig() };
  const users: Array<[string, UserRole[]]> = [['admin1', ['administrator']], ['admin2', ['administrator']], ['sup1', ['supervisor']]];
  for (const [id, roles] of users) await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: roles.join(','), roles, trainedAt: '2026-01-15', active: true }, 'setup');
  await designateList(ctx, 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases' });
});

afterAll(async () => {
  await temp?.cleanup();
});

async function log(user: string): Promise<Array<{ outcome: string; detail: string }>> {
  const rs = await temp.storage.client.query({
    query: `SELECT outcome, detail FROM ${temp.storage.db}.access_log WHERE user_id = {u:String} AND action = 'hotlist' ORDER BY seq`,
    query_params: { u: user }, format: 'JSONEachRow',
  });
  return rs.json();
}

describe('list designation', () => {
  it('lets the Administrator designate a list, and refuses other roles with a logged refusal', async () => {
    expect(await codeOf(designateList(ctx, 'sup1', { list: 'CASE-1', purpose: 'Vehicles in the burglary series' }))).toBe('NOT_PERMITTED');
    expect((await log('sup1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('hotlists.manage') });
    const designation = await designateList(ctx, 'admin2', { list: 'case-1', purpose: 'Vehicles in the burglary series' });
    expect(designation).toMatchObject({ list: 'CASE-1', kind: 'specific', active: true, version: 1, changedBy: 'admin2' });
    expect((await listDesignations(temp.storage)).map((d) => d.list)).toEqual(['BOLO', 'CASE-1']);
  });

  it('refuses a list whose purpose is immigration enforcement, and logs the refusal', async () => {
    for (const request of [
      { list: 'ICE', purpose: 'Vehicles for the field office' },
      { list: 'WATCH', purpose: 'Vehicles of deportation absconders' },
      { list: 'IMMIGRATION_HOLDS', purpose: 'Detainer-related vehicles' },
    ]) {
      expect(await codeOf(designateList(ctx, 'admin1', request))).toBe('PROHIBITED_PURPOSE');
    }
    expect((await log('admin1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('7284.6') });
    expect((await listDesignations(temp.storage)).map((d) => d.list)).not.toContain('ICE');
    expect(isImmigrationEnforcement('Stolen vehicles, county auto theft task force')).toBe(false);
    expect(isImmigrationEnforcement('Police service vehicles')).toBe(false);
  });

  it('refuses the designations QA found accepted, and keeps lists whose purpose only looks like one', async () => {
    for (const request of [
      { list: 'WATCH2', purpose: 'vehicles of interest for removal operations' },
      { list: 'ASSIST', purpose: 'assist I.C.E. with cases' },
      { list: 'FEDS', purpose: 'Dep\'t of Homeland Security partner vehicles' },
    ]) {
      expect(await codeOf(designateList(ctx, 'admin1', request))).toBe('PROHIBITED_PURPOSE');
      expect((await log('admin1')).at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('7284.6') });
    }
    expect(await designateList(ctx, 'admin1', { list: 'PLOWS', purpose: 'Stolen snow removal equipment and trucks' })).toMatchObject({ list: 'PLOWS', version: 1 });
    expect(await designateList(ctx, 'admin1', { list: 'TRUCKS', purpose: 'Stolen ice cream trucks, county series' })).toMatchObject({ list: 'TRUCKS', version: 1 });
  });
});

describe('re-describing a list', () => {
  it('keeps every designation as a version; the newest is in force', async () => {
    const again = await designateList(ctx, 'admin1', { list: 'BOLO', purpose: 'Be on the lookout: vehicles tied to open cases and missing persons' });
    expect(again).toMatchObject({ list: 'BOLO', version: 2, changedBy: 'admin1' });
    expect(await findDesignation(temp.storage, 'BOLO')).toMatchObject({ version: 2, purpose: expect.stringContaining('missing persons') });
  });

  it('refuses a bad name or a purpose too short to say what the list is for', async () => {
    expect(await codeOf(designateList(ctx, 'admin1', { list: 'bad name!', purpose: 'Vehicles in the burglary series' }))).toBe('INVALID');
    expect(await codeOf(designateList(ctx, 'admin1', { list: 'SHORT', purpose: 'cars' }))).toBe('INVALID');
    expect((await log('admin1')).at(-1)).toMatchObject({ outcome: 'invalid' });
  });
});
