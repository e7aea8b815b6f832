// The replay keeps the newest unresolved hits that fit in `replayMaxBytes` and says how many older
// ones it left out (`omitted`), so a console can tell the operator (found by QA: with 13,400
// unresolved hits, 660 of the oldest were dropped with no marker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

let h: Harness;
const open: TestConsole[] = [];

beforeAll(async () => {
  h = await startHarness({ replayMaxBytes: 40_000 });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await h?.stop();
});

async function openConsole(): Promise<TestConsole> {
  const c = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
  open.push(c);
  return c;
}

describe('a replay over replayMaxBytes', () => {
  it('keeps the newest hits that fit and counts the older ones left out in `omitted`', async () => {
    const first = await openConsole();
    await first.subscribe({ lists: ['CAP'] });
    const messages = Array.from({ length: 60 }, (_, i) => hitMessage({ readId: `cap-${i}`, list: 'CAP', padding: 1_500 }));
    for (const m of messages) await publishHit(h.js, m);
    await first.waitForHits(messages.length);

    const replay = await (await openConsole()).subscribe({ lists: ['CAP'] });
    const ids = (replay['hits'] as Array<{ hitId: string }>).map((x) => x.hitId);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(messages.length);
    expect(JSON.stringify(replay['hits']).length).toBeLessThanOrEqual(40_000);
    expect(ids).toEqual(messages.slice(messages.length - ids.length).map((m) => m.hitId));
    expect(replay['omitted']).toBe(messages.length - ids.length);

    // Nothing left out: no `omitted` at all.
    await first.subscribe({ lists: ['CAPSMALL'] });
    const small = hitMessage({ readId: 'cap-small', list: 'CAPSMALL' });
    await publishHit(h.js, small);
    await first.waitFor((f) => f.type === 'hit' && f['hitId'] === small.hitId);
    const whole = await (await openConsole()).subscribe({ lists: ['CAPSMALL'] });
    expect(whole).toEqual({ type: 'replay', hits: [expect.objectContaining({ hitId: small.hitId })] });
  });
});
