// Open consoles kept to live sessions, against real components: nats-server with the HITS stream,
// the gateway's uWS server, the credential store on embedded chDB, and `ws` consoles. A session
// ended outside this gateway — the user disabled or untrained in storage (the CLI, another
// gateway), logged out or given a new password elsewhere, expired — closes the console at the
// next periodic check; each check asks about every open session in one batch.
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authRoutes, closeReason, MAX_SESSION_CHECK_MS, SESSION_CLOSE_REASONS, startGateway, type ConsoleSession, type GatewayConfig, type RunningGateway, type SessionsVerifier, type SessionVerifier,
} from '../../gateway/index.js';
import { ensureStreams, MetricsRegistry, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { AccessLog, CredentialStore, saveUser, type User } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';
import { hitMessage, publishHit, TestConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const CHECK_MS = 100;
let temp: TempStorage;
let nats: LocalNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let credentials: CredentialStore;
/** Added to the credential store's clock, to move sessions past their expiry. */
let clockShift = 0;
const gateways: RunningGateway[] = [];
const consoles: TestConsole[] = [];

/** The store's verifiers, counting what the gateway asks, and able to fail as unreachable storage does. */
interface CountingVerifiers {
  verifySession: SessionVerifier;
  verifySessions: SessionsVerifier;
  single: number;
  batches: string[][];
  failing: boolean;
  /** While set, batches wait for it before answering (a storage that hangs). */
  stall: Promise<void> | null;
}

function countingVerifiers(): CountingVerifiers {
  const v: CountingVerifiers = {
    single: 0,
    batches: [],
    failing: false,
    stall: null,
    verifySession: async (token) => {
      v.single++;
      return credentials.verify(token);
    },
    verifySessions: async (tokens) => {
      v.batches.push([...tokens]);
      if (v.stall !== null) await v.stall;
      if (v.failing) throw new Error('storage unreachable (test)');
      return credentials.verifyMany(tokens);
    },
  };
  return v;
}

async function gatewayWith(config: Partial<GatewayConfig>, verifiers: Pick<CountingVerifiers, 'verifySession'> & Partial<Pick<CountingVerifiers, 'verifySessions'>>): Promise<RunningGateway> {
  const gateway = await startGateway({ nc, js, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0, ...config }, ...verifiers });
  gateways.push(gateway);
  return gateway;
}

let fast: RunningGateway;
let fastVerifiers: CountingVerifiers;

beforeAll(async () => {
  temp = await openTempStorage();
  credentials = new CredentialStore(temp.storage, new AccessLog(temp.storage), { now: () => Date.now() + clockShift });
  nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
  nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  js = jetstream(nc);
  fastVerifiers = countingVerifiers();
  fast = await gatewayWith({ sessionCheckMs: CHECK_MS }, fastVerifiers);
});

afterAll(async () => {
  await Promise.all(consoles.map((c) => c.close()));
  for (const g of gateways) await g.stop();
  await nc?.close();
  await nats?.stop();
  await temp?.cleanup();
});

function officer(userId: string, over: Partial<User> = {}): User {
  return { userId, name: `Officer ${userId}`, title: 'Officer', roles: ['officer'], trainedAt: '2026-01-15', active: true, ...over };
}

async function addUser(userId: string): Promise<void> {
  await saveUser(temp.storage, officer(userId), 'admin');
  await credentials.setPassword(userId, PASSWORD, 'admin');
}

async function signIn(userId: string): Promise<string> {
  const out = await credentials.login(userId, PASSWORD);
  if (!out.ok) throw new Error(`login of ${userId} refused: ${out.reason}`);
  return out.token;
}

interface Watched {
  console: TestConsole;
  /** Settles when the gateway closes the socket, with its code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
}

async function openConsole(gateway: RunningGateway, token: string): Promise<Watched> {
  const c = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token });
  consoles.push(c);
  let open = true;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    c.ws.once('close', (code, reason) => {
      open = false;
      resolve({ code, reason: reason.toString() });
    });
  });
  await c.subscribe({});
  return { console: c, closed, isOpen: () => open };
}

/** Resolves once the verifier has been asked about `token` `times` more times (checks ran, whatever the clock). */
async function checksAbout(v: CountingVerifiers, token: string, times: number): Promise<void> {
  const asked = (): number => v.batches.filter((b) => b.includes(token)).length;
  const target = asked() + times;
  await expect.poll(asked, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(target);
}

const readIds = (w: Watched): string[] => w.console.hits().map((f) => (f['read'] as { id: string }).id);

describe('open consoles after their session ends elsewhere', () => {
  it('closes a console within the re-check interval once its user is disabled in storage, and it gets no hit after', async () => {
    await addUser('sw-disabled');
    await addUser('sw-bystander');
    const target = await openConsole(fast, await signIn('sw-disabled'));
    const bystander = await openConsole(fast, await signIn('sw-bystander'));
    await publishHit(js, hitMessage({ readId: 'sw-before', list: 'SW1' }));
    for (const w of [target, bystander]) await w.console.waitFor(() => readIds(w).includes('sw-before'));

    // As `platewatch users disable` or another gateway does it: straight to storage, nothing told here.
    await saveUser(temp.storage, officer('sw-disabled', { active: false }), 'admin2');
    expect(await target.closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });

    await publishHit(js, hitMessage({ readId: 'sw-after', list: 'SW1' }));
    await bystander.console.waitFor(() => readIds(bystander).includes('sw-after'));
    expect(readIds(target)).toEqual(['sw-before']);
    expect(bystander.isOpen()).toBe(true);
    expect(fast.metrics.sessionCloses.get({ code: '4401' })).toBeGreaterThanOrEqual(1);
  });

  it('closes a console whose user\'s training lapses today', async () => {
    await addUser('sw-lapsing');
    const w = await openConsole(fast, await signIn('sw-lapsing'));
    const today = new Date().toISOString().slice(0, 10);
    await saveUser(temp.storage, officer('sw-lapsing', { trainedAt: '2026-01-15', trainingExpiresAt: today }), 'admin');
    expect(await w.closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });
  });

  it('closes a console whose session was logged out on another gateway, and leaves the same user\'s other session open', async () => {
    await addUser('sw-logout');
    const [ended, other] = [await signIn('sw-logout'), await signIn('sw-logout')];
    const endedConsole = await openConsole(fast, ended);
    const otherConsole = await openConsole(fast, other);
    expect(await credentials.logout(ended)).toBe(true);
    expect(await endedConsole.closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });
    await checksAbout(fastVerifiers, other, 2);
    expect(otherConsole.isOpen()).toBe(true);
  });

  it('closes the consoles of sessions a password set elsewhere ended, and keeps the one that set it', async () => {
    await addUser('sw-passwd');
    const [changer, stolen] = [await signIn('sw-passwd'), await signIn('sw-passwd')];
    const changerConsole = await openConsole(fast, changer);
    const stolenConsole = await openConsole(fast, stolen);
    expect(await credentials.setPassword('sw-passwd', 'a brand new passphrase', 'sw-passwd', changer)).toBe(1);
    expect(await stolenConsole.closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });
    await checksAbout(fastVerifiers, changer, 2);
    expect(changerConsole.isOpen()).toBe(true);
  });

  it('closes with 4403 when the user\'s roles no longer include live hits', async () => {
    await addUser('sw-role');
    const w = await openConsole(fast, await signIn('sw-role'));
    await saveUser(temp.storage, officer('sw-role', { roles: ['custodian'] }), 'admin');
    expect(await w.closed).toEqual({ code: 4403, reason: SESSION_CLOSE_REASONS.noLiveHits });
  });

  it('closes a console when its session expires', async () => {
    await addUser('sw-expiry');
    const token = await signIn('sw-expiry');
    const w = await openConsole(fast, token);
    await checksAbout(fastVerifiers, token, 1);
    expect(w.isOpen()).toBe(true);
    clockShift = 12 * 3_600_000 + 1;
    try {
      expect((await w.closed).code).toBe(4401);
    } finally {
      clockShift = 0;
    }
  });
});

describe('a session ended on another gateway', () => {
  it('closes the console at once, not at the next periodic check ten minutes on', async () => {
    // Two gateways that check on their own only every ten minutes, each with the sign-in routes.
    const slowGateway = async (): Promise<RunningGateway> => {
      const gateway = await startGateway({
        nc, js, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0, sessionCheckMs: MAX_SESSION_CHECK_MS },
        verifySession: (token) => credentials.verify(token), verifySessions: (tokens) => credentials.verifyMany(tokens),
        routes: ({ sessions }) => authRoutes({ authenticator: credentials, consoles: sessions }),
      });
      gateways.push(gateway);
      return gateway;
    };
    const [a, b] = [await slowGateway(), await slowGateway()];
    await addUser('sw-elsewhere');
    const token = await signIn('sw-elsewhere');
    const onB = await openConsole(b, token);
    const logout = await fetch(`${a.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(204);
    const outcome = await Promise.race([onB.closed, new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000))]);
    expect(outcome).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.invalid });
  }, 30_000);
});

describe('the re-check', () => {
  it('asks about each open session once per check, in one batch, however many consoles share it', async () => {
    await addUser('sw-many1');
    await addUser('sw-many2');
    const verifiers = countingVerifiers();
    // A check only when asked: the timer would fire in 10 minutes.
    const gateway = await gatewayWith({ sessionCheckMs: 600_000 }, verifiers);
    const [t1, t2, t3] = [await signIn('sw-many1'), await signIn('sw-many1'), await signIn('sw-many2')];
    const all = [];
    for (const token of [t1, t1, t1, t2, t2, t3]) all.push(await openConsole(gateway, token));
    const upgrades = verifiers.single;
    expect(upgrades).toBe(6);

    await gateway.sessions.checkAll();
    expect(verifiers.batches).toEqual([expect.arrayContaining([t1, t2, t3])]);
    expect(verifiers.batches[0]).toHaveLength(3);
    expect(verifiers.single).toBe(upgrades);

    // A check asked for while one runs joins it.
    await Promise.all([gateway.sessions.checkAll(), gateway.sessions.checkAll()]);
    expect(verifiers.batches).toHaveLength(2);
    expect(all.every((w) => w.isOpen())).toBe(true);

    // Disabled between checks: nothing closes until the next check, which closes all its consoles.
    await saveUser(temp.storage, officer('sw-many1', { active: false }), 'admin');
    expect(all.every((w) => w.isOpen())).toBe(true);
    await gateway.sessions.checkAll();
    const codes = await Promise.all(all.slice(0, 5).map((w) => w.closed));
    expect(codes.map((c) => c.code)).toEqual([4401, 4401, 4401, 4401, 4401]);
    expect(all[5]?.isOpen()).toBe(true);
    expect(gateway.sessions.size).toBe(1);
  });

  it('keeps consoles open while storage cannot be asked, counting the failure, and still closes one at its expiry', async () => {
    // An in-memory verifier that never expires anything itself: only the gateway's own check of
    // the expiry it was given can close the console.
    const sessions = new Map<string, ConsoleSession>([
      ['tok-lasting', { user: 'disp-lasting', roles: ['dispatcher'] }],
      ['tok-expiring', { user: 'disp-expiring', roles: ['dispatcher'], expiresAt: Date.now() + 1500 }],
    ]);
    let failing = true;
    const verifySessions: SessionsVerifier = async (tokens) => {
      if (failing) throw new Error('storage unreachable (test)');
      return new Map(tokens.map((t) => [t, sessions.get(t) ?? null]));
    };
    const gateway = await gatewayWith({ sessionCheckMs: CHECK_MS }, { verifySession: async (t) => sessions.get(t) ?? null, verifySessions });
    const lasting = await openConsole(gateway, 'tok-lasting');
    const expiring = await openConsole(gateway, 'tok-expiring');
    await gateway.sessions.checkAll();
    expect(gateway.metrics.sessionCheckFailures.get()).toBeGreaterThanOrEqual(1);
    expect(await expiring.closed).toEqual({ code: 4401, reason: SESSION_CLOSE_REASONS.expired });
    expect(lasting.isOpen()).toBe(true);
    // Storage back: the lasting session is still valid, so its console stays.
    failing = false;
    await gateway.sessions.checkAll();
    expect(lasting.isOpen()).toBe(true);
    sessions.delete('tok-lasting');
    await gateway.sessions.checkAll();
    expect((await lasting.closed).code).toBe(4401);
  });

  it('stops checking when the gateway stops, and the stop does not wait for a check that hangs', async () => {
    await addUser('sw-stop');
    const verifiers = countingVerifiers();
    const gateway = await gatewayWith({ sessionCheckMs: 20 }, verifiers);
    const token = await signIn('sw-stop');
    const w = await openConsole(gateway, token);
    await checksAbout(verifiers, token, 2);
    expect(gateway.sessions.isRunning).toBe(true);
    // Storage hangs in the middle of a check; the stop goes ahead regardless.
    let release = (): void => undefined;
    verifiers.stall = new Promise((resolve) => (release = resolve));
    await checksAbout(verifiers, token, 1);
    await gateway.stop();
    expect(gateway.sessions.isRunning).toBe(false);
    expect((await w.closed).code).toBe(1001);
    const after = verifiers.batches.length;
    release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(verifiers.batches.length).toBe(after);
  });

  it('cuts a close reason to the 123 bytes a close frame carries, on a character boundary', () => {
    expect(closeReason('session ended: signed out')).toBe('session ended: signed out');
    const long = closeReason('é'.repeat(100));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(123);
    expect(long).toBe('é'.repeat(61));
  });
});
