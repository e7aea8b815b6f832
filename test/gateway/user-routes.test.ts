// The administrator's user routes over the real gateway (uWS, nats-server) and the real credential
// store on chDB: a session ended by disabling or untraining stays ended when access comes back, an
// administrator's reset ends every session, ids are unique whatever their case, names and titles
// hold no control characters, passwords are more than whitespace, a training expiry is not in the
// past, and the list says who can sign in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoutes } from '../../gateway/index.js';
import { CredentialStore, findUser, saveUser, type User } from '../../storage/index.js';
import { errorOf, FIXTURE_PASSWORD, startApiFixture, type ApiFixture } from './api-fixture.js';

const PASSWORD = 'a long enough passphrase';
let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({
    users: [['admin1', 'administrator'], ['aud1', 'auditor']],
    routes: ({ guard, accessLog, temp }) => userRoutes({ guard, storage: temp.storage, accessLog, credentials: new CredentialStore(temp.storage, accessLog) }),
  });
});

afterAll(async () => {
  await api?.stop();
});

const today = (): string => new Date().toISOString().slice(0, 10);

function addUser(fields: Record<string, unknown>): Promise<Response> {
  return api.call('POST', '/api/users', 'admin1', { name: 'D. Ispatcher', title: 'Dispatcher', roles: ['dispatcher'], trainedAt: '2026-01-15', password: PASSWORD, ...fields });
}

async function added(id: string): Promise<void> {
  const res = await addUser({ id });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
}

async function signIn(user: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${api.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function meStatus(token: string): Promise<number> {
  return (await fetch(`${api.base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

function change(id: string, body: Record<string, unknown>): Promise<Response> {
  return api.call('POST', `/api/users/${id}`, 'admin1', body);
}

async function listed(): Promise<Array<Record<string, unknown>>> {
  const res = await api.call('GET', '/api/users', 'aud1');
  expect(res.status).toBe(200);
  return ((await res.json()) as { users: Array<Record<string, unknown>> }).users;
}

describe('sessions when access is withdrawn and given back', () => {
  it('a token ended by disabling the user stays ended when they are enabled again; they sign in anew', async () => {
    await added('disp1');
    const token = await signIn('disp1');
    expect(await meStatus(token)).toBe(200);
    expect((await change('disp1', { active: false })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
    expect((await change('disp1', { active: true })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
    expect(await meStatus(await signIn('disp1'))).toBe(200);
  });

  it('a token ended by withdrawing training stays ended when the user is trained again', async () => {
    await added('disp2');
    const token = await signIn('disp2');
    expect((await change('disp2', { trainedAt: null })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
    expect((await change('disp2', { trainedAt: '2026-02-01' })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
  });

  it('a token ended by a lapsed training stays ended when the expiry is extended', async () => {
    await added('disp3');
    const token = await signIn('disp3');
    expect((await change('disp3', { trainingExpiresAt: today() })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
    expect((await change('disp3', { trainingExpiresAt: '2099-01-01' })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
  });

  it('logs how many sessions a change ended', async () => {
    await added('disp4');
    await signIn('disp4');
    await signIn('disp4');
    expect((await change('disp4', { active: false })).status).toBe(200);
    const rs = await api.temp.storage.client.query({
      query: `SELECT params FROM ${api.temp.storage.db}.access_log WHERE user_id = 'admin1' AND action = 'user' ORDER BY seq DESC LIMIT 1`, format: 'JSONEachRow',
    });
    expect(JSON.parse((await rs.json<{ params: string }>())[0]!.params)).toEqual({ op: 'update', user: 'disp4', changes: { active: false }, rolesAdded: [], sessionsEnded: 2 });
  });

  it('an administrator\'s reset of a password ends every session of the user', async () => {
    await added('disp5');
    const tokens = [await signIn('disp5'), await signIn('disp5')];
    expect((await api.call('POST', '/api/users/disp5/password', 'admin1', { password: 'a reset passphrase 55' })).status).toBe(204);
    for (const token of tokens) expect(await meStatus(token)).toBe(401);
    expect(await meStatus(await signIn('disp5', 'a reset passphrase 55'))).toBe(200);
  });
});

describe('user ids', () => {
  it('refuses an id that differs from a registered one only in case, with 409 USER_EXISTS naming it', async () => {
    expect(await errorOf(await addUser({ id: 'ADMIN1' }))).toEqual({
      status: 409, code: 'USER_EXISTS', message: 'user "ADMIN1" exists already as "admin1": user ids are unique whatever their case',
    });
    await added('JSmith');
    expect(await errorOf(await addUser({ id: 'jsmith' }))).toMatchObject({ status: 409, code: 'USER_EXISTS', message: expect.stringContaining('as "JSmith"') });
    expect((await listed()).filter((u) => String(u['id']).toLowerCase() === 'jsmith').map((u) => u['id'])).toEqual(['JSmith']);
    expect((await listed()).map((u) => u['id'])).not.toContain('ADMIN1');
  });

  it('keeps a mixed-case id working as stored: sign-in, changes and the same id added twice', async () => {
    await added('RDiaz');
    expect(await meStatus(await signIn('RDiaz'))).toBe(200);
    expect((await change('RDiaz', { title: 'Sergeant' })).status).toBe(200);
    expect(await errorOf(await addUser({ id: 'RDiaz' }))).toMatchObject({ status: 409, code: 'USER_EXISTS' });
  });

  it('refuses the ids the system logs its own actions under with 400 RESERVED_USER_ID, adding no user', async () => {
    for (const id of ['platewatch-system', 'PLATEWATCH-SYSTEM', 'system', 'retroactive']) {
      expect(await errorOf(await addUser({ id, roles: ['analyst'] }))).toMatchObject({
        status: 400, code: 'RESERVED_USER_ID', message: expect.stringMatching(new RegExp(`^user id "${id}" is reserved: the system records its own actions under "platewatch-system"`)),
      });
    }
    expect((await listed()).map((u) => String(u['id']).toLowerCase())).not.toContain('platewatch-system');
  });

  it('lists a user stored under a reserved id before the rule as reserved_id, and refuses their sign-in', async () => {
    // As a version written before the rule: straight into the table.
    const storage = api.temp.storage;
    await storage.client.insert({
      table: `${storage.db}.users`, format: 'JSONEachRow',
      values: [{ user_id: 'system', version: 1, name: 'Pre-rule', title: 'Analyst', roles: ['analyst'], trained_at: '2026-01-15', training_expires_at: null, active: true, updated_at: Date.now(), updated_by: 'admin' }],
    });
    await new CredentialStore(storage, api.accessLog).setPassword('system', PASSWORD, 'admin');
    expect((await listed()).find((u) => u['id'] === 'system')).toMatchObject({ status: 'reserved_id' });
    const login = await fetch(`${api.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'system', password: PASSWORD }) });
    expect(login.status).toBe(403);
  });
});

describe('names and titles', () => {
  it('refuses control characters in a name or title with 400 naming the field, adding no user', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'cc1', name: 'N\u0000\n<script>' }, '"name"'],
      [{ id: 'cc2', name: 'Line\nBreak' }, '"name"'],
      [{ id: 'cc3', name: 'Trailing return\r' }, '"name"'],
      [{ id: 'cc4', title: 'Officer\tII' }, '"title"'],
      [{ id: 'cc5', title: 'Next\u0085Line' }, '"title"'],
      [{ id: 'cc6', name: 'Del\u007f' }, '"name"'],
    ];
    for (const [fields, field] of cases) {
      expect({ fields, answer: await errorOf(await addUser(fields)) }).toEqual({
        fields, answer: { status: 400, code: 'BAD_USER', message: `${field} may not contain control characters (tab, line break, NUL and the like)` },
      });
    }
    const ids = (await listed()).map((u) => u['id']);
    for (const [fields] of cases) expect(ids).not.toContain(fields['id']);
  });

  it('refuses them in a change too, leaving the user as they were', async () => {
    await added('cc7');
    expect(await errorOf(await change('cc7', { name: 'A\u0000B' }))).toMatchObject({ status: 400, code: 'BAD_USER', message: expect.stringMatching(/^"name" may not/) });
    expect(await errorOf(await change('cc7', { title: 'Sgt\n' }))).toMatchObject({ status: 400, code: 'BAD_USER', message: expect.stringMatching(/^"title" may not/) });
    expect(await findUser(api.temp.storage, 'cc7')).toMatchObject({ version: 1, name: 'D. Ispatcher', title: 'Dispatcher' });
  });

  it('keeps names of any script, with accents, apostrophes and hyphens, as given', async () => {
    const res = await addUser({ id: 'uni1', name: 'Zoë O’Brien-Núñez d\'Arc', title: 'Capitán' });
    expect(res.status).toBe(201);
    expect((await change('uni1', { name: '李 小龍', title: 'Agent de police' })).status).toBe(200);
    expect(await findUser(api.temp.storage, 'uni1')).toMatchObject({ name: '李 小龍', title: 'Agent de police' });
  });
});

describe('passwords', () => {
  it('refuses a password of spaces, or one with fewer than 12 characters besides them, adding no user', async () => {
    for (const password of [' '.repeat(12), `short${' '.repeat(12)}`]) {
      expect(await errorOf(await addUser({ id: 'blank1', password }))).toEqual({
        status: 400, code: 'WEAK_PASSWORD', message: 'a password needs at least 12 characters other than spaces',
      });
    }
    expect((await listed()).map((u) => u['id'])).not.toContain('blank1');
    expect(await errorOf(await api.call('POST', '/api/users/aud1/password', 'admin1', { password: ' '.repeat(12) }))).toMatchObject({ status: 400, code: 'WEAK_PASSWORD' });
    expect(await meStatus(await signIn('aud1', FIXTURE_PASSWORD))).toBe(200);
  });

  it('refuses a password a guesser tries first with 400 WEAK_PASSWORD, adding no user or changing none', async () => {
    expect(await errorOf(await addUser({ id: 'weak1', password: 'aaaaaaaaaaaa' }))).toMatchObject({ status: 400, code: 'WEAK_PASSWORD', message: expect.stringMatching(/one character or a short group repeated/) });
    expect(await errorOf(await addUser({ id: 'weak1', password: 'password1234' }))).toMatchObject({ status: 400, code: 'WEAK_PASSWORD', message: expect.stringMatching(/most commonly used/) });
    expect((await listed()).map((u) => u['id'])).not.toContain('weak1');
    // The new user's own name and title: refused before the user is saved, as the others are.
    expect(await errorOf(await addUser({ id: 'weak2', name: 'R. Diaz', title: 'Lieutenant', password: 'Lieutenant Diaz 2026' }))).toMatchObject({ status: 400, code: 'WEAK_PASSWORD' });
    expect((await listed()).map((u) => u['id'])).not.toContain('weak2');
    expect(await errorOf(await api.call('POST', '/api/users/aud1/password', 'admin1', { password: 'Password1234!' }))).toMatchObject({ status: 400, code: 'WEAK_PASSWORD' });
    expect(await meStatus(await signIn('aud1', FIXTURE_PASSWORD))).toBe(200);
  });
});

describe('training expiry', () => {
  it('refuses an expiry already past, on adding and changing a user', async () => {
    const past = await addUser({ id: 'exp1', trainedAt: '2025-01-01', trainingExpiresAt: '2026-01-01' });
    expect(await errorOf(past)).toEqual({
      status: 400, code: 'BAD_USER', message: '"trainingExpiresAt" 2026-01-01 is a day already past: give the day the training will lapse, today at the earliest (today ends access now)',
    });
    expect((await listed()).map((u) => u['id'])).not.toContain('exp1');
    await added('exp2');
    expect(await errorOf(await change('exp2', { trainedAt: '2025-01-01', trainingExpiresAt: '2026-01-01' }))).toMatchObject({ status: 400, code: 'BAD_USER' });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await errorOf(await change('exp2', { trainingExpiresAt: yesterday }))).toMatchObject({ status: 400, message: expect.stringContaining('already past') });
    expect((await change('exp2', { trainingExpiresAt: '2099-01-01' })).status).toBe(200);
    expect((await change('exp2', { trainingExpiresAt: today() })).status).toBe(200);
  });

  it('still changes other fields of a user whose stored expiry has passed since', async () => {
    await saveUser(api.temp.storage, { userId: 'exp3', name: 'L. Apsed', title: 'Officer', roles: ['officer'], trainedAt: '2025-01-01', trainingExpiresAt: '2026-01-01', active: true }, 'admin');
    expect((await change('exp3', { title: 'Senior Officer' })).status).toBe(200);
  });
});

describe('GET /api/users', () => {
  it('says who can sign in now: active, disabled, untrained or training_expired', async () => {
    const storage = api.temp.storage;
    const base: Omit<User, 'userId'> = { name: 'S. Tatus', title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', active: true };
    // Straight to storage: a lapsed expiry is what time makes of one, which the API does not take.
    await saveUser(storage, { ...base, userId: 'st-active' }, 'admin');
    await saveUser(storage, { ...base, userId: 'st-disabled', active: false }, 'admin');
    await saveUser(storage, { ...base, userId: 'st-untrained', trainedAt: null }, 'admin');
    await saveUser(storage, { ...base, userId: 'st-lapsed', trainedAt: '2025-01-01', trainingExpiresAt: '2026-01-01' }, 'admin');
    await saveUser(storage, { ...base, userId: 'st-lapsed-off', trainedAt: '2025-01-01', trainingExpiresAt: '2026-01-01', active: false }, 'admin');
    const users = new Map((await listed()).map((u) => [u['id'], u]));
    expect(Object.fromEntries(['st-active', 'st-disabled', 'st-untrained', 'st-lapsed', 'st-lapsed-off'].map((id) => [id, users.get(id)?.['status']]))).toEqual({
      'st-active': 'active', 'st-disabled': 'disabled', 'st-untrained': 'untrained', 'st-lapsed': 'training_expired', 'st-lapsed-off': 'disabled',
    });
    expect(users.get('st-lapsed')).toMatchObject({ active: true, trainingStatus: 'expired' });
    // A filter the list does not take is refused, not silently ignored.
    const filtered = await api.call('GET', '/api/users?status=disabled', 'aud1');
    expect(filtered.status).toBe(400);
    expect(((await filtered.json()) as { error: { message: string } }).error.message).toBe('unknown query parameter "status": this endpoint takes none');
    // What the answers to adding and changing a user show too.
    const res = await addUser({ id: 'st-new', trainedAt: null });
    expect(((await res.json()) as { user: Record<string, unknown> }).user).toMatchObject({ id: 'st-new', status: 'untrained' });
  });
});
