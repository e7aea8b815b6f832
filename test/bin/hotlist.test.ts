// `platewatch hotlist load|list` in this process against a real nats-server and real chDB: a load
// is made by an administrator who signs in (--as, password on stdin; Watsonville §471.5(h)) and is
// access-logged, refusals too; bulk layouts from the configuration, the load report (Immigration
// Violator File records dropped: Gov. Code § 7284.6; person columns never read), the refusal of a
// layout mapping names or dates of birth (State Auditor 2019-118), of a list for immigration
// enforcement, and the staleness flag (Watsonville §471.5(f)(4)). Through a running `up`, the file
// goes through its API instead (test/bin/up.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { hotlistVerb } from '../../bin/verbs/hotlist.js';
import type { VerbIO } from '../../bin/verb.js';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { openHotlistStore, publishHotlist } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { openStorage, saveUser, setPassword } from '../../storage/index.js';
import { REPO_ROOT } from '../fixtures/cli.js';
import { useLocalNats } from '../fixtures/nats.js';

// The verb connects on its own: no connection here.
const nats = useLocalNats('hotlist-cli', { connections: 0 });
const dir = nats.dir;
const dataDir = (): string => join(dir, 'clickhouse');
const PASSWORD = 'daily download passphrase';

beforeAll(async () => {
  const storage = await openStorage({ dataDir: dataDir() });
  await saveUser(storage, { userId: 'admin1', name: 'R. Diaz', title: 'Lieutenant', roles: ['administrator'], trainedAt: '2026-01-15', active: true }, 'setup');
  await saveUser(storage, { userId: 'disp1', name: 'D. Ispatch', title: 'Dispatcher', roles: ['dispatcher'], trainedAt: '2026-01-15', active: true }, 'setup');
  for (const id of ['admin1', 'disp1']) await setPassword(storage, id, PASSWORD, 'setup', 10);
  await storage.close(); // the verb opens the directory itself
}, 60_000);

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `platewatch hotlist ARGS` with `password` as the first line of standard input. */
async function hotlist(args: readonly string[], password = PASSWORD): Promise<Run> {
  const chunks = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr'): Writable => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => (chunks[key] += c.toString()));
    return s;
  };
  const stdin = new PassThrough();
  stdin.end(`${password}\n`);
  const io: VerbIO = { stdin, stdout: sink('stdout'), stderr: sink('stderr'), env: {}, cwd: dir };
  const code = await hotlistVerb.run([...args, '--nats', nats.server.url, '--data-dir', dataDir()], io);
  return { code, ...chunks };
}

/** A load as admin1. */
function load(args: readonly string[]): Promise<Run> {
  return hotlist(['load', '--as', 'admin1', '--password-stdin', ...args]);
}

async function hotlistRecords(): Promise<Array<{ user_id: string; outcome: string; detail: string; params: string }>> {
  const storage = await openStorage({ dataDir: dataDir() });
  try {
    const rs = await storage.client.query({
      query: `SELECT user_id, outcome, detail, params FROM ${storage.db}.access_log WHERE action = 'hotlist' ORDER BY seq`, format: 'JSONEachRow',
    });
    return await rs.json();
  } finally {
    await storage.close();
  }
}

const layouts = {
  ncic: { format: 'fixed', fields: { MKE: { start: 1, length: 3 }, LIC: { start: 4, length: 8 }, LIS: { start: 12, length: 2 }, OCA: { start: 14, length: 10 } } },
};
const EXTRACT = ['EV 7ABC123 CA26-0001   DOE/JOHN 19800101', 'EIV8XYZ999 CA          ROE/JANE 19900202', 'EV 6TRJ244 NV26-0002   '].join('\n');

describe('platewatch hotlist', () => {
  it('loads a fixed-width NCIC extract with a configured layout as the signed-in administrator, reports what was dropped, and logs it', async () => {
    const config = file('config.json', JSON.stringify({ hotlists: { layouts } }));
    const extract = file('svs.txt', EXTRACT);
    const loaded = await load(['--list', 'SVS', '--layout', 'ncic', '--config', config, extract]);
    expect(loaded.code).toBe(0);
    // No running system here: the command can say it was published, not that a worker swapped it in.
    expect(loaded.stdout).toMatch(/list SVS version \d+ published: 2 entries \(2 added, 0 removed\)/);
    expect(loaded.stderr).toContain('each pipeline worker swaps it in once built');
    expect(loaded.stderr).toContain('1 immigration violator records dropped');

    const listed = await hotlist(['list', '--config', config]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/SVS +version \d+ +2 entries +loaded by admin1/);
    expect(listed.stdout).not.toMatch(/SVS .*STALE/);
    expect(listed.stdout).toMatch(/SFR +version 0 +0 entries +never loaded +STALE/);
    const last = (await hotlistRecords()).at(-1);
    expect(last).toMatchObject({ user_id: 'admin1', outcome: 'ok' });
    expect(JSON.parse(last?.params ?? '{}')).toMatchObject({ op: 'bulk_load', list: 'SVS', layout: 'ncic', via: 'cli', file: 'svs.txt', entries: 2, added: 2 });
  });

  it('loads nothing for anyone who cannot sign in as an administrator, and logs the refusal', async () => {
    const csv = file('svs.csv', 'plate,state,list,reason,case_number,entered_by,synopsis\n5NOPE01,CA,SVS,Stolen,,,\n');
    const svsVersion = async () => /SVS +(version \d+ +\d+ entries)/.exec((await hotlist(['list'])).stdout)?.[1];
    const before = await svsVersion();
    expect(before).toBeDefined();
    const anonymous = await hotlist(['load', '--list', 'SVS', csv]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('load needs --as ID');
    const wrong = await hotlist(['load', '--list', 'SVS', '--as', 'admin1', '--password-stdin', csv], 'not the password');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('unknown user or wrong password');
    const dispatcher = await hotlist(['load', '--list', 'SVS', '--as', 'disp1', '--password-stdin', csv]);
    expect(dispatcher.code).toBe(1);
    expect(dispatcher.stderr).toMatch(/NOT_PERMITTED: .*hotlists\.manage/);
    expect(await svsVersion()).toBe(before);
    expect((await hotlistRecords()).at(-1)).toMatchObject({ user_id: 'disp1', outcome: 'refused', detail: expect.stringContaining('hotlists.manage') });
  });

  it('loads the example NCIC extract with the example layout', async () => {
    const loaded = await load(['--list', 'SFR', '--layout', 'ncic-psv', '--config', join(REPO_ROOT, 'examples/hotlists/layouts.json'), join(REPO_ROOT, 'examples/hotlists/svs-ncic.psv')]);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/list SFR version \d+ published: 4 entries \(4 added, 0 removed\)/);
    expect(loaded.stderr).toContain('loaded 4 of 5 rows');
    expect(loaded.stderr).toContain('1 immigration violator records dropped');
    expect(loaded.stderr).toContain('columns not read: NAM, DOB');
  });

  it('with --strict refuses a layout file with a bad row, naming each rejected line, and logs the refusal', async () => {
    const config = file('strict.json', JSON.stringify({ hotlists: { layouts } }));
    const extract = file('strict.txt', [...EXTRACT.split('\n'), 'EV 7ABC123 CA26-0003   '].join('\n'));
    const refused = await load(['--list', 'SLR', '--layout', 'ncic', '--strict', '--config', config, extract]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${extract}:4: duplicate of line 1`);
    expect(refused.stderr).toContain('[ROWS_REJECTED]');
    expect(refused.stdout).toBe('');
    expect((await hotlistRecords()).at(-1)).toMatchObject({ user_id: 'admin1', outcome: 'invalid' });
  });

  it('shows, not obeys, control characters a refused file quotes (a downloaded file is someone else\'s bytes)', async () => {
    const csv = file('escapes.csv', 'plate,sta\u001b[2Jte,list,reason,case_number,entered_by,synopsis\n7ABC123,CA,SVS,Stolen,,,\n');
    const refused = await load(['--list', 'SVS', csv]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sta\\x1b[2Jte');
    expect(refused.stderr).not.toContain('\u001b');
  });

  it('with --strict says that a CSV with rows of another list was not loaded at all', async () => {
    const csv = file('mixed.csv', 'plate,state,list,reason,case_number,entered_by,synopsis\n7ABC123,CA,SVS,Stolen,,,\n8XYZ999,CA,SFR,Felony,,,\n');
    const refused = await load(['--list', 'SVS', '--strict', csv]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('1 rows belong to other lists (SFR)');
    expect(refused.stderr).toMatch(/--strict refuses the whole file: nothing was loaded/);
    expect(refused.stdout).toBe('');
  });

  it('refuses a configuration whose layout maps a name or date of birth', async () => {
    const config = file('bad.json', JSON.stringify({ hotlists: { layouts: { ncic: { ...layouts.ncic, fields: { ...layouts.ncic.fields, DOB: { start: 34, length: 8 } } } } } }));
    const refused = await load(['--list', 'SVS', '--layout', 'ncic', '--config', config, file('x.txt', EXTRACT)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/DOB.*no personal data/);
  });

  it('refuses a list for immigration enforcement and an unknown layout', async () => {
    const config = file('config2.json', JSON.stringify({ hotlists: { layouts } }));
    const ice = await load(['--list', 'ICE', '--layout', 'ncic', '--config', config, file('y.txt', EXTRACT)]);
    expect(ice.code).toBe(1);
    expect(ice.stderr).toContain('7284.6');
    const unknown = await load(['--list', 'SVS', '--layout', 'state', '--config', config, file('z.txt', EXTRACT)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no layout "state"');
    // A name every object answers to is no layout either: refused, not a stack trace.
    const inherited = await load(['--list', 'SVS', '--layout', 'toString', '--config', config, file('z2.txt', EXTRACT)]);
    expect(inherited.code).toBe(1);
    expect(inherited.stderr).toContain('no layout "toString"');
  });
});

describe('platewatch hotlist list of a specific list', () => {
  it('says a version published by an approval was, not "loaded by approval by"', async () => {
    const nc = await connect({ servers: nats.server.url });
    try {
      const entry = validateEntry({ plate: '6TRJ244', state: 'CA', list: 'BOLO', reason: 'robbery suspect', case_number: '26-004211', entered_by: 'ofc1', synopsis: 'gray sedan' }, resolveMatcherConfig());
      if (!entry.ok) throw new Error(entry.reason);
      await publishHotlist(await openHotlistStore(jetstream(nc)), 'BOLO', [entry.entry], 'approval by lt1');
    } finally {
      await nc.close();
    }
    const listed = await hotlist(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/BOLO +version 1 +1 entries +loaded on approval by lt1 /);
  });
});

describe('platewatch hotlist load of a file whose every row is rejected', () => {
  it('prints each rejected row with its line and reason, then says all rows were rejected (found by QA)', async () => {
    const header = 'plate,state,list,reason,case_number,entered_by,synopsis,expires_at,vehicle_make,vehicle_model,vehicle_year,vehicle_color,vehicle_style';
    const csv = file('short-rows.csv', `${header}\n7KDX482,CA,SFR,Felony,F26-1,CA0440500,armed\n8BNR215,CA,SFR,Felony,F26-2,CA0440500,armed\n`);
    const refused = await load(['--list', 'SFR', csv]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`${csv}:2: .+`));
    expect(refused.stderr).toMatch(new RegExp(`${csv}:3: .+`));
    expect(refused.stderr).toMatch(/all 2 rows were rejected/);
    expect(refused.stdout).toBe('');
  });
});
