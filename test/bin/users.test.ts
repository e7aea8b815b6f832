// `platewatch users` as administrators run it, on a temporary data directory. The commands run
// in this process (runCliInProcess): test/bin/cli.test.ts covers the real process.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, RESERVED_USER_IDS } from '../../storage/index.js';
import { runCliInProcess, type CliRun } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADMIN_PASSWORD = 'admin heron passphrase 2026';
const OFFICER_PASSWORD = 'officer passphrase 2026';

function users(args: readonly string[], stdin = ''): Promise<CliRun> {
  return runCliInProcess(['users', ...args], { stdin, env: { PLATEWATCH_DATA_DIR: dir } });
}

const lines = (...passwords: string[]): string => passwords.map((p) => `${p}\n`).join('');
const ADMIN = ['--as', 'admin1', '--password-stdin'];

// The cases build on one another, in order: one data directory, as an administrator would.
// Each case runs up to a dozen CLI processes (each loads chDB): a loaded 2-core machine needs minutes, not the default 30 s.
describe('platewatch users', { timeout: 120_000 }, () => {
  it('refuses a first user who is not a trained administrator', async () => {
    const officer = await users(['add', '--id', 'ofc1', '--name', 'A. Officer', '--title', 'Officer', '--role', 'officer', '--trained', '2026-01-15', '--password-stdin'], lines(OFFICER_PASSWORD));
    expect(officer.code).toBe(1);
    expect(officer.stderr).toMatch(/first user must be an administrator/);
    const untrained = await users(['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--password-stdin'], lines(ADMIN_PASSWORD));
    expect(untrained.code).toBe(1);
    expect(untrained.stderr).toMatch(/must be trained/);
  });

  it('refuses a password under 12 characters, or of spaces, leaving no user behind', async () => {
    const res = await users(['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'], lines('short'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/at least 12 characters/);
    const blank = await users(['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'], lines(' '.repeat(12)));
    expect(blank.code).toBe(1);
    expect(blank.stderr).toBe('platewatch users add: a password needs at least 12 characters other than spaces\n');
    // Their own name and title: refused before the user is saved, so no user without a password is left.
    const own = await users(['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'], lines('Lieutenant Diaz 2026'));
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/^platewatch users add: /);
  });

  it('refuses control characters in a name or title as a usage error, naming the option', async () => {
    // (A NUL cannot reach a program's arguments at all: the operating system ends the string there.)
    for (const [option, value] of [['--name', 'N\n<script>'], ['--name', 'R.\tDiaz'], ['--name', 'R. Diaz\r'], ['--title', 'Lieu\u0085tenant']] as const) {
      const args = ['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'];
      args[args.indexOf(option) + 1] = value;
      const res = await users(args, lines(ADMIN_PASSWORD));
      expect({ option, code: res.code }).toEqual({ option, code: 2 });
      expect(res.stderr).toMatch(new RegExp(`${option} may not contain control characters`));
    }
  });

  it('creates the first administrator without --as while there is no user (bootstrap)', async () => {
    const res = await users(['add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'], lines(ADMIN_PASSWORD));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/added admin1 \(administrator\) as the first administrator/);
  });

  it('refuses to add a user under an id the system logs its own actions under, in any case', async () => {
    for (const id of ['platewatch-system', 'PlateWatch-System', 'system']) {
      const res = await users(['add', '--id', id, '--name', 'A. Analyst', '--title', 'Analyst', '--role', 'analyst', '--trained', '2026-01-15', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
      expect({ id, code: res.code }).toEqual({ id, code: 1 });
      expect(res.stderr).toMatch(new RegExp(`^platewatch users add: user id "${id}" is reserved: the system records its own actions under "platewatch-system", "system"`));
    }
    const list = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(list.stdout).not.toMatch(/system/i);
  });

  it('refuses a second unauthenticated bootstrap', async () => {
    const res = await users(['add', '--id', 'admin2', '--name', 'X', '--title', 'Y', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'], lines(ADMIN_PASSWORD));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/users exist already.*--as ADMIN/);
  });

  it('refuses an administrator command with a wrong password', async () => {
    const res = await users(['list', ...ADMIN], lines('not the admin password'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/unknown user or wrong password/);
  });

  it('adds an untrained officer, lists, trains, and lets them change their own password', async () => {
    const add = await users(['add', '--id', 'ofc1', '--name', 'A. Officer', '--title', 'Officer', '--role', 'officer', '--role', 'dispatcher', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added ofc1 \(officer, dispatcher\); untrained/);

    const before = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^ID +NAME +TITLE +ROLES +TRAINED +LAST_DAY +STATUS$/m);
    // STATUS says who can sign in now: not an untrained user, however active.
    expect(before.stdout).toMatch(/^ofc1 +A\. Officer +Officer +officer,dispatcher +untrained +- +untrained$/m);
    expect(before.stdout).toMatch(/^admin1 +R\. Diaz +Lieutenant +administrator +2026-01-15 +- +active$/m);

    // Untrained users cannot sign in (§471.5(d)), even to change their password.
    const refused = await users(['passwd', '--id', 'ofc1', '--as', 'ofc1', '--password-stdin'], lines(OFFICER_PASSWORD, 'another passphrase 1'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/training/);

    expect((await users(['train', '--id', 'ofc1', '--trained', '2026-02-01', ...ADMIN], lines(ADMIN_PASSWORD))).code).toBe(0);
    const own = await users(['passwd', '--id', 'ofc1', '--as', 'ofc1', '--password-stdin'], lines(OFFICER_PASSWORD, 'another passphrase 1'));
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/password of ofc1 set/);

    // An officer is not an administrator.
    const notAdmin = await users(['list', '--as', 'ofc1', '--password-stdin'], lines('another passphrase 1'));
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toMatch(/not an administrator/);

    const after = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(after.stdout).toMatch(/^ofc1 .* 2026-02-01 +- +active$/m);
  });

  it('lets an auditor list the users (users.view, as over the API) but change none', async () => {
    const AUDITOR_PASSWORD = 'an auditor passphrase 9';
    const add = await users(['add', '--id', 'aud1', '--name', 'P. Standards', '--title', 'Captain', '--role', 'auditor', '--trained', '2026-01-15', ...ADMIN], lines(ADMIN_PASSWORD, AUDITOR_PASSWORD));
    expect(add.code, add.stderr).toBe(0);
    const list = await users(['list', '--as', 'aud1', '--password-stdin'], lines(AUDITOR_PASSWORD));
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^aud1 +P\. Standards +Captain +auditor /m);
    const change = await users(['disable', '--id', 'ofc1', '--as', 'aud1', '--password-stdin'], lines(AUDITOR_PASSWORD));
    expect(change.code).toBe(1);
    expect(change.stderr).toMatch(/aud1 is not an administrator/);
  });

  it('records a training expiry, refusing one already past; once it has passed the user cannot sign in (§471.10)', async () => {
    const future = await users(['train', '--id', 'ofc1', '--trained', '2099-01-01', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--trained 2099-01-01 is a day still to come/);
    const today = new Date().toISOString().slice(0, 10);
    const backwards = await users(['train', '--id', 'ofc1', '--trained', today, '--expires', today, ...ADMIN], lines(ADMIN_PASSWORD));
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/must be after/);
    for (const sub of [['train', '--id', 'ofc1', '--trained', '2025-01-01'], ['add', '--id', 'ofc2', '--name', 'B. Officer', '--title', 'Officer', '--role', 'officer', '--trained', '2025-01-01']]) {
      const past = await users([...sub, '--expires', '2026-01-01', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
      expect({ sub: sub[0], code: past.code }).toEqual({ sub: sub[0], code: 2 });
      expect(past.stderr).toMatch(/--expires 2026-01-01 is a day already past: give the day the training will lapse, today at the earliest/);
    }

    // Today is the earliest expiry: it ends the user's access now, as a past one would have.
    const lapse = await users(['train', '--id', 'ofc1', '--trained', '2025-01-01', '--expires', today, ...ADMIN], lines(ADMIN_PASSWORD));
    expect(lapse.code, lapse.stderr).toBe(0);
    const list = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    // LAST_DAY is the day before the expiry: access ends as the expiry day begins.
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
    expect(list.stdout).toMatch(new RegExp(`^ofc1 .* 2025-01-01 +${yesterday} +training expired$`, 'm'));
    const lapsed = await users(['passwd', '--id', 'ofc1', '--as', 'ofc1', '--password-stdin'], lines('another passphrase 1', 'a third passphrase 2'));
    expect(lapsed.code).toBe(1);
    expect(lapsed.stderr).toMatch(`training expired on ${today}`);
    const renewed = await users(['train', '--id', 'ofc1', '--trained', '2026-02-01', '--expires', '2099-02-01', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(renewed.stdout).toMatch(/ofc1 trained on 2026-02-01; training expires 2099-02-01: last day 2099-01-31\n/);
    expect((await users(['list', ...ADMIN], lines(ADMIN_PASSWORD))).stdout).toMatch(/^ofc1 .* 2026-02-01 +2099-01-31 +active$/m);
    expect((await users(['passwd', '--id', 'ofc1', '--as', 'ofc1', '--password-stdin'], lines('another passphrase 1', 'a third passphrase 2'))).code).toBe(0);
  }, 120_000);

  it('refuses an id that differs from a registered one only in case, and keeps ordinary Unicode names', async () => {
    const clash = await users(['add', '--id', 'OFC1', '--name', 'C. Ase', '--title', 'Officer', '--role', 'officer', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('platewatch users add: user "OFC1" exists already as "ofc1": user ids are unique whatever their case; use train, disable, enable, update or passwd\n');
    const unicode = await users(['add', '--id', 'ofc3', '--name', 'Zoë O’Brien-Núñez', '--title', 'Capitán', '--role', 'officer', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
    expect(unicode.code, unicode.stderr).toBe(0);
    const list = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(list.stdout).toMatch(/^ofc3 +Zoë O’Brien-Núñez +Capitán +officer +untrained +- +untrained$/m);
    expect(list.stdout).not.toMatch(/^OFC1 /m);
  });

  it('disables a user', async () => {
    const res = await users(['disable', '--id', 'ofc1', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(res.code).toBe(0);
    const list = await users(['list', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(list.stdout).toMatch(/^ofc1 .* disabled$/m);
    // The header and the rows line up: STATUS is the last column, one line per user.
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +NAME +TITLE +ROLES +TRAINED +LAST_DAY +STATUS$/);
    for (const row of rows) expect(row.slice(header!.indexOf('STATUS'))).toMatch(/^(active|disabled|untrained|training expired)$/);
  });

  it('enables a disabled user again, who then signs in anew (found by QA: disable was final from the CLI)', async () => {
    const enabled = await users(['enable', '--id', 'ofc1', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(enabled.stderr).toBe('');
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toBe('ofc1 enabled; they sign in anew\n');
    expect((await users(['list', ...ADMIN], lines(ADMIN_PASSWORD))).stdout).toMatch(/^ofc1 .* 2026-02-01 +2099-01-31 +active$/m);
    expect((await users(['passwd', '--id', 'ofc1', '--as', 'ofc1', '--password-stdin'], lines('a third passphrase 2', 'a fourth passphrase 3'))).code).toBe(0);
    // Enabled, but untrained: said, so no one takes "enabled" for "can sign in".
    const untrained = await users(['enable', '--id', 'ofc3', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(untrained.stdout).toBe('ofc3 enabled, but cannot sign in: untrained (users train)\n');
    const unknown = await users(['enable', '--id', 'nobody', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('platewatch users enable: no user "nobody"\n');
  });

  it('changes roles (the new set), name and title; refuses giving oneself a role or taking one\'s own administrator role, as the API does', async () => {
    const updated = await users(['update', '--id', 'ofc1', '--role', 'officer', '--role', 'analyst', '--name', 'A. Officer-Smith', '--title', 'Sergeant', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toBe('ofc1 updated: roles officer, analyst; name "A. Officer-Smith"; title "Sergeant"\n');
    expect((await users(['list', ...ADMIN], lines(ADMIN_PASSWORD))).stdout).toMatch(/^ofc1 +A\. Officer-Smith +Sergeant +officer,analyst +2026-02-01 /m);
    const titleOnly = await users(['update', '--id', 'ofc1', '--title', 'Detective', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(titleOnly.stdout).toBe('ofc1 updated: roles officer, analyst; name "A. Officer-Smith"; title "Detective"\n');

    const selfGrant = await users(['update', '--id', 'admin1', '--role', 'administrator', '--role', 'chief', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(selfGrant.code).toBe(1);
    expect(selfGrant.stderr).toBe('platewatch users update: SELF_ROLE_GRANT: you cannot give yourself a role (chief); another administrator must grant it\n');
    const selfLockout = await users(['update', '--id', 'admin1', '--role', 'officer', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(selfLockout.code).toBe(1);
    expect(selfLockout.stderr).toMatch(/^platewatch users update: SELF_LOCKOUT: you cannot .*remove your own administrator role/);
    expect((await users(['list', ...ADMIN], lines(ADMIN_PASSWORD))).stdout).toMatch(/^admin1 +R\. Diaz +Lieutenant +administrator +/m);

    const nothing = await users(['update', '--id', 'ofc1', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^platewatch users: update needs what changes: --role, --name or --title\n/);
    const training = await users(['update', '--id', 'ofc1', '--trained', '2026-02-01', ...ADMIN], lines(ADMIN_PASSWORD));
    expect(training.code).toBe(2);
    expect(training.stderr).toMatch(/update does not take --trained \(training dates: "users train"\)/);
    expect((await users(['enable', '--id', 'ofc1', '--role', 'chief', ...ADMIN], lines(ADMIN_PASSWORD))).code).toBe(2);
  });

  it('opens the data directory PLATEWATCH_DATA_DIR names, or its clickhouse/, with --data-dir (found by QA)', async () => {
    for (const dataDir of [dir, join(dir, 'clickhouse')]) {
      const list = await runCliInProcess(['users', 'list', ...ADMIN, '--data-dir', dataDir], { stdin: lines(ADMIN_PASSWORD) });
      expect({ dataDir, stderr: list.stderr }).toEqual({ dataDir, stderr: '' });
      expect(list.stdout).toMatch(/^admin1 +R\. Diaz /m);
    }
    // Opened as a chDB directory of its own, the data directory would have had one made in it.
    expect(readdirSync(dir).sort()).toEqual(['clickhouse']);
  });

  it('never creates storage where there is none but for the first administrator, and says where it looked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'platewatch-users-empty-'));
    try {
      const passwd = await runCliInProcess(['users', 'passwd', '--id', 'admin1', ...ADMIN], { stdin: lines(ADMIN_PASSWORD, 'a new admin passphrase 7'), env: { PLATEWATCH_DATA_DIR: empty } });
      expect(passwd.code).toBe(1);
      expect(passwd.stderr).toBe(`platewatch: no platewatch database at ${join(empty, 'clickhouse')}: is the data directory right? (PLATEWATCH_DATA_DIR / --data-dir)\n`);
      for (const sub of [['list'], ['disable', '--id', 'ofc1'], ['add', '--id', 'ofc9', '--name', 'N', '--title', 'T', '--role', 'officer']]) {
        const res = await users([...sub, ...ADMIN, '--data-dir', empty], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
        expect({ sub: sub[0], code: res.code }).toEqual({ sub: sub[0], code: 1 });
        expect(res.stderr).toBe(`platewatch: no platewatch database at ${join(empty, 'clickhouse')}: is the data directory right? (PLATEWATCH_DATA_DIR / --data-dir)\n`);
      }
      expect(readdirSync(empty)).toEqual([]);
      // The first administrator's bootstrap makes it where `up` with that data directory looks (it
      // made chDB in the directory itself, and `up` found no users).
      const first = await runCliInProcess(['users', 'add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin', '--data-dir', empty], { stdin: lines(ADMIN_PASSWORD), env: {} });
      expect(first.code, first.stderr).toBe(0);
      expect(readdirSync(empty)).toEqual(['clickhouse']);
      const listed = await runCliInProcess(['users', 'list', ...ADMIN], { stdin: lines(ADMIN_PASSWORD), env: { PLATEWATCH_DATA_DIR: empty } });
      expect(listed.stdout).toMatch(/^admin1 +R\. Diaz /m);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('lists in --help exactly the ids storage refuses as reserved, and lets a person have any other, such as cli', async () => {
    const help = await users(['--help']);
    const said = /The ids the\s+system records its own actions under \(([^)]*)\)/.exec(help.stdout)?.[1]?.replace(/\s+/g, ' ');
    expect(said).toBe(`${RESERVED_USER_IDS.join(', ')}, any id beginning "platewatch", in any case`);
    const cli = await users(['add', '--id', 'cli', '--name', 'C. Li', '--title', 'Analyst', '--role', 'analyst', ...ADMIN], lines(ADMIN_PASSWORD, OFFICER_PASSWORD));
    expect(cli.code, cli.stderr).toBe(0);
  });

  it('answers an unknown sub-command in one line and a pointer to --help, not the whole usage', async () => {
    const res = await users(['frob']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('platewatch users: unknown sub-command "frob" (add, train, disable, enable, update, passwd, list)\nRun "platewatch users --help" for usage.\n');
  });

  it('puts every change, and the refusal of a non-administrator, in the access log as the API does', async () => {
    const storage = await openStorage({ dataDir: join(dir, 'clickhouse'), applyRetention: false });
    try {
      const rs = await storage.client.query({
        query: `SELECT user_id, outcome, params FROM ${storage.db}.access_log WHERE action = 'user' ORDER BY chain, seq`,
        format: 'JSONEachRow',
      });
      const records = (await rs.json<{ user_id: string; outcome: string; params: string }>()).map((r) => ({ ...r, params: JSON.parse(r.params) as Record<string, unknown> }));
      const ops = records.map((r) => `${r.user_id} ${r.outcome} ${String(r.params['op'])} ${String(r.params['user'])}`);
      expect(ops).toContain('admin1 ok add admin1');
      expect(ops).toContain('admin1 ok add ofc1');
      expect(ops).toContain('admin1 ok train ofc1');
      expect(ops).toContain('ofc1 ok password ofc1');
      expect(ops).toContain('ofc1 refused list null');
      expect(ops).toContain('admin1 ok disable ofc1');
      expect(ops).toContain('admin1 ok enable ofc1');
      expect(ops).toContain('admin1 ok update ofc1');
      expect(ops).toContain('admin1 refused update admin1');
      // A role given is listed for the Chief's review (storage/account-changes.ts reads rolesAdded).
      expect(records.find((r) => r.params['op'] === 'update' && r.outcome === 'ok')?.params).toMatchObject({ rolesAdded: ['analyst'], changes: { roles: ['officer', 'analyst'] } });
      expect(records.every((r) => r.params['via'] === 'cli')).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it('never takes a password as an argument and cannot prompt without a terminal', async () => {
    const positional = await users(['passwd', '--id', 'admin1', '--as', 'admin1', ADMIN_PASSWORD]);
    expect(positional.code).toBe(2);
    const option = await users(['add', '--id', 'x', '--password', 'secret passphrase']);
    expect(option.code).toBe(2);
    const noTty = await users(['list', '--as', 'admin1']);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/--password-stdin/);
  });
});

// What `up`'s run file says of its users decides what `users add` without --as is told while it
// runs: no request reaches it (no one could sign in), so none needs to answer here.
describe('platewatch users add without --as while platewatch up runs', () => {
  const running = mkdtempSync(join(tmpdir(), 'platewatch-users-running-'));
  afterAll(() => rmSync(running, { recursive: true, force: true }));
  const bootstrap = async (hasUsers: boolean | undefined): Promise<CliRun> => {
    mkdirSync(join(running, 'run'), { recursive: true });
    writeFileSync(join(running, 'run', 'platewatch.json'), JSON.stringify({
      natsUrl: 'nats://127.0.0.1:1', pid: process.pid, startedAt: new Date().toISOString(), httpUrl: 'http://127.0.0.1:1', storageDir: join(running, 'clickhouse'),
      ...(hasUsers === undefined ? {} : { hasUsers }),
    }));
    return runCliInProcess(['users', 'add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin'],
      { stdin: lines(ADMIN_PASSWORD), env: { PLATEWATCH_DATA_DIR: running } });
  };

  it('says users exist already when they do, rather than to stop the system (found by QA)', async () => {
    const res = await bootstrap(true);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('platewatch users add: users exist already: run this as an administrator, --as ADMIN\n');
  });

  it('says to stop the system only when it has no user, and both when its run file does not say', async () => {
    const none = await bootstrap(false);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^platewatch users add: the first administrator .* cannot be created while "platewatch up" runs: .*Stop "platewatch up", run this again, then start it\n$/);
    const unsaid = await bootstrap(undefined);
    expect(unsaid.stderr).toMatch(/Stop "platewatch up".*; if users exist already, run this as an administrator, --as ADMIN\n$/);
  });
});
