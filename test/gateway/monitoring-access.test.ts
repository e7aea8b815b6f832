// Who may read /metrics and /healthz's details (gateway/monitoring-access.ts), against a real
// gateway and nats-server. Security assessment: /metrics answered anyone, and a covert list's hit
// counter moving with one camera's last-read time told where and when a covert plate was seen;
// /healthz told anyone the internal NATS address. A client "elsewhere" is reached two ways: the
// machine's own non-loopback address, when it has one, and a reverse proxy on this host (a
// loopback peer) naming a remote client in X-Forwarded-For.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const TOKEN = 'scrape-6f1c0d9a4b7e2f35';
/** This machine's first non-loopback IPv4 address: a peer that is not on loopback. */
const outsideAddress = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

let open: Harness;
let withToken: Harness;

beforeAll(async () => {
  // Bound to `::`, uWS reports IPv4 peers as IPv6 in full (127.0.0.1 as …:ffff:7f00:0001): those
  // must still be told apart. Without IPv6 on the machine, every IPv4 address will do.
  open = await startHarness({ host: '::' }).catch(() => startHarness({ host: '0.0.0.0' }));
  withToken = await startHarness({ metricsToken: TOKEN });
}, 60_000);

afterAll(async () => {
  await open?.stop();
  await withToken?.stop();
});

async function get(h: Harness, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://${host}:${h.gateway.port}${path}`, { headers });
  return { status: res.status, text: await res.text() };
}

const THROUGH_PROXY = { 'x-forwarded-for': '203.0.113.7' };

describe('/metrics with no metrics token', () => {
  it('answers clients on this machine', async () => {
    const res = await get(open, '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('# TYPE platewatch_gateway_sockets gauge');
  });

  it('answers 403 to a remote client through a reverse proxy on this host, saying how to scrape from elsewhere', async () => {
    const res = await get(open, '/metrics', THROUGH_PROXY);
    expect(res.status).toBe(403);
    const body = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METRICS_LOCAL_ONLY');
    expect(body.error.message).toMatch(/PLATEWATCH_METRICS_TOKEN/);
    expect(res.text).not.toContain('platewatch_');
  });

  it.skipIf(outsideAddress === undefined)('answers 403 to a client on another address, whatever X-Forwarded-For it claims', async () => {
    expect((await get(open, '/metrics', {}, outsideAddress)).status).toBe(403);
    // Not a proxy: its X-Forwarded-For is its own claim.
    expect((await get(open, '/metrics', { 'x-forwarded-for': '127.0.0.1' }, outsideAddress)).status).toBe(403);
  });
});

describe('/metrics with a metrics token', () => {
  it('answers only a request with the token, from here too', async () => {
    expect((await get(withToken, '/metrics')).status).toBe(401);
    expect((await get(withToken, '/metrics', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await get(withToken, '/metrics', { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await get(withToken, '/metrics', { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    const refused = await get(withToken, '/metrics', THROUGH_PROXY);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'METRICS_TOKEN_REQUIRED' } });

    const res = await get(withToken, '/metrics', { authorization: `Bearer ${TOKEN}`, ...THROUGH_PROXY });
    expect(res.status).toBe(200);
    expect(res.text).toContain('platewatch_gateway_sockets');
    expect((await get(withToken, '/metrics', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('/healthz', () => {
  it('tells a remote client up or down only, and this machine (or a token holder) the details', async () => {
    const remote = await get(open, '/healthz', THROUGH_PROXY);
    expect(remote.status).toBe(200);
    expect(JSON.parse(remote.text)).toEqual({ ok: true });
    if (outsideAddress !== undefined) expect(JSON.parse((await get(open, '/healthz', {}, outsideAddress)).text)).toEqual({ ok: true });

    const local = JSON.parse((await get(open, '/healthz')).text) as { nats: { server?: string } };
    expect(local).toMatchObject({ ok: true, nats: { ok: true }, feed: { ok: true }, consoles: 0 });
    expect(local.nats.server).toBeTruthy();

    expect(JSON.parse((await get(withToken, '/healthz', THROUGH_PROXY)).text)).toEqual({ ok: true });
    expect(JSON.parse((await get(withToken, '/healthz', { authorization: `Bearer ${TOKEN}`, ...THROUGH_PROXY })).text)).toMatchObject({ ok: true, nats: { ok: true } });
  });
});

describe('the gateway configuration', () => {
  it('refuses a metrics token that cannot be sent in a header', async () => {
    await expect(startHarness({ metricsToken: 'has a space in it' })).rejects.toThrow(/metrics token must be printable ASCII/);
  });
});
