// `platewatch up --demo` as an operator runs it: a real process with embedded nats-server and
// chDB. The demo's own sample list is in force before the first staleness check, so the log never
// calls it stale under a banner that lists it (found by QA); the lists it loads nothing for are.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../reliability/fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'platewatch-up-demo-'));
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_DATA_DIR: join(dir, 'data'), PLATEWATCH_LOG_LEVEL: 'info', PLATEWATCH_HTTP_PORT: '0' };
const up = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up', '--demo'], { cwd: ROOT, env });
let out = '';
let err = '';
up.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
up.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));

// SIGTERM, and SIGKILL only if that does not end it: a SIGKILLed up leaves its nats-server running.
afterAll(async () => {
  if (up.exitCode === null && up.signalCode === null) {
    up.kill('SIGTERM');
    const timer = setTimeout(() => up.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}, 90_000);

describe('platewatch up --demo', () => {
  it('never logs its own sample list as stale, and still logs the general lists it loads nothing for', async () => {
    await until('platewatch is up', () => (out.includes('platewatch is up') ? true : undefined), 180_000);
    expect(out).toMatch(/hot lists {2}SVS v1 \(\d+\)/);
    expect(out).toMatch(/stale {6}SFR \(never loaded\), SLR \(never loaded\):/);
    const staleness = err.split('\n').filter((line) => line.includes('general hot list'));
    expect(staleness.some((line) => line.includes('general hot list SVS'))).toBe(false);
    expect(staleness.some((line) => line.includes('general hot list SFR is stale: it has never been loaded'))).toBe(true);
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 240_000);
});
