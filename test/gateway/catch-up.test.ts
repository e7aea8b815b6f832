// A gateway starting on a HITS stream with a backlog: consoles that connect at once get the whole
// backlog as their replay (never as live hits), /healthz says it is catching up until it has, and
// hits already overdue at the start escalate without a notice or a log line each (found by QA:
// 8,358 old hits arrived as live frames; 2,806 escalation warnings and 1,061 notices per restart).
// Real nats-server and gateways; the backlog is published before the gateway under test starts.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type ConsoleEvent, type ConsoleSession, type RunningGateway } from '../../gateway/index.js';
import { MetricsRegistry } from '../../ingest/index.js';
import { sleep, until } from '../reliability/fixtures.js';
import { capturingLogger, hitMessage, publishHit, startHarness, TestConsole, type Frame, type Harness } from './harness.js';

// Each test its own nats-server: one test's backlog, published a minute before, would be overdue in the next.
let h: Harness | undefined;
const gateways: RunningGateway[] = [];
const consoles: TestConsole[] = [];

async function setUp(): Promise<Harness> {
  const harness = await startHarness();
  h = harness;
  harness.sessions.set('tok-sgt', { user: 'sgt1', roles: ['supervisor'], hiddenLists: new Set(['NARC']) });
  harness.sessions.set('tok-sgt-det', { user: 'det1', roles: ['supervisor'] });
  return harness;
}

afterEach(async () => {
  await Promise.all(consoles.splice(0).map((c) => c.close()));
  for (const g of gateways.splice(0)) await g.stop();
  await h?.stop();
  h = undefined;
});

async function open(gateway: RunningGateway, token: string): Promise<TestConsole> {
  const c = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token });
  consoles.push(c);
  return c;
}

type ReplayHit = { hitId: string; read: { id: string } };

/** Subscribes and waits for the replay, longer than TestConsole.subscribe does: a loaded machine reads the backlog slowly. */
async function subscribe(c: TestConsole, filter: unknown): Promise<Frame> {
  const before = c.frames.length;
  c.ws.send(JSON.stringify({ type: 'subscribe', filter }));
  return c.waitFor((f, i) => i >= before && f.type === 'replay', 90_000);
}

describe('a gateway starting on a backlog', () => {
  it('holds early consoles until it has caught up, then replays every unresolved hit once, in order, none as a live hit; /healthz says 503 "catching up" meanwhile', async () => {
    const h = await setUp();
    const backlog = Array.from({ length: 20_000 }, (_, i) => hitMessage({ readId: `backlog-${i}`, list: 'BACKLOG', padding: 200 }));
    for (let i = 0; i < backlog.length; i += 2_000) await Promise.all(backlog.slice(i, i + 2_000).map((m) => publishHit(h.js, m)));

    const events: Array<{ session: ConsoleSession; event: ConsoleEvent }> = [];
    const gateway = await startGateway({
      nc: h.nc, js: h.js, verifySession: async (t) => h.sessions.get(t) ?? null, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }),
      config: { port: 0, replayMaxHits: 50_000, replayMaxBytes: 64 * 1024 * 1024, escalateAfterMs: 0 },
      onConsoleEvent: (session, event) => events.push({ session, event }),
    });
    gateways.push(gateway);
    const early = await fetch(`${gateway.url}/healthz`);
    const earlyBody = (await early.json()) as Record<string, unknown>;
    const c = await open(gateway, 'tok-dispatch');
    const replay = await subscribe(c, { lists: ['BACKLOG'] });

    const ids = (replay['hits'] as ReplayHit[]).map((x) => x.read.id);
    expect(ids).toHaveLength(backlog.length);
    expect(ids).toEqual(backlog.map((m) => m.read.id));
    expect(replay['omitted']).toBeUndefined();
    // Asked right after the start, before the console subscribed: the backlog was still being read.
    expect(early.status).toBe(503);
    expect(earlyBody).toMatchObject({ ok: false, nats: { ok: true }, feed: { ok: false, error: expect.stringMatching(/^catching up: \d+ hits behind/) } });

    // A hit published now comes live, after the replay; none of the backlog ever does.
    const fresh = hitMessage({ readId: 'after-backlog', list: 'BACKLOG' });
    await publishHit(h.js, fresh);
    await c.waitForHits(1);
    expect(c.hitIds()).toEqual([fresh.hitId]);
    expect(c.frames.map((f) => f.type)).toEqual(['replay', 'hit']);

    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, feed: { ok: true } });
    // The access log's entry for the held subscription counts what its replay held.
    const subscribed = events.filter((e) => e.event.kind === 'subscribed');
    expect(subscribed).toHaveLength(1);
    expect(subscribed[0]!.event).toMatchObject({ kind: 'subscribed', filter: { lists: ['BACKLOG'] }, replayed: backlog.length });
  }, 120_000);

  it('escalates hits already overdue at its start without a notice or log line each: one summary line, and the replay lists them for supervisors (covert ones only for those named); later ones are announced, their covert list by alias', async () => {
    const h = await setUp();
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const old = Array.from({ length: 300 }, (_, i) => hitMessage({ readId: `old-${i}`, list: 'OLD', publishedAt: tenMinutesAgo + i }));
    const oldCovert = hitMessage({ readId: 'old-covert', list: 'NARC', publishedAt: tenMinutesAgo + 500 });
    await Promise.all([...old, oldCovert].map((m) => publishHit(h.js, m)));

    const registry = new MetricsRegistry();
    registry.withholdLabelValues('list', ['NARC'], 'covert');
    const log = capturingLogger();
    const gateway = await startGateway({
      nc: h.nc, js: h.js, verifySession: async (t) => h.sessions.get(t) ?? null, registry, logger: log.logger,
      config: { port: 0, replayMaxHits: 50_000, escalateAfterMs: 60_000, escalationCheckMs: 100 },
    });
    gateways.push(gateway);
    const named = await open(gateway, 'tok-sgt-det');
    const sergeant = await open(gateway, 'tok-sgt');
    const dispatcher = await open(gateway, 'tok-dispatch');
    const namedReplay = await subscribe(named, { lists: ['OLD', 'NARC'] });
    const sergeantReplay = await subscribe(sergeant, { lists: ['OLD', 'NARC'] });
    const dispatcherReplay = await subscribe(dispatcher, { lists: ['OLD', 'NARC'] });

    const oldIds = old.map((m) => m.hitId);
    expect(namedReplay['escalated']).toEqual([...oldIds, oldCovert.hitId]);
    expect(sergeantReplay['escalated']).toEqual(oldIds);
    expect((sergeantReplay['hits'] as ReplayHit[]).map((x) => x.hitId)).not.toContain(oldCovert.hitId);
    expect(dispatcherReplay['escalated']).toBeUndefined();

    await sleep(1_000); // ten checks
    for (const c of [named, sergeant, dispatcher]) expect(c.frames.filter((f) => f.type === 'escalation')).toEqual([]);
    const perHit = log.lines.filter((l) => l['msg'] === 'hit unresolved; escalated to supervisors');
    expect(perHit).toEqual([]);
    const summaries = log.lines.filter((l) => /already overdue at start/.test(String(l['msg'])));
    expect(summaries.map((l) => l['msg'])).toEqual(['301 unresolved hits were already overdue at start; escalated']);

    // A covert hit falling due after the start: announced to the named supervisor only, logged by alias.
    const live = hitMessage({ readId: 'due-soon', list: 'NARC', publishedAt: Date.now() - 59_500 });
    await publishHit(h.js, live);
    const notice = await named.waitFor((f) => f.type === 'escalation' && f['hitId'] === live.hitId, 15_000);
    expect(notice).toMatchObject({ list: 'NARC' });
    await until('the escalation to be logged', async () => (log.lines.some((l) => l['hitId'] === live.hitId) ? true : undefined), 5_000);
    expect(log.lines.filter((l) => l['hitId'] === live.hitId)).toEqual([expect.objectContaining({ msg: 'hit unresolved; escalated to supervisors', list: 'covert-1' })]);
    expect(log.text()).not.toMatch(/NARC/);
    expect(sergeant.frames.some((f) => f.type === 'escalation')).toBe(false);

    // A reload after it: the replay carries the escalation the notice announced.
    const reloaded = await open(gateway, 'tok-sgt-det');
    expect((await subscribe(reloaded, { lists: ['NARC'] }))['escalated']).toEqual([oldCovert.hitId, live.hitId]);
  }, 120_000);
});
