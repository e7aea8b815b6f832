// The HTTP API's behaviour on the whole system: access-logged search with a purpose, the
// administrator's user routes, sessions (API and consoles) ended by the changes that end them,
// the auditor's access log, and bad input of every kind getting a
// clear 4xx without touching the data (issue 8: oversized bodies, wrong types, unknown fields,
// injection attempts, forged tokens, login brute force).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { SESSION_CLOSE_REASONS } from '../../gateway/index.js';
import { readsSubject } from '../../ingest/index.js';
import { findUser, saveUser } from '../../storage/index.js';
import { TestConsole } from '../gateway/harness.js';
import { until } from '../reliability/fixtures.js';
import { accessRecords, PASSWORD, startApiSystem, type ApiSystem } from './api-system.js';

let api: ApiSystem;
const DAY = Date.UTC(2026, 10, 20);

beforeAll(async () => {
  api = await startApiSystem();
  const ticket = await api.system.writer.enqueue([
    { readId: 'api-r1', agency: 'WPD', camera: 'cam-1', seenAt: DAY + 3_600_000, plate: '7ABC123', state: 'CA', confidence: 0.93 },
    { readId: 'api-r2', agency: 'WPD', camera: 'cam-2', seenAt: DAY + 7_200_000, plate: '7ABC128', state: 'CA', confidence: 0.88, heading: 142.5, vehicleYear: 2019 },
    { readId: 'api-r3', agency: 'WPD', camera: 'cam-1', seenAt: DAY + 9_000_000, plate: '5XYZ999', state: 'CA', confidence: 0.9 },
  ]);
  await ticket.durable;
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' };
const errorCode = (body: Record<string, unknown>): unknown => (body['error'] as Record<string, unknown> | undefined)?.['code'];
const errorMessage = (body: Record<string, unknown>): string => String((body['error'] as Record<string, unknown> | undefined)?.['message'] ?? '');

describe('POST /api/detections/search', () => {
  it('finds detections for a stated purpose, newest first, and logs the search with its purpose and row count', async () => {
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC12?', ...RANGE, caseNumber: '26-001234', reason: 'burglary follow-up' });
    expect(res.status).toBe(200);
    expect((res.body['rows'] as Array<{ readId: string }>).map((r) => r.readId)).toEqual(['api-r2', 'api-r1']);
    // Direction of travel and model year as stored; null (not 0) for a read that carried none.
    expect(res.body['rows']).toMatchObject([{ heading: 142.5, vehicleYear: 2019 }, { heading: null, vehicleYear: null }]);
    expect(res.body['notice']).toMatch(/recorded in the access log/);
    const logged = await accessRecords(api, 'analyst1', 'ok');
    expect(logged.filter((r) => r['action'] === 'search').at(-1)).toMatchObject({ case_number: '26-001234', reason: 'burglary follow-up', rows_returned: '2' });
  });

  it('refuses a search without a case number or reason, and logs the refusal', async () => {
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC123', ...RANGE });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('PURPOSE_REQUIRED');
    const refused = await accessRecords(api, 'analyst1', 'refused');
    expect(refused.some((r) => r['action'] === 'search' && /case or incident number/.test(r['detail'] ?? ''))).toBe(true);
  });

  it('refuses a placeholder reason given without a case number, naming what to give instead, and logs it', async () => {
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC123', ...RANGE, reason: 'n/a' });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('PURPOSE_REQUIRED');
    expect(errorMessage(res.body)).toMatch(/the reason "n\/a" does not say why the data is needed: give a case or incident number/);
    const refused = await accessRecords(api, 'analyst1', 'refused');
    expect(refused.some((r) => r['action'] === 'search' && r['reason'] === 'n/a')).toBe(true);
  });

  it('refuses unknown fields by name (a misspelt reason is not a search without a purpose)', async () => {
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC123', ...RANGE, reasn: 'typo' });
    expect(res.status).toBe(400);
    expect(errorMessage(res.body)).toMatch(/unknown field "reasn"/);
  });

  it('answers wrong types and bad values with 400 naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ plate: 7, ...RANGE, reason: 'stolen vehicle follow-up' }, /"plate" must be text/],
      [{ plate: '7ABC123', from: 20261120, to: RANGE.to, reason: 'stolen vehicle follow-up' }, /"from" must be text/],
      [{ plate: '7ABC123', from: 'yesterday', to: RANGE.to, reason: 'stolen vehicle follow-up' }, /"from" must be an ISO 8601 time/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', limit: 100000 }, /"limit" must be a number from 1 to 1000/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', near: { lat: 95, lon: 0, radiusMeters: 10 } }, /"lat" must be a number/],
      [{ plate: '7AB*', match: 'exact', ...RANGE, reason: 'stolen vehicle follow-up' }, /partial pattern/],
      [[1, 2, 3], /JSON object/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', limit: 1.5 }, /^"limit" must be a whole number from 1 to 1000$/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', before: 'abc' }, /^"before" must be the previous page's nextCursor, unchanged$/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', near: [36.9, -121.7] }, /^"near" must be a JSON object with lat, lon, radiusMeters$/],
      [{ plate: '7ABC123', ...RANGE, reason: 'stolen vehicle follow-up', cameras: ['cam1', 'c'.repeat(201)] }, /^"cameras" item 2 must be a name of 1–200 characters$/],
    ];
    for (const [body, message] of cases) {
      const res = await api.call('POST', '/api/detections/search', api.token('analyst'), body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(errorMessage(res.body)).toMatch(message);
    }
  });

  it('refuses a body with half a surrogate pair (not Unicode text, so not loggable) as bad JSON, and runs nothing', async () => {
    const before = (await accessRecords(api, 'analyst1')).length;
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC123', ...RANGE, reason: 'stolen \ud800 vehicle' });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('BAD_JSON');
    expect(errorMessage(res.body)).toMatch(/not valid Unicode/);
    expect((await accessRecords(api, 'analyst1')).length).toBe(before);
    // A whole pair is text like any other.
    expect((await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '7ABC123', ...RANGE, reason: 'stolen \u{1F697} follow-up' })).status).toBe(200);
  });

  it('treats injection attempts as values: refused as plates, or stored literally as a purpose (parameters only)', async () => {
    for (const plate of ["7ABC' OR 1=1 --", '7ABC%', "*') UNION SELECT * FROM system.users --"]) {
      const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate, ...RANGE, reason: 'injection test' });
      expect({ plate, status: res.status }).toEqual({ plate, status: 400 });
    }
    const reason = "x'); DROP TABLE platewatch.detections; --";
    const res = await api.call('POST', '/api/detections/search', api.token('analyst'), { plate: '5XYZ999', ...RANGE, reason });
    expect(res.status).toBe(200);
    expect((res.body['rows'] as unknown[]).length).toBe(1);
    const logged = await accessRecords(api, 'analyst1', 'ok');
    expect(logged.some((r) => r['reason'] === reason)).toBe(true);
    // The table is still there and whole.
    const again = await api.call('POST', '/api/detections/search', api.token('analyst'), { ...RANGE, reason: 'after injection attempt' });
    expect((again.body['rows'] as unknown[]).length).toBe(3);
  });

  it('refuses a body over the limit with 413 and non-JSON with 400/415', async () => {
    const big = await fetch(`${api.base}/api/detections/search`, {
      method: 'POST', headers: { authorization: `Bearer ${api.token('analyst')}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const notJson = await fetch(`${api.base}/api/detections/search`, {
      method: 'POST', headers: { authorization: `Bearer ${api.token('analyst')}`, 'content-type': 'application/json' }, body: '{"plate": ',
    });
    expect(notJson.status).toBe(400);
    const wrongType = await fetch(`${api.base}/api/detections/search`, { method: 'POST', headers: { authorization: `Bearer ${api.token('analyst')}`, 'content-type': 'text/plain' }, body: 'plate=7ABC123' });
    expect(wrongType.status).toBe(415);
    const text = await wrongType.text();
    expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack traces to clients
  });
});

describe('users (administrator)', () => {
  it('adds a user with their own password, who can then sign in; refuses duplicates and weak passwords', async () => {
    const admin = api.token('administrator');
    const weak = await api.call('POST', '/api/users', admin, { id: 'ofc9', name: 'N. Ine', title: 'Officer', roles: ['officer'], trainedAt: '2026-03-01', password: 'short' });
    expect(weak.status).toBe(400);
    expect(errorCode(weak.body)).toBe('WEAK_PASSWORD');
    const added = await api.call('POST', '/api/users', admin, { id: 'ofc9', name: 'N. Ine', title: 'Officer', roles: ['officer'], trainedAt: '2026-03-01', password: PASSWORD });
    expect(added.status).toBe(201);
    expect(added.body['user']).toMatchObject({ id: 'ofc9', roles: ['officer'], trainingStatus: 'trained', active: true });
    expect((await api.call('POST', '/api/users', admin, { id: 'ofc9', name: 'X', title: 'Y', roles: ['officer'], password: PASSWORD })).status).toBe(409);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: PASSWORD })).status).toBe(200);
    const list = await api.call('GET', '/api/users', api.token('auditor'));
    expect((list.body['users'] as Array<{ id: string }>).map((u) => u.id)).toContain('ofc9');
  });

  it('refuses an unknown role, a training expiry before training, a training date to come, and an administrator disabling themself', async () => {
    const admin = api.token('administrator');
    expect((await api.call('POST', '/api/users/ofc9', admin, { roles: ['overlord'] })).status).toBe(400);
    expect((await api.call('POST', '/api/users/ofc9', admin, { trainingExpiresAt: '2026-01-01' })).status).toBe(400);
    for (const trainedAt of ['2026-13-01', '2026-02-30', '2026-00-10']) {
      const res = await api.call('POST', '/api/users/ofc9', admin, { trainedAt });
      expect({ trainedAt, status: res.status, message: errorMessage(res.body) }).toEqual({ trainedAt, status: 400, message: '"trainedAt" must be a date, YYYY-MM-DD' });
    }
    const future = await api.call('POST', '/api/users/ofc9', admin, { trainedAt: '2099-01-01' });
    expect(future.status).toBe(400);
    expect(errorMessage(future.body)).toMatch(/"trainedAt" is a day still to come/);
    const self = await api.call('POST', '/api/users/administrator1', admin, { active: false });
    expect(self.status).toBe(409);
    expect(errorCode(self.body)).toBe('SELF_LOCKOUT');
    // Separation of duties: no administrator makes themself the Chief (releases) or an auditor.
    const grant = await api.call('POST', '/api/users/administrator1', admin, { roles: ['administrator', 'chief'] });
    expect(grant.status).toBe(403);
    expect(errorCode(grant.body)).toBe('SELF_ROLE_GRANT');
    expect((await accessRecords(api, 'administrator1', 'refused')).some((r) => r['action'] === 'user' && /you cannot give yourself a role \(chief\)/.test(r['detail'] ?? ''))).toBe(true);
    const list = await api.call('GET', '/api/users', api.token('auditor'));
    expect((list.body['users'] as Array<{ id: string; roles: string[] }>).find((u) => u.id === 'administrator1')?.roles).toEqual(['administrator']);
    expect((await api.call('POST', '/api/users/nobody', admin, { active: false })).status).toBe(404);
  });

  it('a lapsed training date takes effect at once; renewing it restores sign-in but not the old session; every change is logged', async () => {
    const admin = api.token('administrator');
    const login = await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: PASSWORD });
    const token = login.body['token'] as string;
    // An expiry of today has lapsed (one in the past is refused as a typo).
    const today = new Date().toISOString().slice(0, 10);
    expect((await api.call('POST', '/api/users/ofc9', admin, { trainedAt: '2025-01-01', trainingExpiresAt: today })).status).toBe(200);
    expect((await api.call('GET', '/api/hits/unresolved', token)).status).toBe(401);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: PASSWORD })).status).toBe(403);
    expect((await api.call('POST', '/api/users/ofc9', admin, { trainedAt: '2026-06-01', trainingExpiresAt: null })).status).toBe(200);
    expect((await api.call('GET', '/api/hits/unresolved', token)).status).toBe(401);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: PASSWORD })).status).toBe(200);
    const changes = (await accessRecords(api, 'administrator1', 'ok')).filter((r) => r['action'] === 'user');
    expect(changes.length).toBeGreaterThanOrEqual(3);
  });

  it('lets a user change their own password but not someone else\'s (role escalation refused and logged)', async () => {
    const me = await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: PASSWORD });
    const token = me.body['token'] as string;
    expect((await api.call('POST', '/api/users/ofc9/password', token, { password: 'a new long passphrase 9', currentPassword: PASSWORD })).status).toBe(204);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc9', password: 'a new long passphrase 9' })).status).toBe(200);
    const other = await api.call('POST', '/api/users/administrator1/password', token, { password: 'taken over passphrase 1' });
    expect(other.status).toBe(403);
    const promote = await api.call('POST', '/api/users/ofc9', token, { roles: ['administrator'] });
    expect(promote.status).toBe(403);
    const refused = await accessRecords(api, 'ofc9', 'refused');
    expect(refused.filter((r) => r['action'] === 'user').length).toBe(2);
  });

  it('keeps a password exactly as typed, spaces included, so it signs in as typed', async () => {
    const padded = '  padded passphrase 10  ';
    const added = await api.call('POST', '/api/users', api.token('administrator'), { id: 'ofc11', name: 'P. Added', title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', password: padded });
    expect(added.status).toBe(201);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc11', password: padded })).status).toBe(200);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc11', password: padded.trim() })).status).toBe(401);
  });
});

describe('GET /api/hits/unresolved and /api/hits/escalated', () => {
  it('logs each listing as a hit view with the rows it returned (§471.7(b))', async () => {
    expect((await api.call('GET', '/api/hits/unresolved', api.token('dispatcher'))).status).toBe(200);
    expect((await api.call('GET', '/api/hits/escalated', api.token('supervisor'))).status).toBe(200);
    const dispatcher = (await accessRecords(api, 'dispatcher1', 'ok')).filter((r) => r['action'] === 'hit_view');
    expect(dispatcher.at(-1)).toMatchObject({ params: '{"via":"api","list":"unresolved"}', reason: 'unresolved hits (dispatch console)', rows_returned: '0' });
    const supervisor = (await accessRecords(api, 'supervisor1', 'ok')).filter((r) => r['action'] === 'hit_view');
    expect(supervisor.at(-1)).toMatchObject({ params: '{"via":"api","list":"escalated"}' });
  });
});

describe('GET /api/refused-reads (the administrator and a camera integrator)', () => {
  it("lists a read the running pipeline refused, with its reason, for the camera asked about; logs the reading", async () => {
    const read = { v: 1, id: 'bad-1', agency: 'wpd', camera: 'cam-9', ts: Date.now(), plate: '7ABC123' }; // no conf
    await api.system.js.publish(readsSubject('wpd', 'cam-9'), pack(read));
    const admin = api.token('administrator');
    let body: Record<string, unknown> = {};
    await until('the refused read on the API', async () => {
      const res = await api.call('GET', '/api/refused-reads?agency=wpd&camera=cam-9', admin);
      body = res.body;
      return res.status === 200 && (body['messages'] as unknown[]).length > 0 ? true : undefined;
    }, 20_000);
    expect(body['messages']).toEqual([expect.objectContaining({ subject: 'alpr.reads.wpd.cam-9', refusals: [{ reason: 'conf is missing', positions: [-1] }] })]);
    expect((await accessRecords(api, 'administrator1', 'ok')).filter((r) => r['action'] === 'refused_reads').at(-1)).toMatchObject({
      params: expect.stringContaining('"camera":"cam-9"'), rows_returned: '1',
    });
    // Another camera's refusals are not in the answer; a bad filter is a 400 naming it.
    expect((await api.call('GET', '/api/refused-reads?camera=cam-8', admin)).body['messages']).toEqual([]);
    const bad = await api.call('GET', '/api/refused-reads?camera=cam.9', admin);
    expect({ status: bad.status, code: errorCode(bad.body) }).toEqual({ status: 400, code: 'BAD_REFUSED_READS_QUERY' });
    expect(errorMessage(bad.body)).toMatch(/^"camera" must be the camera as in the camera's subject/);
  });
});

describe('sessions end with the change that ends them, consoles included', () => {
  const NEW = 'ofc ten new passphrase';
  const RESET = 'ofc ten reset passphrase';

  interface Watched {
    console: TestConsole;
    closed: Promise<{ code: number; reason: string }>;
    isOpen(): boolean;
  }

  async function watched(token: string): Promise<Watched> {
    const c = await TestConsole.open(`${api.base.replace('http', 'ws')}/ws`, { token });
    let open = true;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => c.ws.once('close', (code, reason) => {
      open = false;
      resolve({ code, reason: reason.toString() });
    }));
    await c.subscribe({});
    return { console: c, closed, isOpen: () => open };
  }

  /** The system's periodic check is 30 s apart: a close this soon came from the change itself. */
  function atOnce<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the console was not closed at once')), 5000).unref())]);
  }

  async function signIn(user: string, password = PASSWORD): Promise<string> {
    const res = await api.call('POST', '/api/login', undefined, { user, password });
    expect(res.status).toBe(200);
    return res.body['token'] as string;
  }

  beforeAll(async () => {
    expect(api.system.gateway?.config.sessionCheckMs).toBe(30_000);
    const added = await api.call('POST', '/api/users', api.token('administrator'), { id: 'ofc10', name: 'T. En', title: 'Officer', roles: ['officer'], trainedAt: '2026-03-01', password: PASSWORD });
    expect(added.status).toBe(201);
  });

  it('refuses a change of your own password without the current one or with a wrong one, logs both, and changes nothing', async () => {
    const token = await signIn('ofc10');
    const before = (await accessRecords(api, 'ofc10', 'refused')).filter((r) => r['action'] === 'user').length;
    const missing = await api.call('POST', '/api/users/ofc10/password', token, { password: 'taken over passphrase 10' });
    expect(missing.status).toBe(400);
    expect(errorCode(missing.body)).toBe('CURRENT_PASSWORD_REQUIRED');
    const wrong = await api.call('POST', '/api/users/ofc10/password', token, { password: 'taken over passphrase 10', currentPassword: 'a guess at the password' });
    expect(wrong.status).toBe(403);
    expect(errorCode(wrong.body)).toBe('WRONG_PASSWORD');
    const refused = (await accessRecords(api, 'ofc10', 'refused')).filter((r) => r['action'] === 'user');
    expect(refused.slice(before).map((r) => r['detail'])).toEqual([expect.stringMatching(/needs "currentPassword"/), expect.stringMatching(/is not your current password/)]);
    // The wrong guess counts as a failed sign-in, towards the lockout.
    expect((await accessRecords(api, 'ofc10', 'refused')).some((r) => r['action'] === 'login' && /"via":"password change"/.test(r['params'] ?? ''))).toBe(true);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc10', password: 'taken over passphrase 10' })).status).toBe(401);
    expect((await api.call('GET', '/api/me', token)).status).toBe(200);
  });

  it('a change of your own password with the current one ends your other sessions and closes their consoles at once, keeping its own', async () => {
    const [mine, other] = [await signIn('ofc10'), await signIn('ofc10')];
    const myConsole = await watched(mine);
    const otherConsole = await watched(other);
    const res = await api.call('POST', '/api/users/ofc10/password', mine, { password: NEW, currentPassword: PASSWORD });
    expect(res.status).toBe(204);
    expect(await atOnce(otherConsole.closed)).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.passwordSet });
    expect((await api.call('GET', '/api/me', other)).status).toBe(401);
    expect((await api.call('GET', '/api/me', mine)).status).toBe(200);
    expect((await myConsole.console.subscribe({})).type).toBe('replay');
    expect(myConsole.isOpen()).toBe(true);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc10', password: PASSWORD })).status).toBe(401);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc10', password: NEW })).status).toBe(200);
    const logged = (await accessRecords(api, 'ofc10', 'ok')).filter((r) => r['action'] === 'user');
    expect(JSON.parse(logged.at(-1)?.['params'] ?? '{}')).toMatchObject({ op: 'password', user: 'ofc10', sessionsEnded: expect.any(Number) });
    await myConsole.console.close();
  });

  it('an administrator\'s reset needs no current password, ends every session of the user and closes their consoles at once', async () => {
    const admin = api.token('administrator');
    const token = await signIn('ofc10', NEW);
    const c = await watched(token);
    const withCurrent = await api.call('POST', '/api/users/ofc10/password', admin, { password: RESET, currentPassword: NEW });
    expect(withCurrent.status).toBe(400);
    expect(errorMessage(withCurrent.body)).toMatch(/"currentPassword" is for changing your own password/);
    expect(c.isOpen()).toBe(true);
    expect((await api.call('POST', '/api/users/ofc10/password', admin, { password: RESET })).status).toBe(204);
    expect(await atOnce(c.closed)).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.passwordSet });
    expect((await api.call('GET', '/api/me', token)).status).toBe(401);
    expect((await api.call('GET', '/api/me', admin)).status).toBe(200);
    expect((await api.call('POST', '/api/login', undefined, { user: 'ofc10', password: RESET })).status).toBe(200);
  });

  it('disabling a user, lapsing their training or taking live hits from their roles through the API closes their consoles at once', async () => {
    const admin = api.token('administrator');
    const today = new Date().toISOString().slice(0, 10);
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, { code: number; reason: string }]> = [
      [{ active: false }, { active: true }, { code: 4401, reason: SESSION_CLOSE_REASONS.disabled }],
      [{ trainingExpiresAt: today }, { trainingExpiresAt: null }, { code: 4401, reason: SESSION_CLOSE_REASONS.notTrained }],
      [{ roles: ['custodian'] }, { roles: ['officer'] }, { code: 4403, reason: SESSION_CLOSE_REASONS.noLiveHits }],
    ];
    for (const [change, undo, expected] of cases) {
      const c = await watched(await signIn('ofc10', RESET));
      expect((await api.call('POST', '/api/users/ofc10', admin, change)).status).toBe(200);
      expect({ change, closed: await atOnce(c.closed) }).toEqual({ change, closed: expected });
      expect((await api.call('POST', '/api/users/ofc10', admin, undo)).status).toBe(200);
    }
    // A change that takes nothing away leaves the console open.
    const c = await watched(await signIn('ofc10', RESET));
    expect((await api.call('POST', '/api/users/ofc10', admin, { title: 'Senior Officer' })).status).toBe(200);
    expect((await c.console.subscribe({})).type).toBe('replay');
    expect(c.isOpen()).toBe(true);
    await c.console.close();
  });

  it('a user disabled outside this gateway (the CLI, another gateway) loses their console at the periodic check', async () => {
    const c = await watched(await signIn('ofc10', RESET));
    const { storage } = api.system;
    const user = await findUser(storage, 'ofc10');
    await saveUser(storage, { ...user!, active: false }, 'administrator1');
    expect(c.isOpen()).toBe(true); // nothing told this gateway
    await api.system.gateway?.sessions.checkAll(); // what the timer runs every sessionCheckMs
    expect(await atOnce(c.closed)).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });
    await saveUser(storage, { ...(await findUser(storage, 'ofc10'))!, active: true }, 'administrator1');
  });
});

describe('GET /api/hits/:id', () => {
  it('shows a stored hit with its dispositions for a stated purpose, logs the look-up, and refuses without one', async () => {
    const { recordHits, recordDisposition } = await import('../../storage/index.js');
    const { storage } = api.system;
    const seenAt = DAY + 3_600_000;
    await recordHits(storage, [{ hitId: 'api-hit-1', readId: 'api-r1', agency: 'WPD', camera: 'cam-1', seenAt, plate: '7ABC123', list: 'SVS', entryId: '7ABC123', entryVersion: 3, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match' }]);
    await recordDisposition(storage, { hitId: 'api-hit-1', seenAt, user: 'officer1', disposition: 'recovered', visualVerified: true, cletsVerified: true, notes: 'towed' });
    const refused = await api.call('GET', '/api/hits/api-hit-1', api.token('dispatcher'));
    expect(refused.status).toBe(400);
    expect(errorCode(refused.body)).toBe('PURPOSE_REQUIRED');
    const res = await api.call('GET', '/api/hits/api-hit-1?caseNumber=26-000777', api.token('dispatcher'));
    expect(res.status).toBe(200);
    expect(res.body['hit']).toMatchObject({ hitId: 'api-hit-1', list: 'SVS', plate: '7ABC123' });
    expect(res.body['dispositions']).toEqual([expect.objectContaining({ user: 'officer1', disposition: 'recovered', notes: 'towed' })]);
    const logged = await accessRecords(api, 'dispatcher1');
    expect(logged.filter((r) => r['action'] === 'hit_view' && (r['params'] ?? '').includes('hitId')).map((r) => [r['outcome'], r['case_number']])).toEqual([['refused', ''], ['ok', '26-000777']]);
    expect((await api.call('GET', '/api/hits/no-such?reason=disposition%20review', api.token('dispatcher'))).status).toBe(404);
  });
});

describe('consoles', () => {
  it('watching live hits is on the access log, with the filter; a role without hits.view is refused and logged', async () => {
    const { TestConsole } = await import('../gateway/harness.js');
    const wsUrl = `${api.base.replace('http', 'ws')}/ws`;
    const dispatcher = await TestConsole.open(wsUrl, { token: api.token('dispatcher') });
    await dispatcher.subscribe({ cameras: ['cam-1'] });
    await dispatcher.close();
    // Written to chDB after the socket opens: a deadline, not 50 tries (5 s were short on a loaded machine).
    const logged = await until('the console watch on the access log', async () => {
      const rows = (await accessRecords(api, 'dispatcher1', 'ok')).filter((r) => r['action'] === 'hit_view' && /"via":"console"/.test(r['params'] ?? ''));
      return rows.length > 0 ? rows : undefined;
    }, 20_000);
    expect(logged[0]?.['params']).toContain('"cameras":["cam-1"]');
    await expect(TestConsole.open(wsUrl, { token: api.token('custodian') })).rejects.toMatchObject({ status: 403 });
    const refused = await until('the refused upgrade on the access log', async () => {
      const rows = (await accessRecords(api, 'custodian1', 'refused')).filter((r) => r['action'] === 'hit_view');
      return rows.length > 0 ? rows : undefined;
    }, 20_000);
    expect(refused[0]?.['detail']).toMatch(/console upgrade refused/);
  }, 60_000);
});

describe('audit (auditor)', () => {
  it('reads the access log with filters, and the reading is itself logged', async () => {
    const res = await api.call('GET', '/api/audit/log?user=analyst1&action=search&outcome=refused', api.token('auditor'));
    expect(res.status).toBe(200);
    const records = res.body['records'] as Array<Record<string, unknown>>;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r['user_id'] === 'analyst1' && r['action'] === 'search' && r['outcome'] === 'refused')).toBe(true);
    const mine = await accessRecords(api, 'auditor1', 'ok');
    expect(mine.some((r) => r['action'] === 'audit' && /read_log/.test(r['params'] ?? ''))).toBe(true);
    expect((await api.call('GET', '/api/audit/log?limit=0', api.token('auditor'))).status).toBe(400);
    expect((await api.call('GET', '/api/audit/log?sql=1', api.token('auditor'))).status).toBe(400);
  });

  it('verifies every hash chain', async () => {
    const res = await api.call('GET', '/api/audit/verify', api.token('auditor'));
    expect(res.status).toBe(200);
    expect(res.body['ok']).toBe(true);
    expect((res.body['chains'] as unknown[]).length).toBeGreaterThan(0);
  });
});

describe('login brute force', () => {
  it('rate-limits failed logins per client address with 429 and Retry-After, across user ids', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 40 && limited === undefined; i++) {
      const res = await fetch(`${api.base}/api/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ user: `guess${i}`, password: 'wrong password guess' }),
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password is refused from that address while it is limited…
    const right = await fetch(`${api.base}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ user: 'officer1', password: PASSWORD }),
    });
    expect(right.status).toBe(429);
    // …while another address is not affected.
    const other = await fetch(`${api.base}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.4' }, body: JSON.stringify({ user: 'officer1', password: PASSWORD }),
    });
    expect(other.status).toBe(200);
  });
});
