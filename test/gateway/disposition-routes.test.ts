// Recording a disposition over the real gateway (uWS, nats-server) with the real credential store
// and the storage-side recorder on chDB: 401, 403, 400, 404, 200; every console is told at once,
// and the hit is no longer replayed (Watsonville §471.5(f)(1)–(3)). Each disposition is on the
// access log; a covert list's hit is "not found" to everyone not named for it (README). A hit on a
// list that is not a stolen vehicle or plate list takes the wanted-person check on its own
// (`personVerified`, §471.5(f)(2)), needed to act on it.
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedDispositions } from '../../bin/disposition-recorder.js';
import { accessLogRefusals } from '../../bin/refusal-log.js';
import { ApiGuard, authRoutes, CovertLists, dispositionFields, dispositionRoutes, HIT_DISPOSITIONS, startGateway, type RunningGateway } from '../../gateway/index.js';
import { ensureStreams, MetricsRegistry, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { AccessLog, CredentialStore, DISPOSITIONS, dispositionsOf, recordHits, saveUser, StorageError, viewHit, type AccessEntry, type StoredHit } from '../../storage/index.js';
import { openTempStorage, type TempStorage } from '../storage/temp-storage.js';
import { hitMessage, publishHit, TestConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
let temp: TempStorage;
let accessLog: AccessLog;
let nats: LocalNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let gateway: RunningGateway;
let base: string;
let wsUrl: string;
const tokens = new Map<string, string>();
/** det1 works NARC; adm2 is an administrator who is not named for it. */
const covert = new CovertLists({ NARC: ['det1'] });
/** While set, the disposition recorder's access log appends fail as a full disk makes them fail. */
let accessLogDown = false;

beforeAll(async () => {
  temp = await openTempStorage();
  accessLog = new AccessLog(temp.storage);
  const recorderLog = {
    append: (entry: AccessEntry) => (accessLogDown ? Promise.reject(new StorageError('QUERY_FAILED', 'access log append failed: no space left on device')) : accessLog.append(entry)),
  };
  const credentials = new CredentialStore(temp.storage, accessLog);
  for (const [id, role] of [['ofc1', 'officer'], ['disp1', 'dispatcher'], ['ana1', 'analyst'], ['det1', 'officer'], ['adm2', 'administrator']] as const) {
    await saveUser(temp.storage, { userId: id, name: `User ${id}`, title: role, roles: [role], trainedAt: '2026-01-15', active: true }, 'admin');
    await credentials.setPassword(id, PASSWORD, 'admin');
  }
  nats = await startLocalNatsServer({ storeDir: join(temp.dir, 'nats') });
  nc = await connect({ servers: nats.url });
  await ensureStreams(await jetstreamManager(nc));
  js = jetstream(nc);
  gateway = await startGateway({
    nc, js, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 },
    // As `up` does: a console's session carries the covert lists it may not see.
    verifySession: async (token) => {
      const session = await credentials.verify(token);
      return session === null ? null : { ...session, hiddenLists: covert.hiddenFor(session.user) };
    },
    routes: ({ feed, fanOut }) => [
      ...authRoutes({ authenticator: credentials }),
      ...dispositionRoutes({
        guard: new ApiGuard(credentials, accessLogRefusals(accessLog)), recorder: storedDispositions(temp.storage, recorderLog), accessLog: recorderLog, feed, fanOut, covert,
      }),
    ],
  });
  base = gateway.url;
  wsUrl = `${base.replace('http', 'ws')}/ws`;
  for (const user of ['ofc1', 'disp1', 'ana1', 'det1', 'adm2']) {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    tokens.set(user, ((await res.json()) as { token: string }).token);
  }
});

afterAll(async () => {
  await gateway?.stop();
  await nc?.close();
  await nats?.stop();
  await temp?.cleanup();
});

function token(user: string): string {
  return tokens.get(user) as string;
}

function postDisposition(hitId: string, body: unknown, bearer?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer !== undefined) headers['authorization'] = `Bearer ${bearer}`;
  return fetch(`${base}/api/hits/${encodeURIComponent(hitId)}/disposition`, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

const verified = { visualVerified: true, cletsVerified: true };

describe('POST /api/hits/:hitId/disposition', () => {
  it('has the same dispositions as storage', () => {
    expect([...HIT_DISPOSITIONS].sort()).toEqual([...DISPOSITIONS].sort());
  });

  it('answers 401 without a session or with a made-up token', async () => {
    expect((await postDisposition('h1', { disposition: 'misread', ...verified })).status).toBe(401);
    expect((await postDisposition('h1', { disposition: 'misread', ...verified }, 'made-up')).status).toBe(401);
  });

  it('answers 403 to a role that may not record dispositions, naming the roles that may', async () => {
    const e = await errorOf(await postDisposition('h1', { disposition: 'misread', ...verified }, token('ana1')));
    expect(e).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(e.message).toContain('officer, dispatcher, supervisor, administrator');
    // The refusal is on the record for the audit (Watsonville §471.7(b)).
    const rows = await temp.storage.client.query({
      query: `SELECT user_id, action, outcome, detail FROM ${temp.storage.db}.access_log WHERE user_id = 'ana1' AND outcome = 'refused'`,
      format: 'JSONEachRow',
    });
    expect(await rows.json()).toEqual([expect.objectContaining({ action: 'disposition', detail: expect.stringContaining('hits.dispose') })]);
  });

  it('answers 400 to an acted-on disposition without both checks, naming the missing one', async () => {
    for (const disposition of ['confirmed', 'arrest', 'recovered']) {
      const e = await errorOf(await postDisposition('h1', { disposition, visualVerified: true, cletsVerified: false }, token('ofc1')));
      expect(e).toMatchObject({ status: 400, code: 'NOT_VERIFIED' });
      expect(e.message).toContain('cletsVerified');
      expect(e.message).not.toContain('visualVerified');
    }
    const both = await errorOf(await postDisposition('h1', { disposition: 'confirmed', visualVerified: false, cletsVerified: false }, token('ofc1')));
    expect(both.message).toMatch(/visualVerified.*and cletsVerified/);
  });

  it('answers 400 to "other" without a reason, an unknown disposition, or missing checks', async () => {
    expect(await errorOf(await postDisposition('h1', { disposition: 'other', ...verified, notes: '  ' }, token('ofc1')))).toMatchObject({ status: 400, code: 'REASON_REQUIRED' });
    expect(await errorOf(await postDisposition('h1', { disposition: 'towed', ...verified }, token('ofc1')))).toMatchObject({ status: 400, code: 'BAD_DISPOSITION' });
    expect(await errorOf(await postDisposition('h1', { disposition: 'misread' }, token('ofc1')))).toMatchObject({ status: 400, code: 'BAD_DISPOSITION' });
    // A misspelt field (here the notes) is refused by name rather than recorded without it.
    expect(await errorOf(await postDisposition('h1', { disposition: 'misread', visualVerified: false, cletsVerified: false, note: 'plate obscured' }, token('ofc1')))).toMatchObject({
      status: 400, code: 'BAD_DISPOSITION', message: expect.stringContaining('unknown field "note"'),
    });
    // Set-aside outcomes need no checks.
    expect(dispositionFields({ disposition: 'misread', visualVerified: false, cletsVerified: false })).toEqual({ disposition: 'misread', visualVerified: false, cletsVerified: false, notes: '' });
  });

  it('puts each refused answer on the access log: acted on without the checks as a refusal, a malformed one as invalid', async () => {
    // None of these was on the log; an answer of "confirmed" without the §471.5(f) checks is what an auditor looks for (verification QA).
    await postDisposition('h1', { disposition: 'arrest', visualVerified: false, cletsVerified: true }, token('disp1'));
    await postDisposition('h1', { disposition: 'other', ...verified, notes: ' ' }, token('disp1'));
    await postDisposition('h1', { disposition: 'towed', ...verified }, token('disp1'));
    const records = (await dispositionRecords('disp1')).filter((r) => r.params.includes('"hitId":"h1"')).slice(-3);
    expect(records.map((r) => [r.outcome, r.detail.split(':')[0]])).toEqual([['refused', 'NOT_VERIFIED'], ['invalid', 'REASON_REQUIRED'], ['invalid', 'BAD_DISPOSITION']]);
    expect(JSON.parse(records[0]!.params)).toEqual({ hitId: 'h1', disposition: 'arrest' });
    // A disposition not on the list is not copied into the log.
    expect(JSON.parse(records[2]!.params)).toEqual({ hitId: 'h1' });
  });

  it('takes notes of nothing but whitespace and invisible format characters (U+200B, U+2060, U+FEFF) as no reason', async () => {
    await recordHits(temp.storage, [{
      hitId: 'invisible', readId: 'r-invisible', agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '6INV123', list: 'SVS',
      entryId: '6INV123', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    for (const notes of ['\u200B', ' \u200B\u2060\uFEFF\u00AD ', '\u200E\t']) {
      expect(await errorOf(await postDisposition('invisible', { disposition: 'other', ...verified, notes }, token('ofc1'))), JSON.stringify(notes)).toMatchObject({ status: 400, code: 'REASON_REQUIRED' });
    }
    expect((await postDisposition('invisible', { disposition: 'misread', visualVerified: false, cletsVerified: false }, token('ofc1'))).status).toBe(200);
    expect(await errorOf(await postDisposition('invisible', { disposition: 'no_action', visualVerified: false, cletsVerified: false, correction: true, notes: '\u200B' }, token('ofc1'))))
      .toMatchObject({ status: 400, code: 'REASON_REQUIRED', message: 'a correction needs its reason in notes' });
    // Visible text keeps its inner characters; the invisible ones around it go.
    expect(dispositionFields({ disposition: 'other', visualVerified: false, cletsVerified: false, notes: '\u200B towed by owner \uFEFF' }).notes).toBe('towed by owner');
  });

  it('records a "correction" of a hit with no answer yet as its first answer, not announced as a correction', async () => {
    await recordHits(temp.storage, [{
      hitId: 'unanswered', readId: 'r-unanswered', agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '6UNA123', list: 'SVS',
      entryId: '6UNA123', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    const officer = await TestConsole.open(wsUrl, { token: token('ofc1') });
    await officer.subscribe({});
    const res = await postDisposition('unanswered', { disposition: 'misread', visualVerified: true, cletsVerified: false, correction: true, notes: 'plate obscured' }, token('disp1'));
    expect(res.status).toBe(200);
    expect(await res.json()).not.toHaveProperty('correction');
    expect(await officer.waitFor((f) => f.type === 'disposition' && f['hitId'] === 'unanswered', 2_000)).not.toHaveProperty('correction');
    const view = await viewHit({ storage: temp.storage, accessLog }, { user: 'ofc1', purpose: { reason: 'disposition test' }, hitId: 'unanswered' });
    expect(view?.dispositions).toEqual([expect.objectContaining({ disposition: 'misread', notes: 'plate obscured' })]);
    expect(view?.dispositions[0]).not.toHaveProperty('correction');
    await officer.close();
  });

  it('answers 404 to a hit neither the gateway nor storage knows', async () => {
    expect(await errorOf(await postDisposition('no-such-hit', { disposition: 'misread', ...verified }, token('ofc1')))).toMatchObject({ status: 404, code: 'UNKNOWN_HIT' });
  });

  it('records a disposition, tells every console at once, and stops replaying the hit', async () => {
    const officer = await TestConsole.open(wsUrl, { token: token('ofc1') });
    const analyst = await TestConsole.open(wsUrl, { token: token('ana1') });
    await officer.subscribe({});
    await analyst.subscribe({});
    const message = hitMessage({ readId: 'disp-1' });
    const other = hitMessage({ readId: 'disp-2' });
    await publishHit(js, message);
    await publishHit(js, other);
    await officer.waitForHits(2);
    await analyst.waitForHits(2);

    const res = await postDisposition(message.hitId, { disposition: 'confirmed', ...verified, notes: 'stopped at Main & 5th' }, token('disp1'));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Record<string, unknown>;
    const recorded = { hitId: message.hitId, disposition: 'confirmed', user: 'disp1', visualVerified: true, cletsVerified: true };
    expect(reply).toEqual({ ...recorded, list: message.hit.list, at: expect.any(String) });
    expect(Math.abs(Date.parse(reply['at'] as string) - Date.now())).toBeLessThan(10_000);

    for (const c of [officer, analyst]) {
      const frame = await c.waitFor((f) => f.type === 'disposition', 1000);
      expect(frame).toEqual({ type: 'disposition', ...recorded, at: reply['at'] });
    }

    const late = await TestConsole.open(wsUrl, { token: token('ofc1') });
    const replay = await late.subscribe({});
    expect((replay['hits'] as Array<{ hitId: string }>).map((h) => h.hitId)).toEqual([other.hitId]);
    await Promise.all([officer.close(), analyst.close(), late.close()]);

    // Stored under the user who recorded it, with the checks.
    await recordHits(temp.storage, [{
      hitId: message.hitId, readId: message.read.id, agency: 'wpd', camera: 'cam1', seenAt: message.read.ts, plate: '7ABC123', list: 'SVS',
      entryId: '7ABC123', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    const view = await viewHit({ storage: temp.storage, accessLog }, { user: 'ofc1', purpose: { reason: 'disposition test' }, hitId: message.hitId });
    expect(view?.dispositions).toEqual([expect.objectContaining({ user: 'disp1', disposition: 'confirmed', visualVerified: true, cletsVerified: true, notes: 'stopped at Main & 5th' })]);
  });

  it('records a disposition for a hit only storage still holds (past the replay window)', async () => {
    await recordHits(temp.storage, [{
      hitId: 'stored-only', readId: 'r-stored', agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 86_400_000, plate: '5XYZ999', list: 'SVS',
      entryId: '5XYZ999', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    const res = await postDisposition('stored-only', { disposition: 'other', visualVerified: false, cletsVerified: false, notes: 'vehicle already impounded' }, token('ofc1'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hitId: 'stored-only', disposition: 'other', user: 'ofc1' });
  });

  it('refuses a second disposition of a resolved hit with 409, naming the first, unless it is a correction with its reason', async () => {
    await recordHits(temp.storage, [{
      hitId: 'twice', readId: 'r-twice', agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '6TWC123', list: 'SVS',
      entryId: '6TWC123', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
    }]);
    // Two consoles answer at once: one is recorded, the other is told who answered first.
    const both = await Promise.all([
      postDisposition('twice', { disposition: 'misread', visualVerified: true, cletsVerified: false }, token('disp1')),
      postDisposition('twice', { disposition: 'not_located', visualVerified: false, cletsVerified: false }, token('ofc1')),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const first = both.find((r) => r.status === 200) as Response;
    const winner = ((await first.json()) as { user: string; disposition: string; at: string });
    const refused = (await (both.find((r) => r.status === 409) as Response).json()) as { error: { code: string; message: string; resolved: unknown } };
    expect(refused.error.code).toBe('ALREADY_RESOLVED');
    // Who, how and when as fields too: a console reads them rather than parsing the message.
    expect(refused.error.resolved).toEqual({ user: winner.user, disposition: winner.disposition, at: winner.at });
    expect(refused.error.message).toMatch(new RegExp(`^this hit was already resolved as "${winner.disposition}" by ${winner.user} at 20\\d\\d-.*Z; to change that, send "correction": true with the reason in notes$`));

    const noReason = await postDisposition('twice', { disposition: 'no_action', visualVerified: false, cletsVerified: false, correction: true }, token('disp1'));
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: { code: string } }).error.code).toBe('REASON_REQUIRED');
    const corrected = await postDisposition('twice', { disposition: 'no_action', visualVerified: false, cletsVerified: false, correction: true, notes: 'clicked the wrong button' }, token('disp1'));
    expect(corrected.status).toBe(200);
    // The notice says it is a correction, so consoles show the answer as one.
    expect(await corrected.json()).toMatchObject({ disposition: 'no_action', user: 'disp1', correction: true });
    expect(winner).not.toHaveProperty('correction');
    const view = await viewHit({ storage: temp.storage, accessLog }, { user: 'ofc1', purpose: { reason: 'disposition test' }, hitId: 'twice' });
    expect(view?.dispositions.map((d) => d.disposition)).toEqual([winner.disposition, 'no_action']);
    // Which answers are corrections: every one after the first.
    expect(view?.dispositions[0]).not.toHaveProperty('correction');
    expect(view?.dispositions[1]).toMatchObject({ disposition: 'no_action', correction: true });
    expect((await postDisposition('twice', { disposition: 'misread', visualVerified: false, cletsVerified: false, correction: 'yes' }, token('disp1'))).status).toBe(400);
  });
});

function storedHit(hitId: string, list: string): StoredHit {
  return {
    hitId, readId: `r-${hitId}`, agency: 'wpd', camera: 'cam1', seenAt: Date.now() - 60_000, plate: '3NRC333', list,
    entryId: '3NRC333', entryVersion: 1, matchKind: 'exact', distance: 0, differing: [], stateMatch: 'match',
  };
}

/** The access log's disposition records of `user`, oldest first. */
async function dispositionRecords(user: string): Promise<Array<{ outcome: string; params: string; reason: string; detail: string }>> {
  const rows = await temp.storage.client.query({
    query: `SELECT outcome, params, reason, detail FROM ${temp.storage.db}.access_log WHERE user_id = {user:String} AND action = 'disposition' ORDER BY seq`,
    query_params: { user }, format: 'JSONEachRow',
  });
  return rows.json();
}

/** Everything the access log says about `user`, as one text: to look for a covert list's name. */
async function everythingLoggedOf(user: string): Promise<string> {
  const rows = await temp.storage.client.query({
    query: `SELECT * FROM ${temp.storage.db}.access_log WHERE user_id = {user:String}`, query_params: { user }, format: 'JSONEachRow',
  });
  return JSON.stringify(await rows.json());
}

/** The answer as a user sees it, with `hitId` written as `as`: the same for a covert hit and a hit that does not exist. */
async function answerAs(res: Response, hitId: string, as: string): Promise<{ status: number; body: string }> {
  return { status: res.status, body: (await res.text()).replaceAll(hitId, as) };
}

describe('a covert list\'s hit answered by a user not named for the list', () => {
  const setAside = { disposition: 'misread', visualVerified: false, cletsVerified: false };
  const correction = { ...setAside, correction: true, notes: 'wrong plate' };

  it('is answered 404 UNKNOWN_HIT exactly as a hit that does not exist, first answer or correction, and nothing is recorded', async () => {
    await recordHits(temp.storage, [storedHit('narc-stored', 'NARC')]);
    for (const body of [setAside, correction]) {
      const unknown = await answerAs(await postDisposition('narc-unknown', body, token('disp1')), 'narc-unknown', 'ID');
      expect(unknown.status).toBe(404);
      expect(await answerAs(await postDisposition('narc-stored', body, token('disp1')), 'narc-stored', 'ID')).toEqual(unknown);
      expect(await answerAs(await postDisposition('narc-stored', body, token('adm2')), 'narc-stored', 'ID')).toEqual(unknown);
    }
    expect(await dispositionsOf(temp.storage, 'narc-stored')).toEqual([]);
  });

  it('is answered 404 while the gateway holds it live, and stays unresolved for the covert team', async () => {
    const detective = await TestConsole.open(wsUrl, { token: token('det1') });
    await detective.subscribe({});
    const live = hitMessage({ readId: 'narc-live', list: 'NARC' });
    await publishHit(js, live);
    await detective.waitFor((f) => f.type === 'hit' && f['hitId'] === live.hitId);
    const e = await errorOf(await postDisposition(live.hitId, { ...setAside }, token('disp1')));
    expect(e).toEqual({ status: 404, code: 'UNKNOWN_HIT', message: `no hit ${JSON.stringify(live.hitId)} is known` });
    const late = await TestConsole.open(wsUrl, { token: token('det1') });
    const replay = await late.subscribe({});
    expect((replay['hits'] as Array<{ hitId: string }>).map((h) => h.hitId)).toContain(live.hitId);
    expect(detective.frames.filter((f) => f.type === 'disposition')).toEqual([]);
    await Promise.all([detective.close(), late.close()]);
  });

  it('is answered 404, not 409, once the covert team answered it: who answered and when stay hidden', async () => {
    await recordHits(temp.storage, [storedHit('narc-answered', 'NARC')]);
    const answered = await postDisposition('narc-answered', { ...setAside }, token('det1'));
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ hitId: 'narc-answered', list: 'NARC', user: 'det1' });
    const unknown = await answerAs(await postDisposition('narc-unknown', setAside, token('adm2')), 'narc-unknown', 'ID');
    for (const body of [setAside, correction]) {
      expect(await answerAs(await postDisposition('narc-answered', body, token('adm2')), 'narc-answered', 'ID')).toEqual(unknown);
    }
    // The covert team itself is told who answered first.
    expect((await errorOf(await postDisposition('narc-answered', setAside, token('det1')))).code).toBe('ALREADY_RESOLVED');
    expect((await dispositionsOf(temp.storage, 'narc-answered')).map((d) => d.user)).toEqual(['det1']);
  });

  it('is on the access log as a refusal with COVERT_LIST, never naming the list; a mistyped id is not', async () => {
    await recordHits(temp.storage, [storedHit('narc-probed', 'NARC')]);
    for (const user of ['disp1', 'adm2']) {
      for (const body of [setAside, correction]) expect((await postDisposition('narc-probed', body, token(user))).status).toBe(404);
      expect((await postDisposition('narc-mistyped', setAside, token(user))).status).toBe(404);
      const records = (await dispositionRecords(user)).filter((r) => r.params.includes('narc-probed'));
      expect(records.map((r) => [r.outcome, r.detail.split(':')[0]]), user).toEqual([['refused', 'COVERT_LIST'], ['refused', 'COVERT_LIST']]);
      expect(records.map((r) => JSON.parse(r.params) as unknown)).toEqual([
        { hitId: 'narc-probed', disposition: 'misread', correction: false }, { hitId: 'narc-probed', disposition: 'misread', correction: true },
      ]);
      // A mistyped id is on the record too, but not as a probe of a covert list.
      expect((await dispositionRecords(user)).filter((r) => r.params.includes('narc-mistyped')).map((r) => [r.outcome, r.detail.split(':')[0]]))
        .toEqual([['invalid', 'UNKNOWN_HIT']]);
      expect(await everythingLoggedOf(user)).not.toContain('NARC');
    }
  });
});

describe('a covert list\'s hit answered by its team', () => {
  it('is told only to consoles that may see the hit, also when only storage still holds it', async () => {
    await recordHits(temp.storage, [storedHit('narc-old', 'NARC'), storedHit('svs-after', 'SVS')]);
    const patrol = await TestConsole.open(wsUrl, { token: token('ofc1') });
    const detective = await TestConsole.open(wsUrl, { token: token('det1') });
    await Promise.all([patrol.subscribe({}), detective.subscribe({})]);
    expect((await postDisposition('narc-old', { disposition: 'no_action', visualVerified: false, cletsVerified: false }, token('det1'))).status).toBe(200);
    expect(await detective.waitFor((f) => f.type === 'disposition' && f['hitId'] === 'narc-old', 2_000)).toMatchObject({ user: 'det1' });
    // A later notice reaches patrol; the covert one, sent before it, never did.
    expect((await postDisposition('svs-after', { disposition: 'no_action', visualVerified: false, cletsVerified: false }, token('ofc1'))).status).toBe(200);
    await patrol.waitFor((f) => f.type === 'disposition' && f['hitId'] === 'svs-after', 2_000);
    expect(patrol.frames.filter((f) => f.type === 'disposition').map((f) => f['hitId'])).toEqual(['svs-after']);
    await Promise.all([patrol.close(), detective.close()]);
  });
});

describe('the access log of dispositions', () => {
  it('records every disposition and correction, with the hit, its list, the answer and whether it corrects', async () => {
    await recordHits(temp.storage, [storedHit('logged', 'SVS')]);
    expect((await postDisposition('logged', { disposition: 'misread', visualVerified: true, cletsVerified: false, notes: 'plate obscured' }, token('disp1'))).status).toBe(200);
    expect((await postDisposition('logged', { disposition: 'no_action', visualVerified: false, cletsVerified: false, correction: true, notes: 'clicked the wrong button' }, token('ofc1'))).status).toBe(200);
    const of = async (user: string) => (await dispositionRecords(user)).filter((r) => r.outcome === 'ok' && r.params.includes('"logged"'));
    const [first] = await of('disp1');
    const [second] = await of('ofc1');
    expect(JSON.parse(first?.params ?? '{}')).toEqual({ hitId: 'logged', list: 'SVS', disposition: 'misread', correction: false, visualVerified: true, cletsVerified: false });
    expect(JSON.parse(second?.params ?? '{}')).toEqual({ hitId: 'logged', list: 'SVS', disposition: 'no_action', correction: true, visualVerified: false, cletsVerified: false });
    expect(second?.reason).toBe('clicked the wrong button');
    // The covert team's own answers are on the record under the list's name.
    await recordHits(temp.storage, [storedHit('narc-logged', 'NARC')]);
    expect((await postDisposition('narc-logged', { disposition: 'not_located', visualVerified: false, cletsVerified: false }, token('det1'))).status).toBe(200);
    expect((await dispositionRecords('det1')).filter((r) => r.params.includes('narc-logged')).map((r) => [r.outcome, JSON.parse(r.params) as unknown])).toEqual([
      // NARC is not a stolen vehicle or plate list: the wanted-person check is asked, and was not made.
      ['ok', { hitId: 'narc-logged', list: 'NARC', disposition: 'not_located', correction: false, visualVerified: false, cletsVerified: false, personVerified: false }],
    ]);
  });

  it('records no disposition that cannot be put on the access log (500), and takes it once the log is back', async () => {
    await recordHits(temp.storage, [storedHit('unlogged', 'SVS')]);
    accessLogDown = true;
    try {
      expect(await errorOf(await postDisposition('unlogged', { disposition: 'misread', visualVerified: false, cletsVerified: false }, token('disp1')))).toMatchObject({ status: 500, code: 'INTERNAL' });
    } finally {
      accessLogDown = false;
    }
    expect(await dispositionsOf(temp.storage, 'unlogged')).toEqual([]);
    expect((await postDisposition('unlogged', { disposition: 'misread', visualVerified: false, cletsVerified: false }, token('disp1'))).status).toBe(200);
    expect((await dispositionsOf(temp.storage, 'unlogged')).map((d) => d.user)).toEqual(['disp1']);
  });
});

/** The stored answers of a hit with their checks, as an auditor reads them: person_verified NULL is "not asked". */
async function storedChecks(hitId: string): Promise<Array<{ disposition: string; visual_verified: boolean; clets_verified: boolean; person_verified: boolean | null }>> {
  const rows = await temp.storage.client.query({
    query: `SELECT disposition, visual_verified, clets_verified, person_verified FROM ${temp.storage.db}.hit_dispositions WHERE hit_id = {id:String} ORDER BY recorded_at`,
    query_params: { id: hitId }, format: 'JSONEachRow',
  });
  return rows.json();
}

describe('the wanted-person check of a hit on a list that is not a stolen vehicle or plate list (§471.5(f)(2))', () => {
  it('refuses an acted-on answer to a BOLO hit without personVerified, naming it, on the access log, live or only stored', async () => {
    const officer = await TestConsole.open(wsUrl, { token: token('ofc1') });
    await officer.subscribe({});
    const live = hitMessage({ readId: 'bolo-live-refused', list: 'BOLO' });
    await publishHit(js, live);
    await officer.waitFor((f) => f.type === 'hit' && f['hitId'] === live.hitId);
    await recordHits(temp.storage, [storedHit('bolo-stored-refused', 'BOLO')]);
    for (const hitId of [live.hitId, 'bolo-stored-refused']) {
      for (const disposition of ['confirmed', 'arrest', 'recovered']) {
        for (const person of [{}, { personVerified: false }]) {
          const e = await errorOf(await postDisposition(hitId, { disposition, ...verified, ...person }, token('disp1')));
          expect(e, `${hitId} ${disposition} ${JSON.stringify(person)}`).toMatchObject({ status: 400, code: 'NOT_VERIFIED' });
          expect(e.message).toContain('missing: personVerified');
          expect(e.message).toContain('§471.5(f)(2)');
          expect(e.message).not.toMatch(/visualVerified|cletsVerified/);
        }
      }
      expect(await storedChecks(hitId)).toEqual([]);
      const refusals = (await dispositionRecords('disp1')).filter((r) => r.params.includes(hitId));
      expect(refusals).toHaveLength(6);
      expect(refusals.every((r) => r.outcome === 'refused' && r.detail.startsWith('NOT_VERIFIED: ') && r.detail.includes('personVerified'))).toBe(true);
    }
    // Still unresolved: every console goes on showing it.
    const late = await TestConsole.open(wsUrl, { token: token('ofc1') });
    expect(((await late.subscribe({}))['hits'] as Array<{ hitId: string }>).map((h) => h.hitId)).toContain(live.hitId);
    expect(officer.frames.filter((f) => f.type === 'disposition' && f['hitId'] === live.hitId)).toEqual([]);
    await Promise.all([officer.close(), late.close()]);
  });

  it('records personVerified on its own beside visualVerified, tells every console, and shows it on the hit', async () => {
    const officer = await TestConsole.open(wsUrl, { token: token('ofc1') });
    await officer.subscribe({});
    const live = hitMessage({ readId: 'bolo-live-accepted', list: 'BOLO' });
    await publishHit(js, live);
    await officer.waitFor((f) => f.type === 'hit' && f['hitId'] === live.hitId);
    const res = await postDisposition(live.hitId, { disposition: 'arrest', ...verified, personVerified: true, notes: 'driver is the subject of the warrant' }, token('disp1'));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Record<string, unknown>;
    expect(reply).toMatchObject({ hitId: live.hitId, list: 'BOLO', disposition: 'arrest', visualVerified: true, cletsVerified: true, personVerified: true });
    expect(await officer.waitFor((f) => f.type === 'disposition' && f['hitId'] === live.hitId, 2_000)).toMatchObject({ visualVerified: true, cletsVerified: true, personVerified: true });
    expect(await storedChecks(live.hitId)).toEqual([{ disposition: 'arrest', visual_verified: true, clets_verified: true, person_verified: true }]);
    const ok = (await dispositionRecords('disp1')).filter((r) => r.outcome === 'ok' && r.params.includes(live.hitId)).map((r) => JSON.parse(r.params) as unknown);
    expect(ok).toEqual([{ hitId: live.hitId, list: 'BOLO', disposition: 'arrest', correction: false, visualVerified: true, cletsVerified: true, personVerified: true }]);
    await officer.close();

    // Set aside, the person not looked for: recorded as not made, apart from the visual check that was.
    await recordHits(temp.storage, [storedHit('bolo-set-aside', 'BOLO'), storedHit('bolo-unsent', 'BOLO')]);
    const setAside = await postDisposition('bolo-set-aside', { disposition: 'not_located', visualVerified: true, cletsVerified: true, personVerified: false }, token('ofc1'));
    expect(await setAside.json()).toMatchObject({ disposition: 'not_located', visualVerified: true, personVerified: false });
    expect(await storedChecks('bolo-set-aside')).toEqual([{ disposition: 'not_located', visual_verified: true, clets_verified: true, person_verified: false }]);
    // Not sent on a list that asks it: not made (false), not "not asked".
    expect((await postDisposition('bolo-unsent', { disposition: 'misread', visualVerified: false, cletsVerified: false }, token('ofc1'))).status).toBe(200);
    expect(await storedChecks('bolo-unsent')).toEqual([{ disposition: 'misread', visual_verified: false, clets_verified: false, person_verified: false }]);
    const view = await viewHit({ storage: temp.storage, accessLog }, { user: 'ofc1', purpose: { reason: 'disposition test' }, hitId: 'bolo-set-aside' });
    expect(view?.dispositions).toEqual([expect.objectContaining({ disposition: 'not_located', visualVerified: true, cletsVerified: true, personVerified: false })]);
  });

  it('leaves stolen vehicle and plate list hits as they were: not asked, stored as NULL, even when sent', async () => {
    await recordHits(temp.storage, [storedHit('svs-unasked', 'SVS'), storedHit('slr-sent', 'SLR')]);
    const unasked = await postDisposition('svs-unasked', { disposition: 'confirmed', ...verified }, token('disp1'));
    expect(unasked.status).toBe(200);
    expect(await unasked.json()).not.toHaveProperty('personVerified');
    const sent = await postDisposition('slr-sent', { disposition: 'recovered', ...verified, personVerified: false }, token('disp1'));
    expect(sent.status).toBe(200);
    expect(await sent.json()).not.toHaveProperty('personVerified');
    expect(await storedChecks('svs-unasked')).toEqual([{ disposition: 'confirmed', visual_verified: true, clets_verified: true, person_verified: null }]);
    expect(await storedChecks('slr-sent')).toEqual([{ disposition: 'recovered', visual_verified: true, clets_verified: true, person_verified: null }]);
    const view = await viewHit({ storage: temp.storage, accessLog }, { user: 'ofc1', purpose: { reason: 'disposition test' }, hitId: 'svs-unasked' });
    expect(view?.dispositions).toEqual([expect.objectContaining({ disposition: 'confirmed', personVerified: null })]);
  });

  it('takes personVerified as true or false, and refuses anything else', async () => {
    const e = await errorOf(await postDisposition('h1', { disposition: 'misread', visualVerified: false, cletsVerified: false, personVerified: 'yes' }, token('ofc1')));
    expect(e).toMatchObject({ status: 400, code: 'BAD_DISPOSITION', message: expect.stringMatching(/^personVerified must be true or false/) });
    expect(dispositionFields({ disposition: 'misread', visualVerified: false, cletsVerified: false, personVerified: true }))
      .toEqual({ disposition: 'misread', visualVerified: false, cletsVerified: false, personVerified: true, notes: '' });
  });

  it('answers a covert BOLO hit acted on without personVerified 404 to a user not named for it, as a hit that does not exist', async () => {
    await recordHits(temp.storage, [storedHit('narc-unverified', 'NARC')]);
    const body = { disposition: 'confirmed', ...verified };
    const unknown = await answerAs(await postDisposition('narc-nothing', body, token('adm2')), 'narc-nothing', 'ID');
    expect(unknown.status).toBe(404);
    expect(await answerAs(await postDisposition('narc-unverified', body, token('adm2')), 'narc-unverified', 'ID')).toEqual(unknown);
    // Its team is asked for the check, as on any list that may be about a person.
    expect(await errorOf(await postDisposition('narc-unverified', body, token('det1')))).toMatchObject({ status: 400, code: 'NOT_VERIFIED' });
  });
});
