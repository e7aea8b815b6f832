// Individual sign-in over real chDB: hashing, lockout, sessions, and the access log records
// (Watsonville §471.5(d)(g)(h), §471.7(b)).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLog, CredentialStore, hashPassword, passwordMatches, passwordProblem, saveUser, setPassword, StorageError, tokenHash, verifyAccessLog,
  type AccessRecord, type Storage, type User,
} from '../../storage/index.js';
import { FIXTURE_SCRYPT_LOG_N } from '../fixtures/scrypt.js';
import { openTempStorage, type TempStorage } from './temp-storage.js';

const PASSWORD = 'correct horse battery';
const START = Date.UTC(2026, 10, 23, 12, 0, 0);
let temp: TempStorage;
let storage: Storage;
let log: AccessLog;
let clock = START;
let store: CredentialStore;

function user(userId: string, over: Partial<User> = {}): User {
  return { userId, name: `Officer ${userId}`, title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', active: true, ...over };
}

/** Registers a user whose password was set a minute before the test clock. */
async function addUser(userId: string, over: Partial<User> = {}): Promise<void> {
  await addUsers([userId, over]);
}

/**
 * `addUser` for a user the lockout tests guess at, a dozen times or more: the password hashed at
 * 2^FIXTURE_SCRYPT_LOG_N, as the lockout is under test there, not scrypt. Every other user here
 * has the product's 2^15.
 */
async function addGuessedUser(userId: string): Promise<void> {
  await saveUser(storage, user(userId), 'admin');
  await setPassword(storage, userId, PASSWORD, 'admin', FIXTURE_SCRYPT_LOG_N, clock - 60_000);
}

/**
 * `addUser` for several users side by side: each password is a scrypt hash (~0.2 s here). The
 * clock is set back once for them all and put back when every one has settled.
 */
async function addUsers(...users: [string, Partial<User>?][]): Promise<void> {
  const at = clock;
  clock -= 60_000;
  try {
    const settled = await Promise.allSettled(users.map(async ([userId, over = {}]) => {
      await saveUser(storage, user(userId, over), 'admin');
      await store.setPassword(userId, PASSWORD, 'admin');
    }));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } finally {
    clock = at;
  }
}

async function records(userId: string): Promise<Pick<AccessRecord, 'action' | 'outcome' | 'detail' | 'params'>[]> {
  const rs = await storage.client.query({
    query: `SELECT action, outcome, detail, params FROM ${storage.db}.access_log WHERE user_id = {u:String} ORDER BY seq`,
    query_params: { u: userId },
    format: 'JSONEachRow',
  });
  return rs.json();
}

beforeAll(async () => {
  temp = await openTempStorage();
  storage = temp.storage;
  log = new AccessLog(storage);
  store = new CredentialStore(storage, log, { now: () => clock });
});
afterAll(() => temp.cleanup());

describe('password hashing', () => {
  it('hashes with scrypt under a random salt and matches only the right password', async () => {
    // Side by side: each is a scrypt hash (~0.2 s here).
    const [a, b] = await Promise.all([hashPassword(PASSWORD, 'u1'), hashPassword(PASSWORD, 'u1')]);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(PASSWORD);
    const [right, wrong, plain] = await Promise.all([passwordMatches(PASSWORD, a), passwordMatches(`${PASSWORD}!`, a), passwordMatches(PASSWORD, 'plain')]);
    expect(right).toBe(true);
    expect(wrong).toBe(false);
    expect(plain).toBe(false);
  });

  it('refuses passwords under 12 characters or containing the user id', async () => {
    expect(passwordProblem('short pass1', 'u1')).toMatch(/at least 12/);
    expect(passwordProblem('my name is alice!', 'alice')).toMatch(/user id/);
    expect(passwordProblem(PASSWORD, 'u1')).toBeNull();
    await expect(store.setPassword('u1', 'too short', 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' } satisfies Partial<StorageError>);
  });

  it('refuses a user id of 4 or more characters anywhere in the password, a shorter one only as the whole password', () => {
    expect(passwordProblem('my name is ALICE!', 'alice')).toMatch(/user id/);
    expect(passwordProblem('Dancing in the Pajaro rain', 'dan')).toBeNull();
    expect(passwordProblem("Edward's garden 1964 roses", 'ed')).toBeNull();
    expect(passwordProblem("Al's Diner at Main and Beach", 'al')).toBeNull();
    for (const [password, id] of [['dan2026!!!!!!', 'dan'], ['ed2026ed2026!!', 'ed'], ['al 1234 5678 90', 'al']] as const) {
      expect(passwordProblem(password, id), password).toMatch(/user id, name or title/);
    }
  });

  it("refuses a password made of the user's own name or title with digits or symbols, here and when storage sets it", async () => {
    const diaz = { name: 'R. Diaz', title: 'Lieutenant' };
    for (const password of ['Lieutenant Diaz 2026', 'RDiaz2026!!!!', 'Diaz Diaz 1234', 'lieutenant!!2026']) {
      expect(passwordProblem(password, 'admin1', diaz), password).toMatch(/user id, name or title/);
    }
    expect(passwordProblem('Lieutenant Diaz 2026', 'admin1')).toBeNull();
    expect(passwordProblem('Diaz family picnic at Pinto Lake', 'admin1', diaz)).toBeNull();
    await saveUser(storage, user('rdiaz', diaz), 'admin');
    await expect(store.setPassword('rdiaz', 'Lieutenant Diaz 2026', 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' } satisfies Partial<StorageError>);
    expect(await store.setPassword('rdiaz', 'Diaz family picnic at Pinto Lake', 'admin')).toBe(0);
    expect((await store.login('rdiaz', 'Diaz family picnic at Pinto Lake')).ok).toBe(true);
  });

  it('refuses a password of whitespace, or with fewer than 12 characters besides it, and keeps spaces as typed', async () => {
    for (const blank of [' '.repeat(12), ' '.repeat(40), '\t\n \u00a0'.repeat(6), `abc${' '.repeat(20)}defghij`, 'twelve chars']) {
      expect(passwordProblem(blank, 'u1')).toBe('a password needs at least 12 characters other than spaces');
    }
    await expect(store.setPassword('u1', ' '.repeat(12), 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' } satisfies Partial<StorageError>);
    expect(passwordProblem('  padded passphrase 10  ', 'u1')).toBeNull();
    expect(passwordProblem('Zoë’s señal ñandú', 'u1')).toBeNull();
  });

  it('refuses a password a guesser tries first: a character or short group repeated, a run, a common password dressed up', async () => {
    for (const simple of ['aaaaaaaaaaaa', '111111111111', '            aaaaaaaaaaaa', 'abcabcabcabc', 'abcdefghijkl', 'ZYXWVUTSRQPO', '123456789012', '098765432109', 'qwertyuiopas', '1qaz2wsx3edc', 'qwerty123456']) {
      expect(passwordProblem(simple, 'u1'), simple).toMatch(/^a password may not be one character or a short group repeated, or a run/);
    }
    for (const common of ['password1234', 'Password1234!', 'P@ssw0rd2026', '2026password!', 'iloveyou2026', 'Summer2026!!', 'letmein!!2026',
      'passwordpassword', 'correct horse battery staple', 'pass word 1234 5678']) {
      expect(passwordProblem(common, 'u1'), common).toMatch(/most commonly used passwords or words/);
    }
    await expect(store.setPassword('u1', 'aaaaaaaaaaaa', 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' } satisfies Partial<StorageError>);
    expect(passwordProblem('Watsonville2026', 'u1')).toMatch(/department or its town/);
    await expect(store.setPassword('u1', 'password1234', 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' } satisfies Partial<StorageError>);
    // Passphrases, random strings, and a common word with much more than a year or a "!" added still pass.
    for (const fine of [PASSWORD, 'battery garden lamp', 'tR7#kq9!Lm2x', 'S3cret-Staple-Lamp', 'walrus tango 1917', 'blue847392016283', 'a long enough passphrase']) {
      expect(passwordProblem(fine, 'u1'), fine).toBeNull();
    }
  });

  it('keeps a hash made under the older rule working: the policy applies when a password is set, not at sign-in', async () => {
    // As hashPassword made it before the rule: scrypt of a now weak password.
    const salt = (await hashPassword('tR7#kq9!Lm2x', 'legacy1', 10)).split('$')[4]!;
    const { scrypt } = await import('node:crypto');
    const key = await new Promise<Buffer>((done, fail) => scrypt('password1234', Buffer.from(salt, 'base64url'), 32, { N: 1024, r: 8, p: 1 }, (e, k) => (e ? fail(e) : done(k))));
    const legacy = ['scrypt', 10, 8, 1, salt, key.toString('base64url')].join('$');
    expect(await passwordMatches('password1234', legacy)).toBe(true);
  });

  it('has no default password: a user without one cannot sign in', async () => {
    await saveUser(storage, user('nopass'), 'admin');
    expect(await store.login('nopass', '')).toEqual({ ok: false, reason: 'bad_credentials' });
  });
});

describe('login and sessions', () => {
  it('issues a random session token, stored only as its SHA-256', async () => {
    await addUser('ofc1');
    const out = await store.login('ofc1', PASSWORD);
    if (!out.ok) throw new Error(`login refused: ${out.reason}`);
    expect(out.token).toMatch(/^[\w-]{43}$/); // 32 bytes, base64url
    expect(out.expiresAt).toBe(START + 12 * 3_600_000);
    expect(out.user).toEqual({ id: 'ofc1', name: 'Officer ofc1', roles: ['officer'] });
    const rs = await storage.client.query({ query: `SELECT token_hash FROM ${storage.db}.sessions`, format: 'JSONEachRow' });
    const stored = (await rs.json<{ token_hash: string }>()).map((r) => r.token_hash);
    expect(stored).toContain(tokenHash(out.token));
    expect(stored).not.toContain(out.token);
    expect(await store.verify(out.token)).toEqual({ user: 'ofc1', name: 'Officer ofc1', roles: ['officer'], expiresAt: out.expiresAt });
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    await addUser('ofc2');
    expect(await store.login('ofc2', 'wrong password here')).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await store.login('nobody', PASSWORD)).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await store.verify('not-a-token')).toBeNull();
  });

  it('ends a session at its expiry', async () => {
    await addUser('ofc3');
    const short = new CredentialStore(storage, log, { now: () => clock, sessionTtlMs: 60_000 });
    const out = await short.login('ofc3', PASSWORD);
    if (!out.ok) throw new Error('login refused');
    expect(await short.verify(out.token)).not.toBeNull();
    clock += 60_000;
    try {
      expect(await short.verify(out.token)).toBeNull();
      expect(await short.logout(out.token)).toBe(false);
    } finally {
      clock = START;
    }
  });

  it('revokes a session at logout, once', async () => {
    await addUser('ofc4');
    const out = await store.login('ofc4', PASSWORD);
    if (!out.ok) throw new Error('login refused');
    expect(await store.logout(out.token)).toBe(true);
    expect(await store.verify(out.token)).toBeNull();
    expect(await store.logout(out.token)).toBe(false);
    expect((await records('ofc4')).map((r) => `${r.action}:${r.outcome}`)).toEqual(['login:ok', 'logout:ok']);
  });

  it('refuses an untrained or disabled user at login, even with the right password (§471.5(d))', async () => {
    await addUsers(['rookie', { trainedAt: null }], ['gone', { active: false }]);
    expect(await store.login('rookie', PASSWORD)).toMatchObject({ ok: false, reason: 'not_authorised', detail: expect.stringMatching(/training/) });
    expect(await store.login('gone', PASSWORD)).toMatchObject({ ok: false, reason: 'not_authorised', detail: expect.stringMatching(/not active/) });
    expect(await records('rookie')).toEqual([expect.objectContaining({ action: 'login', outcome: 'refused', detail: expect.stringMatching(/training/) })]);
  });

  it('ends the sessions of a user who is disabled or loses training at once, and for good: restoring access revives none', async () => {
    // On the real clock, as saveUser (an administrator's change) is.
    const live = new CredentialStore(storage, log);
    await addUser('ofc5');
    const signIn = async (): Promise<string> => {
      const out = await live.login('ofc5', PASSWORD);
      if (!out.ok) throw new Error('login refused');
      return out.token;
    };
    const untrained = await signIn();
    await saveUser(storage, user('ofc5', { trainedAt: null }), 'admin');
    expect(await live.verify(untrained)).toBeNull();
    await saveUser(storage, user('ofc5'), 'admin');
    expect(await live.verify(untrained)).toBeNull();
    const disabled = await signIn();
    expect(await live.verify(disabled)).not.toBeNull();
    await saveUser(storage, user('ofc5', { active: false }), 'admin');
    expect(await live.verify(disabled)).toBeNull();
    await saveUser(storage, user('ofc5'), 'admin');
    expect(await live.verify(disabled)).toBeNull();
    expect(await live.verifyMany([untrained, disabled])).toEqual(new Map([[untrained, null], [disabled, null]]));
    // Revoked in storage, not only refused while the user is: a logout of them finds nothing to end.
    expect(await live.logout(disabled)).toBe(false);
    expect(await live.verify(await signIn())).toMatchObject({ user: 'ofc5' });
  });
});

describe('password set ends sessions', () => {
  async function signIn(userId: string, password = PASSWORD): Promise<string> {
    const out = await store.login(userId, password);
    if (!out.ok) throw new Error(`login of ${userId} refused: ${out.reason}`);
    return out.token;
  }

  it('ends every other session of the user when they set their own, keeping the one they set it from, and logs it', async () => {
    await addUsers(['pw1'], ['pw1other']);
    // Side by side (each login is a scrypt hash): sign-ins that succeed, at one clock, count toward no lockout.
    const [kept, stolen, third, bystander] = await Promise.all([signIn('pw1'), signIn('pw1'), signIn('pw1'), signIn('pw1other')]);
    expect(await store.logout(third)).toBe(true); // already revoked: not counted again
    clock = START + 1;
    expect(await store.setPassword('pw1', 'a brand new passphrase', 'pw1', kept)).toBe(1);
    clock = START;
    expect(await store.verify(kept)).toMatchObject({ user: 'pw1' });
    expect(await store.verify(stolen)).toBeNull();
    expect(await store.verify(third)).toBeNull();
    expect(await store.verify(bystander)).toMatchObject({ user: 'pw1other' });
    expect(await store.logout(stolen)).toBe(false);
    const trail = await records('pw1');
    expect(trail.at(-1)).toMatchObject({ action: 'logout', outcome: 'ok', params: '{"via":"password set","setBy":"pw1","sessions":1}' });
  });

  it('ends every session of the user when an administrator (or the CLI) sets it', async () => {
    await addUser('pw2');
    const tokens = await Promise.all([signIn('pw2'), signIn('pw2')]);
    expect(await store.setPassword('pw2', 'an administrator reset', 'admin')).toBe(2);
    for (const token of tokens) expect(await store.verify(token)).toBeNull();
    // The new password signs in, and that session is not ended by the reset before it.
    const fresh = await signIn('pw2', 'an administrator reset');
    expect(await store.verify(fresh)).not.toBeNull();
    expect(await store.setPassword('pw2', 'a second administrator reset', 'admin')).toBe(1);
    expect(await store.verify(fresh)).toBeNull();
  });

  it('ends nothing when the new password is refused as weak', async () => {
    await addUser('pw3');
    const token = await signIn('pw3');
    await expect(store.setPassword('pw3', 'too short', 'admin')).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(await store.verify(token)).not.toBeNull();
  });
});

describe('verifying many sessions at once', () => {
  it('answers for every token exactly as verify does one by one, across users and past one query\'s worth', async () => {
    await addUsers(['many1'], ['many2'], ['many3']);
    // Side by side (each login is a scrypt hash): sign-ins that succeed, at one clock, count toward no lockout.
    const [valid1, valid2, revoked, ofDisabled] = (await Promise.all([
      store.login('many1', PASSWORD), store.login('many2', PASSWORD), store.login('many1', PASSWORD), store.login('many3', PASSWORD),
    ])) as { token: string }[] as [{ token: string }, { token: string }, { token: string }, { token: string }];
    await store.logout(revoked.token);
    await saveUser(storage, user('many3', { active: false }), 'admin');
    const short = new CredentialStore(storage, log, { now: () => clock, sessionTtlMs: 60_000 });
    const expiring = (await short.login('many2', PASSWORD)) as { token: string };
    clock += 60_000;
    try {
      // Unknown tokens past the 200 a query takes, so the answer spans several queries.
      const unknown = Array.from({ length: 450 }, (_, i) => `unknown-token-${i}`);
      const tokens = [valid1.token, ...unknown.slice(0, 220), valid2.token, revoked.token, ofDisabled.token, expiring.token, ...unknown.slice(220), '', 'x'.repeat(300), valid1.token];
      const many = await store.verifyMany(tokens);
      expect(new Set(many.keys())).toEqual(new Set(tokens));
      // One by one: every token that is not one of the made-up ones, and the made-up ones at each
      // end of a query's worth (a query each, ~15 ms: all 450 would be most of this test's time).
      const unknownAsked = new Set([0, 199, 200, 219, 220, 399, 400, 449].map((i) => unknown[i] as string));
      const oneByOne = new Map<string, unknown>();
      for (const token of new Set(tokens)) {
        if (!unknown.includes(token) || unknownAsked.has(token)) oneByOne.set(token, await store.verify(token));
      }
      expect(new Map([...many].filter(([token]) => oneByOne.has(token)))).toEqual(oneByOne);
      // Null for the made-up ones asked and the five real tokens that open nothing: revoked, of a
      // disabled user, expired, empty, and too long.
      expect([...oneByOne.values()].filter((s) => s === null)).toHaveLength(unknownAsked.size + 5);
      for (const token of unknown) expect(many.get(token)).toBeNull();
      expect([...many.values()].filter((s) => s !== null).map((s) => s?.user).sort()).toEqual(['many1', 'many2']);
    } finally {
      clock = START;
    }
  });
});

describe('lockout', () => {
  it('locks after 5 failures in 15 minutes, even for the right password, and lifts when they leave the window', async () => {
    await addGuessedUser('ofc6');
    for (let i = 0; i < 4; i++) {
      clock = START + i * 60_000;
      expect(await store.login('ofc6', 'wrong password here')).toEqual({ ok: false, reason: 'bad_credentials' });
    }
    clock = START + 4 * 60_000;
    expect(await store.login('ofc6', 'wrong password here')).toEqual({ ok: false, reason: 'bad_credentials' });
    clock = START + 5 * 60_000;
    expect(await store.login('ofc6', PASSWORD)).toEqual({ ok: false, reason: 'locked', lockedUntil: START + 15 * 60_000 });
    // A restart (a new store on the same tables) keeps the lock.
    const restarted = new CredentialStore(storage, log, { now: () => clock });
    expect(await restarted.login('ofc6', PASSWORD)).toMatchObject({ ok: false, reason: 'locked' });
    clock = START + 15 * 60_000;
    expect((await restarted.login('ofc6', PASSWORD)).ok).toBe(true);
    clock = START;
    const trail = (await records('ofc6')).map((r) => `${r.action}:${r.outcome}`);
    expect(trail).toEqual([
      'login:refused', 'login:refused', 'login:refused', 'login:refused', 'login:refused', 'lockout:ok', 'login:refused', 'login:refused', 'login:ok',
    ]);
    expect(JSON.stringify(await records('ofc6'))).not.toContain(PASSWORD);
  });

  it('counts failures only since the last successful login', async () => {
    await addGuessedUser('ofc7');
    for (let i = 0; i < 4; i++) await store.login('ofc7', 'wrong password here');
    clock = START + 1;
    expect((await store.login('ofc7', PASSWORD)).ok).toBe(true);
    clock = START + 2;
    await store.login('ofc7', 'wrong password here');
    clock = START + 3;
    expect((await store.login('ofc7', PASSWORD)).ok).toBe(true);
    clock = START;
  });

  it('lifts a lock when an administrator sets a new password', async () => {
    await addGuessedUser('ofc8');
    for (let i = 0; i < 5; i++) await store.login('ofc8', 'wrong password here');
    expect(await store.login('ofc8', PASSWORD)).toMatchObject({ reason: 'locked' });
    clock = START + 1;
    await store.setPassword('ofc8', 'a brand new passphrase', 'admin');
    clock = START + 2;
    expect((await store.login('ofc8', 'a brand new passphrase')).ok).toBe(true);
    clock = START;
  });

  it('locks unknown user ids the same way, so lockout reveals nothing', async () => {
    for (let i = 0; i < 5; i++) await store.login('ghost', 'wrong password here');
    expect(await store.login('ghost', PASSWORD)).toMatchObject({ ok: false, reason: 'locked' });
  });

  it("locks out only the address that failed: the owner signs in from another, and the guesser's stays locked", async () => {
    await addGuessedUser('chief1');
    for (let i = 0; i < 5; i++) expect(await store.login('chief1', 'wrong password here', '198.51.100.66')).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await store.login('chief1', PASSWORD, '198.51.100.66')).toEqual({ ok: false, reason: 'locked', lockedUntil: START + 15 * 60_000 });
    clock = START + 1;
    expect((await store.login('chief1', PASSWORD, '192.0.2.10')).ok).toBe(true);
    // The owner's success elsewhere unlocks nothing, and a new store (a restart, another gateway) keeps the lock.
    clock = START + 2;
    const restarted = new CredentialStore(storage, log, { now: () => clock });
    expect(await restarted.login('chief1', PASSWORD, '198.51.100.66')).toMatchObject({ ok: false, reason: 'locked' });
    // Nor does the CLI share the guesser's lock.
    expect((await store.checkPassword('chief1', PASSWORD, 'cli')).ok).toBe(true);
    clock = START;
    const lockout = (await records('chief1')).find((r) => r.action === 'lockout');
    expect(lockout).toMatchObject({ outcome: 'ok', params: '{"via":"http","client":"198.51.100.66"}', detail: expect.stringMatching(/from this client/) });
  });

  it("slows guessing from many addresses past the ceiling to one a minute, alike for unknown ids, but not the owner's workstation", async () => {
    // A ceiling of 4 rather than the default 30 an hour, so the test does not spend its time in scrypt.
    const ceilingStore = new CredentialStore(storage, log, { now: () => clock, accountMaxFailures: 4 });
    await addGuessedUser('chief2');
    clock = START + 1;
    expect((await ceilingStore.login('chief2', PASSWORD, '192.0.2.20')).ok).toBe(true);
    const guess = (user: string, n: number) => ceilingStore.login(user, 'wrong password here', `203.0.113.${n}`);
    for (const user of ['chief2', 'nobody2']) {
      for (let i = 0; i < 4; i++) {
        clock = START + 1_000 + i * 1_000;
        expect(await guess(user, i)).toEqual({ ok: false, reason: 'bad_credentials' });
      }
      // One failure from each address: no address is locked, the account-wide ceiling holds them back.
      clock = START + 40_000;
      expect(await ceilingStore.login(user, PASSWORD, '203.0.113.200')).toEqual({ ok: false, reason: 'slowed', retryAt: START + 4_000 + 60_000 });
    }
    // The owner, from where they signed in before, is not held back.
    expect((await ceilingStore.login('chief2', PASSWORD, '192.0.2.20')).ok).toBe(true);
    // Five more minutes of a guess every 20 s from a new address each time: five of them are checked.
    let checked = 0;
    for (let t = 60_000; t < 360_000; t += 20_000) {
      clock = START + 4_000 + t;
      const outcome = await guess('chief2', 100 + t / 20_000);
      if (outcome.ok === false && outcome.reason === 'bad_credentials') checked++;
      else expect(outcome).toMatchObject({ ok: false, reason: 'slowed' });
    }
    expect(checked).toBe(5);
    // The password set by an administrator starts the count anew.
    clock = START + 400_000;
    await ceilingStore.setPassword('chief2', 'a brand new passphrase', 'admin');
    clock = START + 400_001;
    expect((await ceilingStore.login('chief2', 'a brand new passphrase', '203.0.113.201')).ok).toBe(true);
    clock = START;
    const ceiling = (await records('chief2')).filter((r) => r.action === 'lockout');
    expect(ceiling).toEqual([expect.objectContaining({ outcome: 'ok', detail: expect.stringMatching(/^4 failed logins within 60 min from all clients/) })]);
  }, 120_000);
});

describe('password check without a session (the CLI)', () => {
  it('checks the password, logs the sign-in with where it came from, and opens no session', async () => {
    await addUser('admin9', { roles: ['administrator'] });
    const count = async () => {
      const rs = await storage.client.query({ query: `SELECT count() AS n FROM ${storage.db}.sessions WHERE user_id = 'admin9'`, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: string }>())[0]?.n);
    };
    expect(await store.checkPassword('admin9', PASSWORD, 'cli')).toEqual({ ok: true, user: { id: 'admin9', name: 'Officer admin9', roles: ['administrator'] } });
    expect(await store.checkPassword('admin9', 'wrong password here', 'cli')).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await count()).toBe(0);
    expect(await records('admin9')).toEqual([
      { action: 'login', outcome: 'ok', detail: '', params: '{"via":"cli"}' },
      { action: 'login', outcome: 'refused', detail: 'wrong password', params: '{"via":"cli"}' },
    ]);
  });
});

describe('access log', () => {
  it('keeps the hash chain intact with sign-in records', async () => {
    expect(await verifyAccessLog(storage)).toMatchObject({ ok: true });
  });
});
