// The version in package.json: what a support request, an upgrade note, a dashboard or a package's
// README refers to. Here, not in bin/, because storage writes it into every package it makes and
// cannot import bin/.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The release, e.g. "0.1.0"; "unknown" if package.json cannot be read (a package still says what made it). */
export function platewatchVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
