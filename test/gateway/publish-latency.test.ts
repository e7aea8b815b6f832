// platewatch_gateway_publish_to_send_seconds measures live hits only (found by QA: after a restart,
// sum 1006.866 over count 3: old hits read from the backlog and replayed were counted by their
// age). Real nats-server and a gateway started after the old hit was published, as on a restart.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../gateway/index.js';
import { MetricsRegistry } from '../../ingest/index.js';
import { until } from '../reliability/fixtures.js';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

let h: Harness | undefined;
let gateway: RunningGateway | undefined;
let console_: TestConsole | undefined;

afterEach(async () => {
  await console_?.close();
  await gateway?.stop();
  await h?.stop();
  [h, gateway, console_] = [undefined, undefined, undefined];
});

/** The histogram's `_sum` and `_count` as /metrics serves them. */
async function latencySeries(url: string): Promise<{ sum: number; count: number; help: string }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (suffix: string) => Number(new RegExp(`^platewatch_gateway_publish_to_send_seconds_${suffix} (\\S+)$`, 'm').exec(text)?.[1]);
  const help = /^# HELP platewatch_gateway_publish_to_send_seconds (.*)$/m.exec(text)?.[1] ?? '';
  return { sum: value('sum'), count: value('count'), help };
}

describe('the gateway publish → send latency histogram', () => {
  it('leaves out an old hit read from the backlog on start and replayed, and a hit published before the start; counts a live hit', async () => {
    h = await startHarness();
    const harness = h;
    const old = hitMessage({ readId: 'before-restart', list: 'LAT', publishedAt: Date.now() - 1_000_000 });
    await publishHit(harness.js, old);

    gateway = await startGateway({
      nc: harness.nc, js: harness.js, verifySession: async (t) => harness.sessions.get(t) ?? null, registry: new MetricsRegistry(), logger: pino({ level: 'silent' }),
      config: { port: 0 },
    });
    const url = gateway.url;
    await until('the gateway to catch up', async () => ((await fetch(`${url}/healthz`)).status === 200 ? true : undefined), 30_000);
    console_ = await TestConsole.open(`ws://127.0.0.1:${gateway.port}/ws`, { token: 'tok-dispatch' });
    const replay = await console_.subscribe({ lists: ['LAT'] });
    expect((replay['hits'] as Array<{ hitId: string }>).map((x) => x.hitId)).toEqual([old.hitId]);
    expect(await latencySeries(url)).toMatchObject({ sum: 0, count: 0 });

    // Arrives after the start but was published before it (a pipeline's late retry): its age is no send latency.
    const stale = hitMessage({ readId: 'published-before-start', list: 'LAT', publishedAt: Date.now() - 600_000 });
    await publishHit(harness.js, stale);
    await console_.waitForHits(1);
    expect((await latencySeries(url)).count).toBe(0);

    const live = hitMessage({ readId: 'live', list: 'LAT' });
    await publishHit(harness.js, live);
    await console_.waitForHits(2);
    expect(console_.hitIds()).toEqual([stale.hitId, live.hitId]);
    const after = await latencySeries(url);
    expect(after.count).toBe(1);
    expect(after.sum).toBeGreaterThanOrEqual(0);
    expect(after.sum).toBeLessThan(30);
    expect(after.help).toMatch(/^Live hits only/);
  }, 60_000);
});
