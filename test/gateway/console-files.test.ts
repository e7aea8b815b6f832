// The console's static files on the gateway's port: the allow-list, content types, no-cache, and
// nothing else reachable however the path is spelled.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  base = h.gateway.url;
});

afterAll(async () => {
  await h?.stop();
});

/** Sends a request line exactly as written (fetch would normalise `..` and `%2e` away). */
function rawGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(h.gateway.port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('console files', () => {
  it('serves the console page, script and style with their content types and no-cache', async () => {
    const expected = [
      ['/', 'index.html', 'text/html; charset=utf-8'],
      ['/index.html', 'index.html', 'text/html; charset=utf-8'],
      ['/console.js', 'console.js', 'text/javascript; charset=utf-8'],
      ['/console.css', 'console.css', 'text/css; charset=utf-8'],
    ] as const;
    for (const [path, file, type] of expected) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(await res.text(), path).toBe(readFileSync(new URL(`../../console/${file}`, import.meta.url), 'utf8'));
    }
  });

  it('loads nothing from another origin', () => {
    const html = readFileSync(new URL('../../console/index.html', import.meta.url), 'utf8');
    const css = readFileSync(new URL('../../console/console.css', import.meta.url), 'utf8');
    expect(html + css).not.toMatch(/(src|href)=["']?(https?:)?\/\/|url\(\s*["']?(https?:)?\/\/|@import/);
  });

  it('answers any other path, including traversal attempts, with 404', async () => {
    for (const path of ['/../gateway/server.ts', '/console.js/../../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/console/console.js', '/index.html/', '/console.js%00.css', '//etc/passwd']) {
      const response = await rawGet(path);
      expect(response, path).toMatch(/^HTTP\/1\.1 404 /);
      expect(response, path).not.toContain('"name": "platewatch"');
      expect(response, path).not.toContain('import uWS');
    }
    expect((await fetch(`${base}/package.json`)).status).toBe(404);
  });
});
