// HTTP on the gateway's port: health, Prometheus metrics, JSON errors, body limits, 404.
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachment, HttpError, type JsonRoute } from '../../gateway/index.js';
import { hitMessage, publishHit, startHarness, TestConsole, type Harness } from './harness.js';

const MAX_BODY = 1024;
// Small endpoints exercising the JSON route wrapper the later API is built on.
const routes: JsonRoute[] = [
  { method: 'post', pattern: '/test/echo/:name', handler: (req) => ({ status: 200, body: { name: req.params[0], body: req.body } }) },
  { method: 'get', pattern: '/test/forbidden', handler: () => { throw new HttpError(403, 'FORBIDDEN', 'not for you'); } },
  { method: 'get', pattern: '/test/broken', handler: async () => { throw new Error('secret internal detail'); } },
  {
    method: 'get', pattern: '/test/query', handler: (req) => ({ status: 200, body: Object.fromEntries(req.queryParams) }),
    query: { names: ['a', 'b'], code: 'BAD_TEST_QUERY', hint: 'filter by b instead' },
  },
  {
    method: 'post', pattern: '/test/file', handler: (req) => ({ status: 200, body: typeof req.body === 'string' ? { text: req.body.length } : { json: req.body } }),
    textBody: {
      contentTypes: ['text/csv'],
      maxBytes: 4 * MAX_BODY,
      // Admitted with the header; one marked "hold" waits in admission until the test lets it go.
      admit: async (req) => {
        admissions++;
        if (req.headers['x-admit'] === 'hold') await new Promise<void>((release) => held.push(release));
        else if (req.headers['x-admit'] !== 'yes') throw new HttpError(401, 'BAD_SESSION', 'no valid session');
      },
    },
  },
  {
    // A route that takes the file's bytes as they came (textBody.raw): it decodes them itself.
    method: 'post', pattern: '/test/raw', handler: (req) => {
      const bytes = req.body as Uint8Array;
      const own = bytes instanceof Uint8Array && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return { status: 200, body: { bytes: [...bytes.subarray(0, 4)], length: bytes.byteLength, ownsItsBuffer: own } };
    },
    textBody: { contentTypes: ['text/csv'], maxBytes: 4 * MAX_BODY, raw: true, admit: async () => {} },
  },
];
let admissions = 0;
const held: Array<() => void> = [];
const ADMITTED = { 'x-admit': 'yes' };
let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: MAX_BODY }, routes);
  base = h.gateway.url;
});

afterAll(async () => {
  await h?.stop();
});

describe('gateway HTTP', () => {
  it('names the port setting and its environment variable when it cannot listen (GATEWAY_LISTEN_FAILED)', async () => {
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
    const port = (holder.address() as AddressInfo).port;
    try {
      await expect(startHarness({ host: '127.0.0.1', port })).rejects.toMatchObject({
        code: 'GATEWAY_LISTEN_FAILED',
        message: `cannot listen on 127.0.0.1:${port} (in use, or not permitted): set another gateway.port (PLATEWATCH_HTTP_PORT), ` +
          'or 0 for a free one, or check gateway.host (PLATEWATCH_HTTP_HOST)',
      });
    } finally {
      await new Promise((closed) => holder.close(closed));
    }
  });

  it('reports health with the NATS connection and the hit feed', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ ok: true, nats: { ok: true }, feed: { ok: true }, consoles: 0 });
  });

  it('serves Prometheus metrics including the gateway series', async () => {
    const c = await TestConsole.open(h.wsUrl, { token: 'tok-dispatch' });
    await c.subscribe({});
    await publishHit(h.js, hitMessage({ readId: 'm-1' }));
    await c.waitForHits(1);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^platewatch_gateway_sockets 1$/m);
    expect(text).toMatch(/^platewatch_gateway_hits_delivered_total 1$/m);
    expect(text).toMatch(/^platewatch_gateway_fan_out_seconds_count \d+$/m);
    expect(text).toContain('# TYPE platewatch_gateway_resyncs_total counter');
    await c.close();
  });

  it('answers an unknown route with a JSON 404', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/api/v1/whatever'], ['GET', '/test/echo'], ['GET', '/test/echo/a/b']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `no such endpoint: ${method} ${path}` } });
    }
  });

  it('answers a known route asked with another method with 405 and the methods it takes (Allow)', async () => {
    for (const [method, path, allowed] of [['DELETE', '/healthz', 'GET'], ['HEAD', '/metrics', 'GET'], ['GET', '/test/echo/abc', 'POST'], ['PUT', '/test/forbidden', 'GET']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allowed);
      if (method !== 'HEAD') expect(await res.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: `${path} takes ${allowed}, not ${method}` } });
    }
  });

  it('names a download in plain ASCII and exactly in UTF-8, with no quote or backslash to break the header', () => {
    expect(attachment('release-R1-detections.csv')).toBe(`attachment; filename="release-R1-detections.csv"; filename*=UTF-8''release-R1-detections.csv`);
    expect(attachment('café "x"\\.csv')).toBe(`attachment; filename="caf_ _x__.csv"; filename*=UTF-8''caf%C3%A9%20%22x%22%5C.csv`);
  });

  it('answers a plain GET of /ws, which takes WebSocket upgrades only, with 426', async () => {
    const res = await fetch(`${base}/ws`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPGRADE_REQUIRED');
  });

  it('marks every answer nosniff, so no browser reads a JSON error or a package file as a page', async () => {
    for (const path of ['/healthz', '/metrics', '/nope', '/test/forbidden']) {
      expect((await fetch(`${base}${path}`)).headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('gives a route the query parameters it declares, and refuses any other before the route runs', async () => {
    const asked = async (method: string, path: string) => {
      const res = await fetch(`${base}${path}`, method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: '{}' } : { method });
      return { status: res.status, body: await res.json() as unknown };
    };
    expect(await asked('GET', '/test/query?a=1&b=x%20y+z')).toEqual({ status: 200, body: { a: '1', b: 'x y z' } });
    expect(await asked('GET', '/test/query')).toEqual({ status: 200, body: {} });
    expect(await asked('GET', '/test/query?c=1')).toEqual({
      status: 400, body: { error: { code: 'BAD_TEST_QUERY', message: 'unknown query parameter "c" (known: a, b); filter by b instead' } },
    });
    expect(await asked('GET', '/test/query?a=1&a=2')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('"a" is given twice') } } });
    // A route that declares none refuses one, whatever the method, before its own answer (here a 403).
    const none = { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'unknown query parameter "x": this endpoint takes none' } } };
    expect(await asked('GET', '/test/forbidden?x=1')).toEqual(none);
    expect(await asked('POST', '/test/echo/n?x=1')).toEqual(none);
    // Health and metrics are read by monitors, some of which add a cache-buster: never refused for it.
    expect((await fetch(`${base}/healthz?_=1`)).status).toBe(200);
  });

  it('takes a file as text on a route that says so, up to that route\'s own limit, and JSON as before', async () => {
    const post = async (type: string, body: string | Uint8Array) => {
      const res = await fetch(`${base}/test/file`, { method: 'POST', headers: { 'content-type': type, ...ADMITTED }, body });
      return { status: res.status, body: await res.json() as unknown };
    };
    const csv = `plate\n${'7ABC123\n'.repeat(300)}`; // over the JSON limit, within the route's
    expect(await post('text/csv', csv)).toEqual({ status: 200, body: { text: csv.length } });
    expect(await post('text/csv; charset=utf-8', 'é,ü\n')).toEqual({ status: 200, body: { text: 4 } });
    expect(await post('application/json', '{"a":1}')).toEqual({ status: 200, body: { json: { a: 1 } } });
    expect((await post('application/json', JSON.stringify({ text: csv }))).status).toBe(413);
    expect(await post('text/csv', 'x'.repeat(4 * MAX_BODY + 1))).toMatchObject({ status: 413, body: { error: { code: 'BODY_TOO_LARGE' } } });
    expect(await post('text/csv', new Uint8Array([0x37, 0xff, 0x0a]))).toEqual({ status: 400, body: { error: { code: 'BAD_TEXT', message: 'request body is not UTF-8 text' } } });
    expect(await post('text/plain', 'plate')).toEqual({
      status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request bodies must be application/json, text/csv' } },
    });
  });

  it('hands a route that takes bytes the body as sent, in bytes of its own, with or without a Content-Length', async () => {
    const big = new Uint8Array(3 * MAX_BODY).fill(0x41);
    big.set([0x37, 0xff, 0x0a], 0); // not UTF-8: the route's own to judge
    const res = await fetch(`${base}/test/raw`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: big });
    expect(await res.json()).toEqual({ bytes: [0x37, 0xff, 0x0a, 0x41], length: 3 * MAX_BODY, ownsItsBuffer: true });
    // Chunked: no Content-Length to size the bytes by.
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/test/raw`, { method: 'POST', headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } }, (answer) => {
        let body = '';
        answer.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.write(Buffer.from([0xc3, 0xa9]));
      req.end(Buffer.from('x'.repeat(3000)));
    });
    expect(JSON.parse(chunked)).toEqual({ bytes: [0xc3, 0xa9, 0x78, 0x78], length: 3002, ownsItsBuffer: true });
  });

  it('refuses a large text body from a sender the route does not admit before reading any of it', async () => {
    // 4 KiB declared, 100 bytes sent, the rest never: read first, this got no answer at all (the
    // security review's 250 MB anonymous upload held 0.7 GB until it was refused 401).
    const answered = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/test/file`, { method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': String(4 * MAX_BODY) } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.write('x'.repeat(100));
      setTimeout(() => reject(new Error('no answer before the body was complete')), 5_000).unref();
    });
    expect(answered.status).toBe(401);
    expect(JSON.parse(answered.body)).toEqual({ error: { code: 'BAD_SESSION', message: 'no valid session' } });
  });

  it('counts only admitted senders among the bodies read at once: requests still being admitted never make an admitted one wait', async () => {
    // With made-up tokens, whose check takes a moment, anyone kept both places taken and the daily load got 503 (verification QA).
    const post = (admit: string) => fetch(`${base}/test/file`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-admit': admit }, body: 'plate\n7ABC123\n' });
    const pending = [post('hold'), post('hold'), post('hold')];
    while (held.length < 3) await new Promise((r) => setTimeout(r, 20));
    expect((await post('yes')).status).toBe(200);
    // Admitted one by one, each is read and answered.
    for (const [i, release] of held.splice(0).entries()) {
      release();
      expect((await pending[i])?.status).toBe(200);
    }
  });

  it('answers 503 to one more admitted body than the route reads at once, after reading it, so the sender sees the answer; and takes it once one is done', async () => {
    // Two admitted uploads that send 10 of their 4,000 bytes and wait.
    const slow = () => {
      const req = httpRequest(`${base}/test/file`, { method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': '4000', ...ADMITTED } });
      const answered = new Promise<number | undefined>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
      });
      req.write('x'.repeat(10));
      return { finish: () => req.end('x'.repeat(3990)), answered };
    };
    const before = admissions;
    const [one, two] = [slow(), slow()];
    while (admissions - before < 2) await new Promise((r) => setTimeout(r, 20));
    // A third, with a body of its own: cut off before it was read, fetch saw only "fetch failed".
    const third = await fetch(`${base}/test/file`, { method: 'POST', headers: { 'content-type': 'text/csv', ...ADMITTED }, body: 'y'.repeat(3000) });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await third.json()).toMatchObject({ error: { code: 'BUSY' } });
    one.finish();
    two.finish();
    expect(await one.answered).toBe(200);
    expect(await two.answered).toBe(200);
    expect((await fetch(`${base}/test/file`, { method: 'POST', headers: { 'content-type': 'text/csv', ...ADMITTED }, body: 'z'.repeat(3000) })).status).toBe(200);
  });

  it('takes a JSON body within the limit', async () => {
    const res = await fetch(`${base}/test/echo/abc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'abc', body: { a: 1 } });
  });

  it('refuses an oversized body with 413, declared or streamed', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BODY) });
    const declared = await fetch(`${base}/test/echo/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });

    const chunk = new TextEncoder().encode('x'.repeat(512));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await fetch(`${base}/test/echo/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('answers bad JSON, a wrong content type and handler errors with JSON 4xx/5xx and no stack', async () => {
    const bad = await fetch(`${base}/test/echo/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BAD_JSON', message: 'request body is not valid JSON' } });
    const text = await fetch(`${base}/test/echo/x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    const forbidden = await fetch(`${base}/test/forbidden`);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'not for you' } });
    const broken = await fetch(`${base}/test/broken`);
    expect(broken.status).toBe(500);
    const body = await broken.text();
    expect(body).not.toMatch(/secret internal detail|at .*\.ts/);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'INTERNAL' } });
  });

  it('reports 503 when the hit feed has stopped', async () => {
    await h.gateway.feed.stop();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, feed: { ok: false } });
  });
});
