// A console that stops reading must not hold up the feed or any other console: its socket fills
// to the limit, its hits are dropped, and when it reads again it gets a resync and a replay. The
// assertions are about what arrives, never how fast: the healthy consoles receive every hit of
// every round while the stalled one is paused, and the gateway is seen dropping for it.
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type GatewayConfig } from '../../gateway/index.js';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

const ROUND = 100;
const MAX_ROUNDS = 100;
let h: Harness | undefined;
const open: TestConsole[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await h?.stop();
  h = undefined;
});

async function setUp(config: Partial<GatewayConfig>): Promise<{ harness: Harness; healthy: TestConsole[]; stalled: TestConsole }> {
  const harness = await startHarness({ maxBufferedBytes: 256 * 1024, ...config });
  h = harness;
  const consoles = await Promise.all([0, 1, 2].map(() => TestConsole.open(harness.wsUrl, { token: 'tok-dispatch' })));
  open.push(...consoles);
  for (const c of consoles) await c.subscribe({ lists: ['FLOOD'] });
  const [stalled, ...healthy] = consoles as [TestConsole, ...TestConsole[]];
  stalled.ws.pause();
  return { harness, healthy, stalled };
}

/** Publishes rounds of large hits until the gateway drops for the stalled console; every round must reach the healthy ones. */
async function floodUntilDropping(harness: Harness, healthy: TestConsole[]): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < MAX_ROUNDS && harness.gateway.metrics.hitsDropped.get() === 0; round++) {
    const messages = Array.from({ length: ROUND }, (_, i) => hitMessage({ readId: `flood-${round}-${i}`, list: 'FLOOD', padding: 2048 }));
    await Promise.all(messages.map((m) => publishHit(harness.js, m)));
    ids.push(...messages.map((m) => m.hitId));
    for (const c of healthy) await c.waitForHits(ids.length);
  }
  return ids;
}

describe('a stalled console', () => {
  it('does not delay the other consoles, and is resynced with a replay when it reads again', async () => {
    const { harness, healthy, stalled } = await setUp({ stuckTimeoutMs: 600_000 });
    const ids = await floodUntilDropping(harness, healthy);
    expect(harness.gateway.metrics.hitsDropped.get()).toBeGreaterThan(0);
    for (const c of healthy) expect(c.hitIds()).toEqual(ids);
    expect(stalled.frames.some((f) => f.type === 'resync')).toBe(false);

    stalled.ws.resume();
    const resync = await stalled.waitFor((f) => f.type === 'resync');
    expect(resync['dropped']).toBeGreaterThan(0);
    expect(String(resync['reason'])).toMatch(/fell behind/);
    const at = stalled.frames.indexOf(resync);
    const replay = await stalled.waitFor((f, i) => i > at && f.type === 'replay');
    const replayed = (replay['hits'] as Array<{ hitId: string }>).map((x) => x.hitId);
    // Everything it missed is still unresolved, so between live frames and the replay it has every hit.
    expect(new Set([...stalled.hitIds(), ...replayed])).toEqual(new Set(ids));
    expect(harness.gateway.metrics.resyncs.get()).toBe(1);

    // And it is live again.
    const next = hitMessage({ readId: 'after-resync', list: 'FLOOD' });
    await publishHit(harness.js, next);
    await stalled.waitFor((f, i) => i > at && f.type === 'hit' && f['hitId'] === next.hitId);
  }, 120_000);

  it('is closed with code 4008 when it stays stuck past stuckTimeoutMs, and the others carry on', async () => {
    const { harness, healthy, stalled } = await setUp({ stuckTimeoutMs: 1 });
    const closed = new Promise<number>((resolve) => stalled.ws.once('close', (code) => resolve(code)));
    const ids = await floodUntilDropping(harness, healthy);
    // The stuck check runs with the next fan-out; publish until the gateway has closed it.
    for (let i = 0; i < MAX_ROUNDS && harness.gateway.metrics.slowConsoleCloses.get() === 0; i++) {
      const m = hitMessage({ readId: `late-${i}`, list: 'FLOOD' });
      await publishHit(harness.js, m);
      ids.push(m.hitId);
      for (const c of healthy) await c.waitForHits(ids.length);
    }
    expect(harness.gateway.metrics.slowConsoleCloses.get()).toBe(1);
    expect(harness.gateway.fanOut.size).toBe(2);
    stalled.ws.resume();
    expect(await closed).toBe(CLOSE_CODES.tooSlow);
    for (const c of healthy) expect(c.hitIds()).toEqual(ids);
  }, 120_000);
});
