// Users kept as versions on real chDB (Watsonville §471.5(d): who was trained when). A save based
// on a stale read is refused rather than undoing a change it did not see; every version is kept,
// and the user as of a past moment is the version in effect then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessProblem, findUser, findUsers, listUsers, saveUser, type User, type VersionClaims } from '../../storage/index.js';
import { openTempStorage, refusalCode, type TempStorage } from './temp-storage.js';

let temp: TempStorage;

beforeAll(async () => {
  temp = await openTempStorage();
});

afterAll(async () => {
  await temp?.cleanup();
});

const officer = (id: string, over: Partial<User> = {}): User => ({ userId: id, name: `Officer ${id}`, title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', active: true, ...over });

describe('findUsers', () => {
  it('reads the newest version of each user asked for in one call, leaving out ids of no user', async () => {
    await saveUser(temp.storage, officer('fu1'), 'admin');
    await saveUser(temp.storage, officer('fu2'), 'admin');
    await saveUser(temp.storage, { ...officer('fu2'), active: false }, 'admin');
    const found = await findUsers(temp.storage, ['fu1', 'fu2', 'fu2', 'nobody']);
    expect([...found.keys()].sort()).toEqual(['fu1', 'fu2']);
    expect(found.get('fu1')).toEqual(await findUser(temp.storage, 'fu1'));
    expect(found.get('fu2')).toMatchObject({ version: 2, active: false });
    expect((await findUsers(temp.storage, [])).size).toBe(0);
  });
});

describe('saveUser', () => {
  it('writes versions 1, 2, … and reads back the newest with its version', async () => {
    await saveUser(temp.storage, officer('u1'), 'admin');
    const first = await findUser(temp.storage, 'u1');
    expect(first).toMatchObject({ userId: 'u1', version: 1, active: true });
    await saveUser(temp.storage, { ...first!, title: 'Sergeant' }, 'admin');
    expect(await findUser(temp.storage, 'u1')).toMatchObject({ version: 2, title: 'Sergeant' });
    expect((await listUsers(temp.storage)).find((u) => u.userId === 'u1')).toMatchObject({ version: 2 });
  });

  it('refuses a save based on a stale read, and keeps the change it would have undone', async () => {
    await saveUser(temp.storage, officer('u2'), 'admin');
    const readByA = await findUser(temp.storage, 'u2');
    const readByB = await findUser(temp.storage, 'u2');
    await saveUser(temp.storage, { ...readByA!, active: false }, 'adminA');
    expect(await refusalCode(saveUser(temp.storage, { ...readByB!, trainedAt: '2026-02-01' }, 'adminB'))).toBe('CONCURRENT_CHANGE');
    const now = await findUser(temp.storage, 'u2');
    expect(now).toMatchObject({ version: 2, active: false, trainedAt: '2026-01-15' });
    expect(accessProblem(now, 'u2')).toMatch(/not active/);
  });

  it('refuses access before the recorded training day, and from it on (§471.5(d))', () => {
    const user: User = { ...officer('u9'), trainedAt: '2026-12-07' };
    expect(accessProblem(user, 'u9', Date.UTC(2026, 11, 6, 23, 59))).toMatch(/training is recorded for 2026-12-07, a day still to come/);
    expect(accessProblem(user, 'u9', Date.UTC(2026, 11, 7, 0, 0))).toBeNull();
  });

  it('writes without a read version on top of the newest (a new user, or an overwrite on purpose)', async () => {
    await saveUser(temp.storage, officer('u3'), 'admin');
    await saveUser(temp.storage, officer('u3', { trainedAt: null }), 'admin');
    expect(await findUser(temp.storage, 'u3')).toMatchObject({ version: 2, trainedAt: null });
  });

  it('refuses when another process claimed the same version, and writes nothing', async () => {
    const taken: VersionClaims = { claim: async () => false, release: async () => {} };
    const before = await findUser(temp.storage, 'u1');
    expect(await refusalCode(saveUser(temp.storage, { ...before!, name: 'Renamed' }, 'admin', taken))).toBe('CONCURRENT_CHANGE');
    expect(await findUser(temp.storage, 'u1')).toMatchObject({ version: before!.version, name: before!.name });
  });
});
