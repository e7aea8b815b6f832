// Covert lists reach only their named users (live, replay, hit API, escalations); hits left
// unresolved escalate to supervisors only; a disposition recorded on one gateway reaches the
// consoles of another; a role without hits.view gets no console. Real nats-server, real gateways.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiGuard, CovertLists, dispositionRoutes, hitRoutes, startGateway, type DispositionRecorder, type JsonRoute, type LiveHits, type RunningGateway,
} from '../../gateway/index.js';
import { MetricsRegistry } from '../../ingest/index.js';
import { sleep, until } from '../reliability/fixtures.js';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

const covert = new CovertLists({ NARC: ['det1'] });
const ROLES: Record<string, string[]> = { 'tok-dispatch': ['dispatcher'], 'tok-det': ['officer'], 'tok-sgt': ['supervisor'], 'tok-sgt-det': ['supervisor'], 'tok-audit': ['auditor'] };
const USERS: Record<string, string> = { 'tok-dispatch': 'dispatcher1', 'tok-det': 'det1', 'tok-sgt': 'sgt1', 'tok-sgt-det': 'det1', 'tok-audit': 'auditor1' };
const recorded: string[] = [];
const recorder: DispositionRecorder = {
  record: async (entry) => {
    recorded.push(entry.hitId);
    return { ok: true, recordedAt: Date.now() };
  },
};

function guardFor(h: () => Harness): ApiGuard {
  return new ApiGuard(
    {
      verify: async (token) => {
        const s = h().sessions.get(token);
        return s === undefined ? null : { user: s.user, name: s.user, roles: s.roles, expiresAt: Date.now() + 60_000 };
      },
    },
    { refused: async () => {} },
  );
}

let h: Harness;
let second: RunningGateway;

beforeAll(async () => {
  const routes = ({ feed, fanOut, escalator, announce }: LiveHits): JsonRoute[] => [
    // This file's recorder is in memory, so refused answers are logged nowhere: escalation is its subject.
    ...dispositionRoutes({ guard: guardFor(() => h), recorder, accessLog: { append: async () => undefined }, feed, fanOut, announce, covert }),
    ...hitRoutes({ guard: guardFor(() => h), feed, escalator, covert }),
  ];
  h = await startHarness({ escalateAfterMs: 400, escalationCheckMs: 100 }, routes);
  for (const [token, roles] of Object.entries(ROLES)) {
    const user = USERS[token] as string;
    h.sessions.set(token, { user, roles, hiddenLists: covert.hiddenFor(user) });
  }
  // A second gateway on the same NATS: consoles on it must learn of dispositions made on the first.
  second = await startGateway({
    nc: h.nc, js: h.js, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0, escalateAfterMs: 0 },
    verifySession: async (t) => h.sessions.get(t) ?? null,
  });
});

afterAll(async () => {
  await second?.stop();
  await h?.stop();
});

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${h.gateway.port}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

describe('covert lists', () => {
  it('deliver a covert hit only to the named user: not live, not in a replay, not in the hit API', async () => {
    const patrol = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
    const detective = await TestConsole.open(h.wsUrl, { token: 'tok-det' });
    await patrol.subscribe({});
    await detective.subscribe({ lists: ['NARC', 'SVS'] });
    const secret = hitMessage({ readId: 'covert-1', list: 'NARC' });
    const open = hitMessage({ readId: 'open-1', list: 'SVS' });
    await publishHit(h.js, secret);
    await publishHit(h.js, open);
    await detective.waitForHits(2);
    await patrol.waitForHits(1);
    // The open hit came after the covert one, so had the covert one been sent it would be here.
    expect(patrol.hitIds()).toEqual([open.hitId]);
    expect(detective.hitIds()).toEqual([secret.hitId, open.hitId]);

    // Asking for the list by name does not help, and says nothing about it.
    const late = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
    const replay = await late.subscribe({ lists: ['NARC'] });
    expect(replay).toMatchObject({ type: 'replay', hits: [] });

    const patrolView = await api('GET', '/api/hits/unresolved', 'tok-dispatch');
    expect((patrolView.body['hits'] as Array<{ hitId: string }>).map((x) => x.hitId)).not.toContain(secret.hitId);
    const detectiveView = await api('GET', '/api/hits/unresolved', 'tok-det');
    expect((detectiveView.body['hits'] as Array<{ hitId: string }>).map((x) => x.hitId)).toContain(secret.hitId);
    for (const c of [patrol, detective, late]) await c.close();
  });
});

describe('escalation', () => {
  it('announces a hit unresolved past the limit to supervisors only, once, and lists it for them', async () => {
    const dispatcher = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
    const sergeant = await TestConsole.open(h.wsUrl, { token: 'tok-sgt' });
    await dispatcher.subscribe({});
    await sergeant.subscribe({});
    const message = hitMessage({ readId: 'late-1' });
    await publishHit(h.js, message);
    // Due 400 ms after publishing (checked every 100 ms); the deadline allows for a loaded machine.
    const escalation = await sergeant.waitFor((f) => f.type === 'escalation' && f['hitId'] === message.hitId, 15_000);
    expect(escalation).toMatchObject({ list: 'SVS', agency: 'wpd', plate: '7ABC123' });
    expect(escalation['unresolvedSeconds']).toBeGreaterThanOrEqual(0);
    // Covert hits escalate only to supervisors named on the list: sgt1 is not.
    const escalatedForSgt = await api('GET', '/api/hits/escalated', 'tok-sgt');
    const ids = (escalatedForSgt.body['escalations'] as Array<{ hitId: string }>).map((e) => e.hitId);
    expect(ids).toContain(message.hitId);
    expect(ids).not.toContain(hitMessage({ readId: 'covert-1', list: 'NARC' }).hitId);
    const forNamed = await api('GET', '/api/hits/escalated', 'tok-sgt-det');
    expect((forNamed.body['escalations'] as Array<{ hitId: string }>).map((e) => e.hitId)).toContain(hitMessage({ readId: 'covert-1', list: 'NARC' }).hitId);
    expect((await api('GET', '/api/hits/escalated', 'tok-dispatch')).status).toBe(403);

    await sleep(400); // four more checks: a second announcement would be here by now
    expect(sergeant.frames.filter((f) => f.type === 'escalation' && f['hitId'] === message.hitId)).toHaveLength(1);
    expect(dispatcher.frames.some((f) => f.type === 'escalation')).toBe(false);

    // A reload, or a fresh sign-in: the replay says which of its hits are escalated, to
    // supervisors only, and a covert list's only to a supervisor named on it.
    const covertId = hitMessage({ readId: 'covert-1', list: 'NARC' }).hitId;
    const reloaded = await TestConsole.open(h.wsUrl, { token: 'tok-sgt' });
    const sgtReplay = await reloaded.subscribe({});
    expect(sgtReplay['escalated']).toContain(message.hitId);
    expect(sgtReplay['escalated']).not.toContain(covertId);
    expect((sgtReplay['escalated'] as string[]).every((id) => (sgtReplay['hits'] as Array<{ hitId: string }>).some((x) => x.hitId === id))).toBe(true);
    const namedSgt = await TestConsole.open(h.wsUrl, { token: 'tok-sgt-det' });
    expect((await namedSgt.subscribe({}))['escalated']).toEqual(expect.arrayContaining([message.hitId, covertId]));
    const dispatcherAgain = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
    const dispatcherReplay = await dispatcherAgain.subscribe({});
    expect((dispatcherReplay['hits'] as Array<{ hitId: string }>).map((x) => x.hitId)).toContain(message.hitId);
    expect(dispatcherReplay['escalated']).toBeUndefined();
    for (const c of [reloaded, namedSgt, dispatcherAgain]) await c.close();

    // A disposition resolves it: no longer escalated.
    expect((await api('POST', `/api/hits/${message.hitId}/disposition`, 'tok-dispatch', { disposition: 'not_located', visualVerified: false, cletsVerified: false })).status).toBe(200);
    // The escalated set is rebuilt at the next check (every 100 ms), not at the disposition itself.
    await until('the resolved hit to leave the escalations', async () => {
      const after = await api('GET', '/api/hits/escalated', 'tok-sgt');
      return (after.body['escalations'] as Array<{ hitId: string }>).map((e) => e.hitId).includes(message.hitId) ? undefined : true;
    }, 15_000);
    await dispatcher.close();
    await sergeant.close();
  });
});

describe('several gateways', () => {
  it('a disposition recorded on one gateway reaches the consoles of another, which stops replaying the hit', async () => {
    const remoteUrl = `ws://127.0.0.1:${second.port}/ws`;
    const remote = await TestConsole.open(remoteUrl, { token: 'tok-dispatch' });
    await remote.subscribe({});
    const message = hitMessage({ readId: 'multi-1' });
    await publishHit(h.js, message);
    await remote.waitFor((f) => f.type === 'hit' && f['hitId'] === message.hitId);
    expect((await api('POST', `/api/hits/${message.hitId}/disposition`, 'tok-dispatch', { disposition: 'misread', visualVerified: true, cletsVerified: false })).status).toBe(200);
    const notice = await remote.waitFor((f) => f.type === 'disposition' && f['hitId'] === message.hitId, 15_000);
    expect(notice).toMatchObject({ disposition: 'misread', user: 'dispatcher1' });
    const fresh = await TestConsole.open(remoteUrl, { token: 'tok-dispatch' });
    const replay = await fresh.subscribe({});
    expect((replay['hits'] as Array<{ hitId: string }>).map((x) => x.hitId)).not.toContain(message.hitId);
    await remote.close();
    await fresh.close();
  });
});

describe('console access', () => {
  it('refuses a console upgrade for a role without hits.view with 403', async () => {
    await expect(TestConsole.open(h.wsUrl, { token: 'tok-audit' })).rejects.toMatchObject({ status: 403 });
  });
});
