// `platewatch hotlist load|list` as a real process against a real nats-server: bulk layouts from
// the configuration, the load report (Immigration Violator File records dropped: Gov. Code
// § 7284.6; person columns never read), the refusal of a layout mapping names or dates of birth
// (State Auditor 2019-118), of a list for immigration enforcement, and the staleness flag
// (Watsonville §471.5(f)(4)).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../fixtures/cli.js';
import { useLocalNats } from '../fixtures/nats.js';

// The CLI connects on its own: no connection here.
const nats = useLocalNats('hotlist-cli', { connections: 0 });
const dir = nats.dir;

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { env: { PLATEWATCH_DATA_DIR: join(dir, 'data'), USER: 'feed' } });
}

const layouts = {
  ncic: { format: 'fixed', fields: { MKE: { start: 1, length: 3 }, LIC: { start: 4, length: 8 }, LIS: { start: 12, length: 2 }, OCA: { start: 14, length: 10 } } },
};
const EXTRACT = ['EV 7ABC123 CA26-0001   DOE/JOHN 19800101', 'EIV8XYZ999 CA          ROE/JANE 19900202', 'EV 6TRJ244 NV26-0002   '].join('\n');

describe('platewatch hotlist', () => {
  it('loads a fixed-width NCIC extract with a configured layout and reports what was dropped', async () => {
    const config = file('config.json', JSON.stringify({ hotlists: { layouts } }));
    const extract = file('svs.txt', EXTRACT);
    const loaded = await cli(['hotlist', 'load', '--list', 'SVS', '--layout', 'ncic', '--config', config, '--nats', nats.server.url, extract]);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/list SVS is now version \d+: 2 entries \(2 added, 0 removed\)/);
    expect(loaded.stderr).toContain('1 immigration violator records dropped');

    const listed = await cli(['hotlist', 'list', '--config', config, '--nats', nats.server.url]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/SVS +version \d+ +2 entries +loaded by feed/);
    expect(listed.stdout).not.toMatch(/SVS .*STALE/);
    expect(listed.stdout).toMatch(/SFR +version 0 +0 entries +never loaded +STALE/);
  });

  it('loads the example NCIC extract with the example layout', async () => {
    const loaded = await cli(['hotlist', 'load', '--list', 'SFR', '--layout', 'ncic-psv', '--config', 'examples/hotlists/layouts.json', '--nats', nats.server.url, 'examples/hotlists/svs-ncic.psv']);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/list SFR is now version \d+: 4 entries \(4 added, 0 removed\)/);
    expect(loaded.stderr).toContain('loaded 4 of 5 rows');
    expect(loaded.stderr).toContain('1 immigration violator records dropped');
    expect(loaded.stderr).toContain('columns not read: NAM, DOB');
  });

  it('with --strict refuses a layout file with a bad row, naming each rejected line', async () => {
    const config = file('strict.json', JSON.stringify({ hotlists: { layouts } }));
    const extract = file('strict.txt', [...EXTRACT.split('\n'), 'EV 7ABC123 CA26-0003   '].join('\n'));
    const refused = await cli(['hotlist', 'load', '--list', 'SLR', '--layout', 'ncic', '--strict', '--config', config, '--nats', nats.server.url, extract]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${extract}:4: duplicate of line 1`);
    expect(refused.stderr).toContain('[ROWS_REJECTED]');
    expect(refused.stdout).toBe('');
  });

  it('with --strict says that a CSV with rows of another list was not loaded at all', async () => {
    const csv = file('mixed.csv', 'plate,state,list,reason,case_number,entered_by,synopsis\n7ABC123,CA,SVS,Stolen,,,\n8XYZ999,CA,SFR,Felony,,,\n');
    const refused = await cli(['hotlist', 'load', '--list', 'SVS', '--strict', '--nats', nats.server.url, csv]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('1 rows belong to other lists (SFR)');
    expect(refused.stderr).toMatch(/--strict refuses the whole file: nothing was loaded/);
    expect(refused.stdout).toBe('');
  });

  it('refuses a configuration whose layout maps a name or date of birth', async () => {
    const config = file('bad.json', JSON.stringify({ hotlists: { layouts: { ncic: { ...layouts.ncic, fields: { ...layouts.ncic.fields, DOB: { start: 34, length: 8 } } } } } }));
    const refused = await cli(['hotlist', 'load', '--list', 'SVS', '--layout', 'ncic', '--config', config, '--nats', nats.server.url, file('x.txt', EXTRACT)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/DOB.*no personal data/);
  });

  it('refuses a list for immigration enforcement and an unknown layout', async () => {
    const config = file('config2.json', JSON.stringify({ hotlists: { layouts } }));
    const ice = await cli(['hotlist', 'load', '--list', 'ICE', '--layout', 'ncic', '--config', config, '--nats', nats.server.url, file('y.txt', EXTRACT)]);
    expect(ice.code).toBe(1);
    expect(ice.stderr).toContain('7284.6');
    const unknown = await cli(['hotlist', 'load', '--list', 'SVS', '--layout', 'state', '--config', config, '--nats', nats.server.url, file('z.txt', EXTRACT)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no layout "state"');
    // A name every object answers to is no layout either: refused, not a stack trace.
    const inherited = await cli(['hotlist', 'load', '--list', 'SVS', '--layout', 'toString', '--config', config, '--nats', nats.server.url, file('z2.txt', EXTRACT)]);
    expect(inherited.code).toBe(1);
    expect(inherited.stderr).toContain('no layout "toString"');
  });
});
