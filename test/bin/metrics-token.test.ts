// metrics.token / PLATEWATCH_METRICS_TOKEN (bin/config.ts) reaching the gateway that `up` starts:
// with it set, /metrics asks every client for it (gateway/monitoring-access.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../bin/config.js';
import { startSystem, type RunningSystem } from '../../bin/system.js';

const TOKEN = 'a3f9c2e17b4d8065aa11';
const dir = mkdtempSync(join(tmpdir(), 'platewatch-metrics-token-'));
let system: RunningSystem | undefined;

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('metrics.token', () => {
  it('is read from the file and overridden by PLATEWATCH_METRICS_TOKEN, and unset by default', () => {
    expect(resolveConfig({}, {}).metrics.token).toBeUndefined();
    expect(resolveConfig({ metrics: { token: TOKEN } }, {}).metrics.token).toBe(TOKEN);
    expect(resolveConfig({ metrics: { token: TOKEN } }, { PLATEWATCH_METRICS_TOKEN: `${TOKEN}-env` }).metrics.token).toBe(`${TOKEN}-env`);
  });

  it('refuses a token short enough to guess, or with spaces, naming where it came from', () => {
    expect(() => resolveConfig({ metrics: { token: 'secret' } }, {})).toThrow(/metrics\.token must be at least 16 printable characters/);
    expect(() => resolveConfig({}, { PLATEWATCH_METRICS_TOKEN: 'a long token with spaces' })).toThrow(/PLATEWATCH_METRICS_TOKEN must be at least 16/);
    expect(() => resolveConfig({ metrics: { token: 42 } }, {})).toThrow(/metrics\.token must be a string/);
  });

  it('makes the running system\'s /metrics answer only requests carrying it', async () => {
    const config = resolveConfig({}, { PLATEWATCH_METRICS_TOKEN: TOKEN });
    system = await startSystem({
      dataDir: dir, matcher: config.matcher, logger: pino({ level: 'silent' }), storage: { batchDelayMs: 50 },
      pipeline: false, gateway: { port: 0, host: '127.0.0.1' }, metrics: config.metrics,
    });
    const url = `${system.gateway?.url}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('platewatch_reads_total');
  }, 60_000);
});
