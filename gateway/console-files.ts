// The console's static files (console/), served by the gateway. A fixed allow-list read once at
// start: no path from a request ever reaches the file system, so there is nothing to traverse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { GatewayError } from './errors.js';

/** Where the console's files live: `console/` beside `gateway/`. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/** URL path → file in the console directory, with its content type. */
const CONSOLE_FILES: ReadonlyArray<{ paths: readonly string[]; file: string; contentType: string }> = [
  { paths: ['/', '/index.html'], file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { paths: ['/console.js'], file: 'console.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/search.js'], file: 'search.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/admin.js'], file: 'admin.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/releases.js'], file: 'releases.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/holds.js'], file: 'holds.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/evidence.js'], file: 'evidence.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/audit.js'], file: 'audit.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/clock.js'], file: 'clock.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/idle-lock.js'], file: 'idle-lock.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/chime.js'], file: 'chime.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/refused-reads.js'], file: 'refused-reads.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/read-image.js'], file: 'read-image.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/display.js'], file: 'display.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/dispositions.js'], file: 'dispositions.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/display-first.js'], file: 'display-first.js', contentType: 'text/javascript; charset=utf-8' },
  { paths: ['/console.css'], file: 'console.css', contentType: 'text/css; charset=utf-8' },
];

/**
 * Everything from this origin only: no CDN, fonts or tiles can creep in, and no inline script.
 * Images also from the configured image hosts (image-sources.ts), the reads' images, and no others.
 */
export function consoleContentSecurityPolicy(imageOrigins: readonly string[] = []): string {
  return `default-src 'self'; connect-src 'self'; img-src ${["'self'", 'data:', ...imageOrigins].join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
}

/** Registers GET routes for the console files; throws at start when one is missing. */
export function serveConsoleFiles(app: TemplatedApp, dir: string = DEFAULT_CONSOLE_DIR, imageOrigins: readonly string[] = []): void {
  const policy = consoleContentSecurityPolicy(imageOrigins);
  for (const { paths, file, contentType } of CONSOLE_FILES) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch (error) {
      throw new GatewayError('GATEWAY_CONSOLE_MISSING', `console file ${join(dir, file)} cannot be read; the console is shipped in console/ beside gateway/`, { cause: error });
    }
    const send = (res: HttpResponse): void => {
      // no-cache: browsers revalidate, so a console update reaches every screen on reload.
      res.writeHeader('content-type', contentType).writeHeader('cache-control', 'no-cache').writeHeader('x-content-type-options', 'nosniff').writeHeader('content-security-policy', policy).end(body);
    };
    for (const path of paths) app.get(path, send);
  }
}
