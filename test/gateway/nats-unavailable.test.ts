// NATS not answering, over the real gateway (uWS), a real nats-server paused with SIGSTOP (a hung
// server keeps its socket open) and real chDB: recording a disposition and reading the hot lists
// are answered 503 NATS_UNAVAILABLE with Retry-After and a message a dispatcher can act on, the
// disposition is not recorded, and the log has one warning without a stack trace (found by QA:
// 500 INTERNAL "it has been logged", a stack trace per request). Then stopped for good: the same.
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedDispositions } from '../../bin/disposition-recorder.js';
import { accessLogRefusals } from '../../bin/refusal-log.js';
import { ApiGuard, authRoutes, CovertLists, dispositionRoutes, HttpError, hotlistRoutes, startGateway, storageRefusalAsHttp, type RunningGateway } from '../../gateway/index.js';
import { isNatsUnavailable, natsUnavailableAsHttp } from '../../gateway/nats-errors.js';
import { ensureStreams, MetricsRegistry, openHotlistStore, openVersionClaims, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { AccessLog, CredentialStore, dispositionsOf, recordHits, saveUser, StorageError } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';

const PASSWORD = 'a long enough passphrase';
let temp: TempStorage;
let nats: LocalNatsServer;
let nc: NatsConnection;
let gateway: RunningGateway;
let paused = false;
const tokens = new Map<string, string>();
/** The gateway's log, one parsed JSON line each. */
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  temp = await openTempStorage();
  const accessLog = new AccessLog(temp.storage);
  const credentials = new CredentialStore(temp.storage, accessLog);
  for (const [id, role] of [['disp1', 'dispatcher'], ['admin1', 'administrator']] as const) {
    await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'setup');
    await credentials.setPassword(id, PASSWORD, 'setup');
  }
  nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
  // Short request timeouts: what is tested is the answer to a timeout, not how long it takes.
  nc = await connect({ servers: nats.url, timeout: 2_000 });
  await ensureStreams(await jetstreamManager(nc));
  const js = jetstream(nc, { timeout: 1_500 });
  // As `up` wires them: the recorder and the hot list routes claim their changes in NATS KV.
  const claims = await openVersionClaims(js);
  const store = await openHotlistStore(js);
  const logger = pino({ level: 'info' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }));
  const guard = new ApiGuard(credentials, accessLogRefusals(accessLog));
  const covert = new CovertLists();
  gateway = await startGateway({
    nc, js, registry: new MetricsRegistry(), logger, config: { port: 0 },
    verifySession: (token) => credentials.verify(token),
    routes: ({ feed, fanOut }) => [
      ...authRoutes({ authenticator: credentials }),
      ...dispositionRoutes({ guard, recorder: storedDispositions(temp.storage, accessLog, claims), accessLog, feed, fanOut, covert }),
      ...hotlistRoutes({
        guard, hotlists: { storage: temp.storage, accessLog, config: resolveMatcherConfig(), claims }, store, covert, staleAfterMs: 86_400_000,
        immigrationMessageKeys: ['EIV', 'IV'], layouts: {},
      }),
    ],
  });
  for (const user of ['disp1', 'admin1']) {
    const res = await fetch(`${gateway.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    tokens.set(user, ((await res.json()) as { token: string }).token);
  }
  for (const hitId of ['hung-1', 'gone-1']) {
    await recordHits(temp.storage, [{
      hitId, readId: `r-${hitId}`, agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '7ABC123', list: 'SVS',
      entryId: '7ABC123', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
  }
}, 60_000);

afterAll(async () => {
  if (paused) process.kill(nats.pid, 'SIGCONT');
  await gateway?.stop();
  await nc?.close().catch(() => {});
  await nats?.stop();
  await temp?.cleanup();
});

async function call(method: string, path: string, user: string, body?: unknown): Promise<{ status: number; retryAfter: string | null; error: { code?: string; message?: string } }> {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens.get(user) as string}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${gateway.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as { error?: { code?: string; message?: string } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), error: json.error ?? {} };
}

const misread = { disposition: 'misread', visualVerified: true, cletsVerified: false, notes: '' };

/** The log lines of answers about NATS, and any line with a stack trace, since `from`. */
function outageLines(from: number): { warnings: Array<Record<string, unknown>>; stacks: Array<Record<string, unknown>> } {
  const lines = logged.slice(from);
  return {
    warnings: lines.filter((l) => l['code'] === 'NATS_UNAVAILABLE'),
    stacks: lines.filter((l) => JSON.stringify(l).includes('"stack"')),
  };
}

function expectNatsUnavailable(reply: Awaited<ReturnType<typeof call>>): void {
  expect(reply.status).toBe(503);
  expect(reply.error.code).toBe('NATS_UNAVAILABLE');
  expect(reply.error.message).toMatch(/message bus \(NATS\) is not answering.*try again in a moment/);
  expect(Number(reply.retryAfter)).toBeGreaterThan(0);
}

describe('NATS not answering', () => {
  it('answers a disposition and the hot list overview 503 NATS_UNAVAILABLE while nats-server is hung, records nothing, and warns once each without a stack', async () => {
    const from = logged.length;
    process.kill(nats.pid, 'SIGSTOP');
    paused = true;
    const disposition = await call('POST', '/api/hits/hung-1/disposition', 'disp1', misread);
    expectNatsUnavailable(disposition);
    expect(disposition.error.message).toContain('nothing was recorded');
    const overview = await call('GET', '/api/hotlists', 'admin1');
    expectNatsUnavailable(overview);
    process.kill(nats.pid, 'SIGCONT');
    paused = false;

    expect(await dispositionsOf(temp.storage, 'hung-1')).toEqual([]);
    const { warnings, stacks } = outageLines(from);
    expect(warnings.map((l) => [l['level'], l['url']])).toEqual([[40, '/api/hits/hung-1/disposition'], [40, '/api/hotlists']]);
    expect(warnings[0]?.['cause']).toMatch(/^TimeoutError/);
    expect(stacks).toEqual([]);
    // Answering again once NATS does.
    expect((await call('GET', '/api/hotlists', 'admin1')).status).toBe(200);
  }, 60_000);

  it('answers the same once nats-server is gone for good', async () => {
    await nats.stop();
    const disposition = await call('POST', '/api/hits/gone-1/disposition', 'disp1', misread);
    expectNatsUnavailable(disposition);
    expectNatsUnavailable(await call('GET', '/api/hotlists', 'admin1'));
    expect(await dispositionsOf(temp.storage, 'gone-1')).toEqual([]);
  }, 60_000);
});

describe('natsUnavailableAsHttp', () => {
  it('maps the errors of a server that does not answer, also as a cause, and leaves every other error alone', () => {
    expect(isNatsUnavailable(new TimeoutError())).toBe(true);
    expect(isNatsUnavailable(new RequestError('connection closed'))).toBe(true);
    expect(isNatsUnavailable(new Error('claim failed', { cause: new TimeoutError() }))).toBe(true);
    expect(isNatsUnavailable(Object.assign(new Error('timeout'), { name: 'NatsError', code: 'TIMEOUT' }))).toBe(true);
    expect(isNatsUnavailable(Object.assign(new Error('no responders'), { name: 'NatsError', code: '503' }))).toBe(true);
    // Another library's error with such a code is not NATS's.
    expect(isNatsUnavailable(Object.assign(new Error('query failed'), { code: '503' }))).toBe(false);
    const other = new Error('a bug');
    expect(natsUnavailableAsHttp(other)).toBe(other);
    const refusal = new HttpError(409, 'ALREADY_RESOLVED', 'no');
    expect(natsUnavailableAsHttp(refusal)).toBe(refusal);
    // Through storage's mapping, as every route that maps storage errors there gets it.
    expect(storageRefusalAsHttp(new TimeoutError())).toMatchObject({ status: 503, code: 'NATS_UNAVAILABLE', retryAfterSeconds: 5 });
    expect(storageRefusalAsHttp(new StorageError('CONCURRENT_CHANGE', 'again'))).toMatchObject({ status: 409 });
  });
});
