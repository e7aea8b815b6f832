// The department's time zone: the `timeZone` setting (file, PLATEWATCH_TIME_ZONE, the process's
// own zone by default), and `platewatch users` judging --trained and --expires by the day there
// (found by QA: after 4 p.m. in California, `--expires <today>` was refused as a day already past).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PLATEWATCH_ENV_VARIABLES, resolveConfig } from '../../bin/config.js';
import { storageSettings } from '../../bin/storage-options.js';
import { dayIn, DEFAULT_TIME_ZONE } from '../../storage/index.js';
import { runCliInProcess } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-time-zone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the timeZone setting', () => {
  it('defaults to the process zone; a file sets it, PLATEWATCH_TIME_ZONE overrides the file; storage and the matcher get it', async () => {
    const defaults = resolveConfig({}, {});
    expect(defaults.timeZone).toBe(DEFAULT_TIME_ZONE);
    expect(DEFAULT_TIME_ZONE).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    const file = join(dir, 'zone.json');
    writeFileSync(file, JSON.stringify({ timeZone: 'America/Los_Angeles' }));
    const fromFile = await loadConfig({ file, env: {} });
    expect(fromFile.timeZone).toBe('America/Los_Angeles');
    const fromEnv = await loadConfig({ file, env: { PLATEWATCH_TIME_ZONE: 'pacific/kiritimati' } });
    expect(fromEnv.timeZone).toBe('Pacific/Kiritimati');
    expect(storageSettings(fromEnv).timeZone).toBe('Pacific/Kiritimati');
    expect(fromEnv.matcher.timeZone).toBe('Pacific/Kiritimati');
    expect(PLATEWATCH_ENV_VARIABLES).toContain('PLATEWATCH_TIME_ZONE');
  });

  it('refuses a zone Intl does not know, from the file or the environment', () => {
    expect(() => resolveConfig({}, { PLATEWATCH_TIME_ZONE: 'PST8PDT-ish' })).toThrow(ConfigError);
    expect(() => resolveConfig({}, { PLATEWATCH_TIME_ZONE: 'Pacific/Nowhere' })).toThrow(/PLATEWATCH_TIME_ZONE "Pacific\/Nowhere" is not an IANA time zone name/);
    expect(() => resolveConfig({ timeZone: 'Mars/Olympus_Mons' }, {})).toThrow(/timeZone "Mars\/Olympus_Mons" is not an IANA time zone name/);
    expect(() => resolveConfig({ timeZone: -8 }, {})).toThrow(/timeZone must be an IANA time zone name/);
  });
});

/** A zone whose day now is not the UTC day (Kiritimati, UTC+14, from 10:00 UTC; UTC-12 before noon), and days there. */
function zoneOffTheUtcDay(): { zone: string; yesterday: string; today: string } {
  for (const zone of ['Pacific/Kiritimati', 'Etc/GMT+12']) {
    const today = dayIn(zone);
    if (today === dayIn('UTC')) continue;
    const before = new Date(`${today}T12:00:00Z`);
    before.setUTCDate(before.getUTCDate() - 1);
    return { zone, yesterday: before.toISOString().slice(0, 10), today };
  }
  throw new Error('no zone off the UTC day');
}

describe('platewatch users, in the department time zone', () => {
  // An empty data directory: a date refused is refused before storage; one accepted goes on to
  // find no database there (exit 1), which is all these cases need.
  const dataDir = join(dir, 'data');
  const { zone, yesterday, today } = zoneOffTheUtcDay();
  const users = (args: readonly string[]) =>
    runCliInProcess(['users', 'train', '--id', 'ofc1', ...args, '--as', 'admin1', '--password-stdin'], { stdin: 'x\n', env: { PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_TIME_ZONE: zone } });

  it(`takes today in the zone as the earliest expiry and the latest training day, and refuses the day before as past (${zone})`, async () => {
    const past = await users(['--trained', '2025-01-01', '--expires', yesterday]);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(`--expires ${yesterday} is a day already past`);

    const expiresToday = await users(['--trained', '2025-01-01', '--expires', today]);
    expect(expiresToday.stderr).not.toMatch(/already past/);
    expect(expiresToday.code).not.toBe(2);

    const trainedToday = await users(['--trained', today]);
    expect(trainedToday.stderr).not.toMatch(/still to come/);
    expect(trainedToday.code).not.toBe(2);
  });
});
