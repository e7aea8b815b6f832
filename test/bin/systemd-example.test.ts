// examples/systemd/platewatch.service, which administrators copy: its settings must be ones `up`
// takes (a misspelt PLATEWATCH_* variable stops every command), and it must stop platewatch
// before its nats-server.
import { accessSync, constants, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bin/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const unit = readFileSync(`${ROOT}examples/systemd/platewatch.service`, 'utf8');
const settings = (key: string): string[] => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => (m[1] as string).trim());

describe('the systemd unit example', () => {
  it("sets only variables platewatch knows, with values its configuration takes", async () => {
    const env = Object.fromEntries(settings('Environment').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
    expect(Object.keys(env).length).toBeGreaterThan(0);
    const config = await loadConfig({ env });
    expect({ dataDir: config.dataDir, timeZone: config.timeZone, retentionDays: config.storage.retentionDays }).toEqual({
      dataDir: env['PLATEWATCH_DATA_DIR'], timeZone: env['PLATEWATCH_TIME_ZONE'], retentionDays: Number(env['PLATEWATCH_RETENTION_DAYS']),
    });
  });

  it('runs `platewatch up` and signals platewatch alone, so it stops its nats-server itself after the reads in flight', () => {
    expect(settings('ExecStart')).toEqual(['/opt/platewatch/platewatch up']);
    accessSync(`${ROOT}platewatch`, constants.X_OK);
    expect(settings('KillMode')).toEqual(['mixed']);
    expect(settings('Restart')).toEqual(['on-failure']);
    // Writable: the data directory the unit names (ProtectSystem makes the rest read-only).
    expect(settings('ReadWritePaths')).toEqual([settings('Environment').find((e) => e.startsWith('PLATEWATCH_DATA_DIR='))?.slice('PLATEWATCH_DATA_DIR='.length)]);
  });
});
