// Users kept as versions on real chDB (Watsonville §471.5(d): who was trained when). A save based
// on a stale read is refused rather than undoing a change it did not see; every version is kept,
// and the user as of a past moment is the version in effect then. Ids are unique whatever their
// case, and a session ended by a loss of access stays ended when access comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, accessProblem, CredentialStore, findUser, findUsers, listUsers, saveUser, StorageError, type User, type VersionClaims,
} from '../../storage/index.js';
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

describe('user ids', () => {
  it('refuses a new id that differs from a stored one only in case, and keeps the stored one as it is', async () => {
    await saveUser(temp.storage, officer('JSmith'), 'admin');
    for (const other of ['jsmith', 'JSMITH', 'jSmith']) {
      const refused = saveUser(temp.storage, officer(other), 'admin');
      await expect(refused).rejects.toMatchObject({ code: 'CONCURRENT_CHANGE', message: `user "${other}" exists already as "JSmith": user ids are unique whatever their case` } satisfies Partial<StorageError>);
      expect(await findUser(temp.storage, other)).toBeUndefined();
    }
    // The stored id keeps working exactly as stored: read, changed, and listed once.
    const stored = await findUser(temp.storage, 'JSmith');
    await saveUser(temp.storage, { ...stored!, title: 'Sergeant' }, 'admin');
    expect(await findUser(temp.storage, 'JSmith')).toMatchObject({ version: 2, title: 'Sergeant' });
    expect((await listUsers(temp.storage)).filter((u) => u.userId.toLowerCase() === 'jsmith').map((u) => u.userId)).toEqual(['JSmith']);
  });

  it('claims a first version under the id in lower case, so two gateways adding ADMIN7 and admin7 at once claim the same thing', async () => {
    const claimed: string[] = [];
    const seen = new Set<string>();
    const claims: VersionClaims = {
      claim: async (kind, id, version) => {
        const key = `${kind}/${id}/${version}`;
        claimed.push(key);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
      release: async () => {},
    };
    // As if the other gateway had claimed first and not yet written its row.
    expect(await claims.claim('user', 'admin7', 1)).toBe(true);
    expect(await refusalCode(saveUser(temp.storage, officer('ADMIN7'), 'admin', claims))).toBe('CONCURRENT_CHANGE');
    expect(claimed).toEqual(['user/admin7/1', 'user/admin7/1']);
    expect(await findUser(temp.storage, 'ADMIN7')).toBeUndefined();
    // A later version is claimed under the id as stored.
    await saveUser(temp.storage, officer('Mixed8'), 'admin', claims);
    await saveUser(temp.storage, { ...(await findUser(temp.storage, 'Mixed8'))!, title: 'Sergeant' }, 'admin', claims);
    expect(claimed.slice(-2)).toEqual(['user/mixed8/1', 'user/Mixed8/2']);
  });

  it('refuses the ids the system logs its own actions under, whatever the case or separators, and no other', async () => {
    for (const id of ['platewatch-system', 'PLATEWATCH-SYSTEM', 'Platewatch_System', 'platewatch.system', 'system', 'System', 'platewatch', 'retroactive', 'platewatch-bot']) {
      const refused = saveUser(temp.storage, officer(id), 'admin');
      await expect(refused, id).rejects.toMatchObject({ code: 'RESERVED_USER_ID', message: expect.stringMatching(new RegExp(`^user id "${id}" is reserved`)) });
      expect(await findUser(temp.storage, id)).toBeUndefined();
    }
    // Ids that only contain or resemble one are people's.
    for (const id of ['sysadmin', 'clive', 'systems1', 'retro', 'j.plate', 'cli', 'c.li']) {
      await saveUser(temp.storage, officer(id), 'admin');
      expect(await findUser(temp.storage, id), id).toMatchObject({ userId: id });
    }
  });

  it('refuses sign-in and every access to a user stored under a reserved id before ids were checked', async () => {
    // As a version written before the rule: straight into the table.
    await temp.storage.client.insert({
      table: `${temp.storage.db}.users`, format: 'JSONEachRow',
      values: [{ user_id: 'platewatch-system', version: 1, name: 'Pre-rule', title: 'Analyst', roles: ['analyst'], trained_at: '2026-01-15', training_expires_at: null, active: true, updated_at: Date.now(), updated_by: 'admin' }],
    });
    const stored = await findUser(temp.storage, 'platewatch-system');
    expect(accessProblem(stored, 'platewatch-system')).toMatch(/user id "platewatch-system" is reserved for the system and cannot sign in/);
    const credentials = new CredentialStore(temp.storage, new AccessLog(temp.storage));
    await credentials.setPassword('platewatch-system', 'a long enough passphrase', 'admin');
    expect(await credentials.login('platewatch-system', 'a long enough passphrase')).toMatchObject({ ok: false, reason: 'not_authorised' });
    // It can still be changed (disabled) by an administrator.
    await saveUser(temp.storage, { ...stored!, active: false }, 'admin1');
    expect(await findUser(temp.storage, 'platewatch-system')).toMatchObject({ version: 2, active: false });
  });
});

describe('sessions when access is withdrawn and restored', () => {
  const PASSWORD = 'a long enough passphrase';
  let credentials: CredentialStore;

  beforeAll(() => {
    credentials = new CredentialStore(temp.storage, new AccessLog(temp.storage));
  });

  async function signIn(userId: string): Promise<string> {
    const out = await credentials.login(userId, PASSWORD);
    if (!out.ok) throw new Error(`login of ${userId} refused: ${out.reason}`);
    return out.token;
  }

  async function addSignedIn(userId: string): Promise<string> {
    await saveUser(temp.storage, officer(userId), 'admin');
    await credentials.setPassword(userId, PASSWORD, 'admin');
    return signIn(userId);
  }

  const current = async (userId: string): Promise<User> => (await findUser(temp.storage, userId))!;

  it('a session ended by disabling the user stays ended when they are enabled again; they sign in anew', async () => {
    const token = await addSignedIn('s-disable');
    expect(await saveUser(temp.storage, { ...(await current('s-disable')), active: false }, 'admin')).toBe(1);
    expect(await credentials.verify(token)).toBeNull();
    await saveUser(temp.storage, { ...(await current('s-disable')), active: true }, 'admin');
    expect(await credentials.verify(token)).toBeNull();
    expect(await credentials.verify(await signIn('s-disable'))).toMatchObject({ user: 's-disable' });
  });

  it('a session ended by withdrawing training stays ended when the user is trained again', async () => {
    const token = await addSignedIn('s-untrain');
    expect(await saveUser(temp.storage, { ...(await current('s-untrain')), trainedAt: null }, 'admin')).toBe(1);
    expect(await credentials.verify(token)).toBeNull();
    await saveUser(temp.storage, { ...(await current('s-untrain')), trainedAt: '2026-03-01' }, 'admin');
    expect(await credentials.verify(token)).toBeNull();
  });

  it('a session whose training lapsed with time stays ended when the expiry is extended, ended by the extension itself', async () => {
    const token = await addSignedIn('s-lapse');
    // Training lapses with the passing days, with no save at that moment: the row stands for a
    // version saved while it was current, with an expiry that has passed since.
    const read = await current('s-lapse');
    await temp.storage.client.insert({
      table: `${temp.storage.db}.users`,
      format: 'JSONEachRow',
      values: [{
        user_id: 's-lapse', version: read.version! + 1, name: read.name, title: read.title, roles: read.roles, trained_at: read.trainedAt,
        training_expires_at: '2026-02-01', active: true, updated_at: Date.now(), updated_by: 'admin',
      }],
    });
    expect(await credentials.verify(token)).toBeNull();
    expect(await saveUser(temp.storage, { ...(await current('s-lapse')), trainingExpiresAt: '2099-01-01' }, 'admin')).toBe(1);
    expect(await credentials.verify(token)).toBeNull();
  });

  it('a change that takes nothing away keeps the user\'s sessions, and a refused change ends none', async () => {
    const token = await addSignedIn('s-keep');
    const read = await current('s-keep');
    expect(await saveUser(temp.storage, { ...read, title: 'Sergeant', roles: ['officer', 'analyst'] }, 'admin')).toBe(0);
    expect(await credentials.verify(token)).toMatchObject({ user: 's-keep', roles: ['officer', 'analyst'] });
    // Based on a stale read: refused before anything is written or ended.
    expect(await refusalCode(saveUser(temp.storage, { ...read, active: false }, 'admin'))).toBe('CONCURRENT_CHANGE');
    const taken: VersionClaims = { claim: async () => false, release: async () => {} };
    expect(await refusalCode(saveUser(temp.storage, { ...(await current('s-keep')), active: false }, 'admin', taken))).toBe('CONCURRENT_CHANGE');
    expect(await credentials.verify(token)).toMatchObject({ user: 's-keep' });
  });
});
