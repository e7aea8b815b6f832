// The console WebSocket against real components: nats-server with the HITS stream, the gateway's
// hit feed and uWS server, and `ws` clients as consoles.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../gateway/index.js';
import { hitsSubject, MetricsRegistry } from '../../ingest/index.js';
import { until } from '../reliability/fixtures.js';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

let h: Harness;
const open: TestConsole[] = [];

async function openConsole(token = 'tok-dispatch'): Promise<TestConsole> {
  const c = await TestConsole.open(h.wsUrl, { token });
  open.push(c);
  return c;
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await h?.stop();
});

describe('console WebSocket', () => {
  it('refuses an upgrade without a session token, or with an unknown one, with 401', async () => {
    await expect(TestConsole.open(h.wsUrl)).rejects.toMatchObject({ status: 401 });
    await expect(TestConsole.open(h.wsUrl, { token: 'forged' })).rejects.toMatchObject({ status: 401 });
    await expect(TestConsole.open(h.wsUrl, { protocols: ['platewatch', 'bearer.forged'] })).rejects.toMatchObject({ status: 401 });
    expect(h.gateway.metrics.refusedUpgrades.get()).toBe(3);
  });

  it('accepts the token as a subprotocol and answers with the console protocol, not the token', async () => {
    const c = await TestConsole.open(h.wsUrl, { protocols: ['platewatch', 'bearer.tok-dispatch'] });
    open.push(c);
    expect(c.ws.protocol).toBe('platewatch');
    expect((await c.subscribe()).type).toBe('replay');
  });

  it('delivers only the hits a console asked for', async () => {
    const bolo = await openConsole();
    const cam9 = await openConsole();
    const area = await openConsole();
    const everything = await openConsole();
    await bolo.subscribe({ lists: ['BOLO'] });
    await cam9.subscribe({ agencies: ['mpd'], cameras: ['cam9'] });
    await area.subscribe({ area: { lat: 36.9103, lon: -121.7569, radiusMeters: 500 } });
    await everything.subscribe({});
    const messages = [
      hitMessage({ readId: 'f-1', list: 'BOLO' }),
      hitMessage({ readId: 'f-2', agency: 'mpd', camera: 'cam9' }),
      hitMessage({ readId: 'f-3', agency: 'mpd', camera: 'cam8' }),
      hitMessage({ readId: 'f-4', lat: 36.9105, lon: -121.757 }),
      hitMessage({ readId: 'f-5', lat: 37.5, lon: -122 }),
    ];
    // A last hit every filter matches: frames keep their order on a socket, so once a console has
    // it, anything it should not have got would already be there.
    const sentinel = hitMessage({ readId: 'f-end', list: 'BOLO', agency: 'mpd', camera: 'cam9', lat: 36.9103, lon: -121.7569 });
    for (const m of [...messages, sentinel]) await publishHit(h.js, m);
    const ids = (c: TestConsole): string[] => c.hits().map((f) => (f['read'] as { id: string }).id);
    for (const c of [bolo, cam9, area, everything]) await c.waitFor(() => ids(c).includes('f-end'));
    expect(ids(everything)).toEqual(['f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-end']);
    expect(ids(bolo)).toEqual(['f-1', 'f-end']);
    expect(ids(cam9)).toEqual(['f-2', 'f-end']);
    expect(ids(area)).toEqual(['f-4', 'f-end']);
    const frame = everything.hits()[0]!;
    expect(frame).toMatchObject({ type: 'hit', hitId: messages[0]!.hitId, historical: false, hit: { list: 'BOLO', kind: 'exact' }, read: { plate: '7ABC123' } });
  });

  it('keeps a session to its agencies and tells the console when its filter is refused', async () => {
    const c = await openConsole('tok-wpd');
    expect(await c.subscribe({ agencies: ['mpd'] })).toMatchObject({ type: 'error', code: 'BAD_FILTER' });
    await c.subscribe({});
    await publishHit(h.js, hitMessage({ readId: 'ag-1', agency: 'mpd' }));
    await publishHit(h.js, hitMessage({ readId: 'ag-2', agency: 'wpd' }));
    await c.waitForHits(1); // ag-1 would have come first
    expect(c.hits().map((f) => (f['read'] as { id: string }).id)).toEqual(['ag-2']);
  });

  it('replays unresolved hits of the window when a console reconnects, and not resolved ones', async () => {
    const first = await openConsole();
    await first.subscribe({ lists: ['REPLAY'] });
    const messages = ['rp-1', 'rp-2', 'rp-3'].map((readId) => hitMessage({ readId, list: 'REPLAY' }));
    for (const m of messages) await publishHit(h.js, m);
    await first.waitForHits(3);
    await first.close();
    expect(h.gateway.feed.resolve(messages[1]!.hitId)).toBe(true); // a disposition was recorded

    const again = await openConsole();
    const replay = await again.subscribe({ lists: ['REPLAY'] });
    const replayed = (replay['hits'] as Array<{ hitId: string; read: { id: string } }>).map((x) => x.read.id);
    expect(replayed).toEqual(['rp-1', 'rp-3']);
    await publishHit(h.js, hitMessage({ readId: 'rp-4', list: 'REPLAY' }));
    await again.waitForHits(1);
    expect(again.hits().map((f) => (f['read'] as { id: string }).id)).toEqual(['rp-4']);
  });

  it('replays megabytes of unresolved hits in one frame to a console that subscribes', async () => {
    const first = await openConsole();
    await first.subscribe({ lists: ['BIG'] });
    const messages = Array.from({ length: 1000 }, (_, i) => hitMessage({ readId: `big-${i}`, list: 'BIG', padding: 4096 }));
    await Promise.all(messages.map((m) => publishHit(h.js, m)));
    await first.waitForHits(1000);
    const again = await openConsole();
    const replay = await again.subscribe({ lists: ['BIG'] });
    expect((replay['hits'] as unknown[]).length).toBe(1000);
  });

  it('fills its replay set from the stream when a gateway starts after the hits, and runs beside another', async () => {
    await publishHit(h.js, hitMessage({ readId: 'late-1', list: 'LATE' }));
    const second = await startGateway({ nc: h.nc, js: h.js, verifySession: async (t) => h.sessions.get(t) ?? null, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }), config: { port: 0 } });
    try {
      const c = await TestConsole.open(`ws://127.0.0.1:${second.port}/ws`, { token: 'tok-dispatch' });
      open.push(c);
      // The feed may still be reading the stream; subscribe until the hit is replayed (a deadline,
      // not 50 tries: 50 round trips took under the feed's catch-up time on a loaded machine).
      const replayed = await until('late-1 in the replay', async () => {
        const ids = ((await c.subscribe({ lists: ['LATE'] }))['hits'] as Array<{ read: { id: string } }>).map((x) => x.read.id);
        return ids.includes('late-1') ? ids : undefined;
      }, 20_000);
      expect(replayed).toEqual(['late-1']);

      // Side by side: each gateway has its own consumer, so a new hit reaches the consoles of both.
      const onFirst = await openConsole();
      await onFirst.subscribe({ lists: ['LATE'] });
      await publishHit(h.js, hitMessage({ readId: 'late-2', list: 'LATE' }));
      const readIds = (x: TestConsole): string[] => x.hits().map((f) => (f['read'] as { id: string }).id);
      await c.waitFor(() => readIds(c).includes('late-2'));
      await onFirst.waitFor(() => readIds(onFirst).includes('late-2'));

      // Stopping a gateway tells its consoles to go elsewhere (1001) and leaves the other serving.
      const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
      await second.stop();
      expect(await closed).toBe(1001);
      await publishHit(h.js, hitMessage({ readId: 'late-3', list: 'LATE' }));
      await onFirst.waitFor(() => readIds(onFirst).includes('late-3'));
    } finally {
      await second.stop();
    }
  }, 90_000);

  // A link that stops passing data without closing showed "Live" for ever (QA, a patrol car's
  // dead zone): consoles hear from the gateway every heartbeatMs, before subscribing too.
  it('sends every console a heartbeat every heartbeatMs, saying how often, whatever else it sends', async () => {
    // The first at once on connecting, not 15 s later (QA: a link dead in its first seconds showed "Live").
    const fresh = await openConsole();
    await until('a heartbeat on connecting', () => (fresh.heartbeats.length > 0 ? true : undefined), 5_000);
    expect(fresh.heartbeats[0]).toEqual({ type: 'heartbeat', everyMs: 15_000 });
    const gateway = await startGateway({
      nc: h.nc, js: h.js, verifySession: async (t) => h.sessions.get(t) ?? null, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }),
      config: { port: 0, heartbeatMs: 200 },
    });
    try {
      const quiet = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token: 'tok-dispatch' });
      open.push(quiet);
      await until('three heartbeats', () => (quiet.heartbeats.length >= 3 ? true : undefined), 10_000);
      expect(quiet.heartbeats[0]).toEqual({ type: 'heartbeat', everyMs: 200 });
      expect(quiet.frames).toEqual([]);
      const subscribed = quiet.heartbeats.length;
      await quiet.subscribe({ lists: ['NONE'] });
      await until('a heartbeat after subscribing', () => (quiet.heartbeats.length > subscribed ? true : undefined), 10_000);
    } finally {
      await gateway.stop();
    }
  });

  it('delivers a hit id once even when it reaches the stream twice', async () => {
    const c = await openConsole();
    await c.subscribe({ lists: ['DUP'] });
    const m = hitMessage({ readId: 'dup-1', list: 'DUP' });
    // Past JetStream's duplicate window (no msgID): both copies are stored and reach the gateway.
    await publishHit(h.js, m, null);
    await publishHit(h.js, { ...m, publishedAt: m.publishedAt + 1 }, null);
    await publishHit(h.js, hitMessage({ readId: 'dup-2', list: 'DUP' }), null);
    await c.waitForHits(2);
    await h.nc.flush();
    expect(h.gateway.metrics.duplicateHits.get()).toBeGreaterThanOrEqual(1);
    expect(c.hitIds()).toEqual([m.hitId, hitMessage({ readId: 'dup-2', list: 'DUP' }).hitId]);
  });

  it('counts and skips bytes on the HITS stream that are not a hit', async () => {
    const before = h.gateway.metrics.undecodableHits.get();
    await h.js.publish(hitsSubject('wpd', 'JUNK'), Uint8Array.of(0xc1));
    const c = await openConsole();
    await c.subscribe({ lists: ['JUNK'] });
    await publishHit(h.js, hitMessage({ readId: 'after-junk', list: 'JUNK' }));
    await c.waitForHits(1);
    expect(h.gateway.metrics.undecodableHits.get()).toBe(before + 1);
  });

  it('answers a malformed console message with an error frame and stays open', async () => {
    const c = await openConsole();
    c.ws.send('not json');
    expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'BAD_MESSAGE' });
    expect((await c.subscribe({})).type).toBe('replay');
  });
});
