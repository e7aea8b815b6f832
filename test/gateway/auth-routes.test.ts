// Sign-in over the real gateway (uWS, nats-server) with the real credential store on chDB:
// login, me, logout, 401, 423, a WebSocket upgrade with the token login returned, and logout
// closing the consoles open with that token.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRoutes, bearerToken, DEFAULT_SESSION_CHECK_MS, SESSION_CLOSE_REASONS, startGateway, statusLine, type Authenticator, type RunningGateway } from '../../gateway/index.js';
import { ensureStreams, MetricsRegistry, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { AccessLog, CredentialStore, saveUser, setPassword } from '../../storage/index.js';
import { FIXTURE_SCRYPT_LOG_N } from '../fixtures/scrypt.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';
import { TestConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
let temp: TempStorage;
let nats: LocalNatsServer;
let nc: NatsConnection;
let gateway: RunningGateway;
let base: string;

beforeAll(async () => {
  temp = await openTempStorage();
  const credentials = new CredentialStore(temp.storage, new AccessLog(temp.storage));
  // The storage implementation is the gateway's Authenticator as it stands.
  const authenticator: Authenticator = credentials;
  // Users side by side (each password is a scrypt hash, ~0.2 s here), and nats-server meanwhile.
  // Settled, not all: a failure is thrown only once nothing is still starting (afterAll stops what did).
  const settled = await Promise.allSettled([
    ...([['ofc1', '2026-01-15'], ['rookie', null]] as const).map(async ([id, trainedAt]) => {
      await saveUser(temp.storage, { userId: id, name: `Officer ${id}`, title: 'Officer', roles: ['officer'], trainedAt, active: true }, 'admin');
      await credentials.setPassword(id, PASSWORD, 'admin');
    }),
    // The users the lockout tests guess at, dozens of times: hashed at 2^FIXTURE_SCRYPT_LOG_N, as
    // the lockout is under test there, not scrypt; ofc1 and rookie have the product's 2^15.
    ...['ofc2', 'ofc3', 'uchief', 'uadmin'].map(async (id) => {
      await saveUser(temp.storage, { userId: id, name: `Officer ${id}`, title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', active: true }, 'admin');
      await setPassword(temp.storage, id, PASSWORD, 'admin', FIXTURE_SCRYPT_LOG_N);
    }),
    startLocalNatsServer({ storeDir: join(temp.dir, 'nats') }).then((started) => {
      nats = started;
    }),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  gateway = await startGateway({
    nc, js: jetstream(nc), registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 },
    verifySession: (token) => credentials.verify(token),
    // 10.0.0.5 stands for a load balancer on another host, in front of the loopback proxy.
    // Officers are exempt from the idle lock by default; here only dispatchers are, so an officer is told 20 minutes.
    routes: ({ sessions }) => authRoutes({ authenticator, consoles: sessions, trustedProxies: ['10.0.0.5'], timeZone: 'America/Los_Angeles', idleLock: { minutes: 20, exemptRoles: ['dispatcher'] } }),
  });
  base = gateway.url;
});

afterAll(async () => {
  await gateway?.stop();
  await nc?.close();
  await nats?.stop();
  await temp?.cleanup();
});

function login(user: string, password: string): Promise<Response> {
  return fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
}

/** A login through the reverse proxy from `address` (the gateway reads X-Forwarded-For from a loopback peer). */
function loginFrom(address: string, user: string, password: string): Promise<Response> {
  return fetch(`${base}/api/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ user, password }),
  });
}

function withToken(path: string, token: string, method = 'GET'): Promise<Response> {
  return fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
}

describe('sign-in routes', () => {
  it('logs in, answers /api/me, opens the console WebSocket with the token, and logs out', async () => {
    const res = await login('ofc1', PASSWORD);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresAt: string; user: unknown; idleLockMinutes: unknown };
    expect(body.user).toEqual({ id: 'ofc1', name: 'Officer ofc1', roles: ['officer'] });
    // When the console locks itself left without input (gateway/idle-lock.ts).
    expect(body.idleLockMinutes).toBe(20);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);

    const me = await withToken('/api/me', body.token);
    expect(me.status).toBe(200);
    const officerMay = ['hits.view', 'hits.dispose', 'detections.search', 'hotlists.view', 'hotlists.submit'];
    // The department's zone, for the console to show and read times in (not the workstation's).
    expect(await me.json()).toEqual({ user: { id: 'ofc1', name: 'Officer ofc1', roles: ['officer'] }, permissions: officerMay, expiresAt: body.expiresAt, timeZone: 'America/Los_Angeles', idleLockMinutes: 20, images: { origins: [], urlTemplate: null } });

    const consoleWs = await TestConsole.open(`${base.replace('http', 'ws')}/ws`, { token: body.token });
    expect(await consoleWs.subscribe({})).toMatchObject({ type: 'replay' });
    await consoleWs.close();

    // A console that locked itself says so; any other reason is refused, and the session stays.
    const oddReason = await fetch(`${base}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${body.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'bored' }) });
    expect(oddReason.status).toBe(400);
    expect(((await oddReason.json()) as { error: { message: string } }).error.message).toBe('"reason" may only be "idle_lock", or left out');
    expect((await withToken('/api/me', body.token)).status).toBe(200);
    expect((await withToken('/api/logout', body.token, 'POST')).status).toBe(204);
    expect((await withToken('/api/me', body.token)).status).toBe(401);
    await expect(TestConsole.open(`${base.replace('http', 'ws')}/ws`, { token: body.token })).rejects.toMatchObject({ status: 401 });
    expect((await withToken('/api/logout', body.token, 'POST')).status).toBe(401);
  });

  it('closes the consoles open with a token at once when it logs out (4401), and not the same user\'s other session', async () => {
    // Only the logout can close it in this test: the periodic check is 30 s away.
    expect(gateway.config.sessionCheckMs).toBe(DEFAULT_SESSION_CHECK_MS);
    const [ending, staying] = await Promise.all([login('ofc1', PASSWORD), login('ofc1', PASSWORD)]);
    const tokens = await Promise.all([ending, staying].map(async (r) => ((await r.json()) as { token: string }).token));
    const wsUrl = `${base.replace('http', 'ws')}/ws`;
    const [endingConsole, stayingConsole] = await Promise.all(tokens.map((token) => TestConsole.open(wsUrl, { token })));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => endingConsole!.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    let stayingClosed = false;
    stayingConsole!.ws.once('close', () => (stayingClosed = true));
    expect((await withToken('/api/logout', tokens[0]!, 'POST')).status).toBe(204);
    expect(await closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.loggedOut });
    expect((await stayingConsole!.subscribe({})).type).toBe('replay');
    expect(stayingClosed).toBe(false);
    await stayingConsole!.close();
  });

  it('answers 401 with the same message for an unknown user and a wrong password', async () => {
    // Side by side: two accounts, each a scrypt hash.
    const [unknown, wrong] = await Promise.all([login('nobody', PASSWORD), login('ofc1', 'not the right one')]);
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it('refuses /api/me without a token or with a made-up one', async () => {
    expect((await fetch(`${base}/api/me`)).status).toBe(401);
    expect((await withToken('/api/me', 'made-up-token')).status).toBe(401);
  });

  it('answers 400 to a login without user and password', async () => {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"ofc1"}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_LOGIN' } });
    const extra = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"ofc1","password":"x","remember":true}' });
    expect(extra.status).toBe(400);
    expect(await extra.json()).toMatchObject({ error: { code: 'BAD_LOGIN', message: expect.stringContaining('unknown field "remember"') } });
  });

  it('answers 403 to an untrained user with the right password (Watsonville §471.5(d))', async () => {
    const res = await login('rookie', PASSWORD);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_AUTHORISED', message: expect.stringMatching(/training/) } });
  });

  it('answers 423 Locked after 5 failed logins, even to the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('ofc2', 'not the right one')).status).toBe(401);
    const res = await login('ofc2', PASSWORD);
    expect(res.status).toBe(423);
    expect(statusLine(423)).toBe('423 Locked');
    expect(await res.json()).toMatchObject({ error: { code: 'LOCKED' } });
  });

  it('locks after 5 failures even when 15 wrong logins arrive at once', async () => {
    const statuses = await Promise.all(Array.from({ length: 15 }, () => loginFrom('198.51.100.7', 'ofc3', 'not the right one').then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 423)).toHaveLength(10);
    expect((await loginFrom('198.51.100.7', 'ofc3', PASSWORD)).status).toBe(423);
  });

  it("locks only the guessing address out of an account: the owner signs in from another, the guesser's stays locked", async () => {
    const guesser = '198.51.100.30';
    for (let i = 0; i < 5; i++) expect((await loginFrom(guesser, 'uchief', 'wrongwrongwrong')).status).toBe(401);
    expect((await loginFrom(guesser, 'uchief', PASSWORD)).status).toBe(423);
    const owner = await loginFrom('192.0.2.30', 'uchief', PASSWORD);
    expect(owner.status).toBe(200);
    const res = await loginFrom(guesser, 'uchief', PASSWORD);
    expect(res.status).toBe(423);
    expect(await res.json()).toMatchObject({ error: { code: 'LOCKED', message: expect.stringMatching(/from this address/) } });
  });

  it("answers 429 past 30 failures an hour from many addresses, but lets the owner in from where they signed in before", async () => {
    expect((await loginFrom('192.0.2.31', 'uadmin', PASSWORD)).status).toBe(200);
    // One guess from each of 30 addresses: none is locked or throttled on its own.
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom(`198.18.0.${i + 1}`, 'uadmin', 'wrongwrongwrong').then((r) => r.status)));
    expect(statuses.every((s) => s === 401)).toBe(true);
    const res = await loginFrom('198.18.1.1', 'uadmin', PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await res.json()).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/from many addresses/) } });
    expect((await loginFrom('192.0.2.31', 'uadmin', PASSWORD)).status).toBe(200);
  }, 120_000);

  it('answers 429 to an address once its failures, counting those still being checked, reach 20', async () => {
    // Unknown users, so no account lockout is involved: only the address throttle limits them.
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom('203.0.113.9', `nobody${i}`, 'guess').then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect((await loginFrom('203.0.113.9', 'ofc1', PASSWORD)).status).toBe(429);
    expect((await loginFrom('203.0.113.10', 'ofc1', PASSWORD)).status).toBe(200); // another address is not held back
  });

  it('counts failures per client behind a configured load balancer, not per balancer', async () => {
    // As the balancer and then the local proxy append them: client, balancer.
    const viaBalancer = (client: string, user: string, password: string) => loginFrom(`${client}, 10.0.0.5`, user, password);
    const statuses = await Promise.all(Array.from({ length: 21 }, (_, i) => viaBalancer('203.0.113.60', `stranger${i}`, 'guess').then((r) => r.status)));
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect((await viaBalancer('203.0.113.60', 'ofc1', PASSWORD)).status).toBe(429);
    // Another client through the same balancer signs in.
    expect((await viaBalancer('203.0.113.61', 'ofc1', PASSWORD)).status).toBe(200);
  });

  it('reads the bearer token from the Authorization header only', () => {
    expect(bearerToken({ headers: { authorization: 'Bearer abc_DEF-1' } })).toBe('abc_DEF-1');
    expect(bearerToken({ headers: { authorization: 'bearer  abc' } })).toBe('abc');
    expect(bearerToken({ headers: { authorization: 'Basic abc' } })).toBeNull();
    expect(bearerToken({ headers: {} })).toBeNull();
  });
});
