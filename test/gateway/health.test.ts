// /healthz against a hung nats-server (SIGSTOP): the socket stays open and no disconnect comes for
// a while, so only an unanswered round trip shows it (found by QA: ok for 22 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let stopped = false;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  if (stopped) process.kill(h.nats.pid, 'SIGCONT');
  await h?.stop();
});

async function healthUntil(status: number, timeoutMs: number): Promise<{ status: number; body: unknown; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${h.gateway.url}/healthz`);
    const body: unknown = await res.json();
    if (res.status === status) return { status, body, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`/healthz still ${res.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway /healthz', () => {
  it('says 503 within a few seconds while nats-server is hung, naming the unanswered round trip, and 200 once it answers again', async () => {
    // Fast while healthy: the round trip is proved in the background, not made per request.
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);

    process.kill(h.nats.pid, 'SIGSTOP');
    stopped = true;
    const hung = await healthUntil(503, 5_000);
    // No hit can arrive meanwhile, so the feed is not ok either (it said ok: true, found by QA).
    expect(hung.body).toMatchObject({
      ok: false, nats: { ok: false, error: expect.stringMatching(/^NATS did not answer within 2 s/) }, feed: { ok: false, error: expect.stringMatching(/^NATS disconnected: no hits can arrive/) },
    });

    process.kill(h.nats.pid, 'SIGCONT');
    stopped = false;
    const back = await healthUntil(200, 5_000);
    expect(back.body).toMatchObject({ ok: true, nats: { ok: true }, feed: { ok: true } });
  }, 30_000);
});
