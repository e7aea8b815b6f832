// The storage verbs — `evidence`, `audit`, `release`, `report` and `users` — while `platewatch up`
// runs on embedded chDB, which only `up` can open: the verbs go through its API (bin/system-api.ts)
// and print what they print with the system stopped — checked at the end by stopping `up` and
// running the same commands on the directory. `up` (nats-server, chDB, gateway) is a real process;
// the commands run in this one (runCliInProcess), as its API's clients: their code is the CLI's.
// One `up` for them all: starting one, and its users, is most of the time.
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunningSystem, type RuntimeInfo } from '../../bin/runtime.js';
import { REPO_ROOT, runCliInProcess, type CliRun } from '../fixtures/cli.js';
import { connectToEmbeddedNats } from '../fixtures/embedded-nats.js';

const PASSWORD = 'a long enough passphrase';
const NEW_PASSWORD = 'another long passphrase';
const dir = mkdtempSync(join(tmpdir(), 'platewatch-verbs-up-'));
const dataDir = join(dir, 'data');
const env = { PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_HTTP_PORT: '0' };
let up: ChildProcessWithoutNullStreams | undefined;
let running: RuntimeInfo;
const from = new Date(Date.now() - 3_600_000).toISOString();
const to = new Date(Date.now() + 3_600_000).toISOString();
const THROUGH_API = 'storage is held by the running platewatch; going through its API';

const cli = (args: readonly string[], stdin = `${PASSWORD}\n`): Promise<CliRun> => runCliInProcess(args, { env, stdin });
const as = (user: string): string[] => ['--as', user, '--password-stdin'];

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function canSignIn(user: string, password: string): Promise<boolean> {
  const res = await fetch(`${running.httpUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  return res.ok;
}

async function stopUp(): Promise<void> {
  if (up === undefined || up.exitCode !== null) return;
  const exited = new Promise((r) => up!.once('exit', r));
  up.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  // The first administrator can only be made with the system stopped; the others through its API.
  const admin = await cli(['users', 'add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin']);
  expect(admin.stderr).toBe('');
  up = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], { cwd: REPO_ROOT, env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env } });
  up.stdout.resume();
  up.stderr.resume();
  // A file read: looked for often, as `up` writes it the moment it is ready.
  await until('up to write its run file', async () => (await readRunningSystem(dataDir))?.httpUrl !== undefined, 60_000, 50);
  running = (await readRunningSystem(dataDir))!;
  const adminLogin = await fetch(`${running.httpUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin1', password: PASSWORD }) });
  const adminToken = ((await adminLogin.json()) as { token: string }).token;
  // The users side by side (each password is a scrypt hash in `up`), and the reads published meanwhile.
  const addUser = async ([id, role]: readonly [string, string]): Promise<void> => {
    const added = await fetch(`${running.httpUrl}/api/users`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ id, name: `User ${id}`, title: role, roles: [role], trainedAt: '2026-01-15', password: PASSWORD }),
    });
    expect(added.status, await added.clone().text()).toBe(201);
  };
  const publishReads = async (): Promise<void> => {
    const nc = await connectToEmbeddedNats(dataDir, running.natsUrl, {}, 'camera');
    try {
      const js = (await import('@nats-io/jetstream')).jetstream(nc);
      for (const [id, plate] of [['w-1', '7ABC123'], ['w-2', '7ABC123'], ['w-3', '6OTHER6']] as const) {
        await js.publish('alpr.reads.wpd.cam1', pack({ v: 1, id, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate }), { msgID: id });
      }
    } finally {
      await nc.close();
    }
  };
  const settled = await Promise.allSettled([
    ...([['ana1', 'analyst'], ['cust1', 'custodian'], ['chief1', 'chief'], ['aud1', 'auditor'], ['ofc1', 'officer']] as const).map(addUser),
    publishReads(),
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  // Stored once a search by the analyst finds them.
  const login = await fetch(`${running.httpUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ana1', password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  await until('the reads to be stored', async () => {
    const res = await fetch(`${running.httpUrl}/api/detections/search`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ plate: '7ABC123', from, to, reason: 'test setup' }),
    });
    return ((await res.json()) as { rows?: unknown[] }).rows?.length === 2;
  });
}, 180_000);

afterAll(async () => {
  await stopUp();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const REQUEST = ['--agency', 'Santa Cruz Police Department', '--agency-kind', 'local', '--requester', 'Det. M. Lopez', '--purpose', 'armed robbery, SCPD case 26-01234',
  '--plate', '7ABC123', '--from', from, '--to', to, '--document', 'letter of 2026-11-09'];
let releaseId = '';

describe('evidence and audit while up runs on embedded chDB', () => {
  it('places a legal hold through the running system', async () => {
    const r = await cli(['evidence', 'hold', '--case', 'WPD-26-0777', '--as', 'ana1', '--password-stdin', '--reason', 'seen at the scene', '--from', from, '--to', to, '--plate', '7ABC123']);
    expect(r.stderr).toContain('going through its API');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^window .+ \(.+Z – .+Z\)\nhold [0-9a-f-]{36}: 2 detection\(s\) held for case WPD-26-0777\n$/);
  }, 60_000);

  it('exports the case into a new directory, every file checking against SHA256SUMS', async () => {
    const out = join(dir, 'media', 'WPD-26-0777');
    const r = await cli(['evidence', 'export', '--case', 'WPD-26-0777', '--as', 'cust1', '--password-stdin', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`exported 2 detection(s) of case WPD-26-0777 to ${out}`);
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'SHA256SUMS', 'detections.csv', 'detections.json', 'holds.json', 'manifest.json']);
    // ALPR data, as the server's own copy is kept: no access for other accounts, whatever the umask.
    expect(statSync(out).mode & 0o777).toBe(0o750);
    for (const name of readdirSync(out)) expect({ name, mode: statSync(join(out, name)).mode & 0o777 }).toEqual({ name, mode: 0o640 });
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toMatch(/manifest\.json: OK/);
    expect(JSON.parse(readFileSync(join(out, 'detections.json'), 'utf8'))).toHaveLength(2);
    // Never over an earlier package, and no half-written one left beside it.
    const again = await cli(['evidence', 'export', '--case', 'WPD-26-0777', '--as', 'cust1', '--password-stdin', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');
    expect(readdirSync(join(dir, 'media'))).toEqual(['WPD-26-0777']);
  }, 60_000);

  it('refuses what the API refuses: a role, a wrong password, a case with nothing held', async () => {
    const role = await cli(['evidence', 'export', '--case', 'WPD-26-0777', '--as', 'ana1', '--password-stdin', '--out', join(dir, 'x')]);
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/ROLE_REQUIRED: .*evidence\.export/);
    const password = await cli(['evidence', 'hold', '--case', 'C', '--as', 'ana1', '--password-stdin', '--reason', 'r', '--from', from, '--to', to, '--plate', '7ABC123'], 'not the password\n');
    expect(password.code).toBe(1);
    expect(password.stderr).toMatch(/wrong password|unknown user/i);
    const nothing = await cli(['evidence', 'export', '--case', 'WPD-00', '--as', 'cust1', '--password-stdin', '--out', join(dir, 'y')]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('NOTHING_HELD');
    expect(existsSync(join(dir, 'y'))).toBe(false);
  }, 60_000);

  it.runIf(process.platform === 'linux')('refuses an --out that cannot be made before the system exports anything: no package, no export on the access log', async () => {
    const exportsMade = (): string[] => (existsSync(join(dataDir, 'evidence')) ? readdirSync(join(dataDir, 'evidence')) : []);
    const before = exportsMade();
    const r = await cli(['evidence', 'export', '--case', 'WPD-26-0777', '--as', 'cust1', '--password-stdin', '--out', '/proc/nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot make the directory /proc/nope: no such file or directory (ENOENT)');
    expect(r.stderr).not.toContain('.partial-');
    expect(exportsMade()).toEqual(before);
  }, 60_000);

  it('samples inquiries into the memorandum, and verifies the access log, through the running system', async () => {
    const out = join(dir, 'audit');
    const sample = await cli(['audit', 'sample', '--as', 'aud1', '--password-stdin', '--from', from, '--to', to, '--out', out, '--auditor', 'Capt. R. Diaz, PSD']);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout).toMatch(/^window .+\n\d+ of \d+ inquiries reviewed/);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    expect(readFileSync(join(out, files[1]!), 'utf8')).toContain('Capt. R. Diaz, PSD');
    expect(statSync(out).mode & 0o777).toBe(0o750);
    for (const name of files) expect({ name, mode: statSync(join(out, name)).mode & 0o777 }).toEqual({ name, mode: 0o640 });
    // A chain the last audit recorded and that is gone now: a data error, so exit 1, memorandum filed.
    const gone = await cli(['audit', 'sample', '--as', 'aud1', '--password-stdin', '--from', from, '--to', to, '--out', join(dir, 'audit-gone'), '--expect-head', `gone-1=7:${'a'.repeat(64)}`]);
    expect(gone.code, gone.stderr).toBe(1);
    expect(gone.stderr).toMatch(/platewatch audit sample: the memorandum lists 1 data error\(s\)/);
    expect(readdirSync(join(dir, 'audit-gone'))).toHaveLength(2);
    const verify = await cli(['audit', 'verify', '--as', 'aud1', '--password-stdin']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/access log chain "[^"]+": \d+ records, intact/);
  }, 60_000);
});

describe('release, report and users while up runs on embedded chDB', () => {
  it('records, lists, shows, approves and exports a release through the running system', async () => {
    const recorded = await cli(['release', 'request', ...REQUEST, ...as('cust1')]);
    expect(recorded.stderr).toContain(THROUGH_API);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stdout).toMatch(/^REL-[0-9a-f-]{36} {2}PENDING {2}\(version 1\)\n {2}received {2}\S+ by cust1, document letter of 2026-11-09\n/);
    expect(recorded.stdout).toContain('  agency    Santa Cruz Police Department (local, CA)\n');
    releaseId = /^(REL-[0-9a-f-]{36})/.exec(recorded.stdout)![1]!;

    const list = await cli(['release', 'list', '--status', 'pending', ...as('aud1')]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${releaseId} {2}pending {3}\\d{4}-\\d{2}-\\d{2} {2}Santa Cruz Police Department — armed robbery, SCPD case 26-01234\\n$`));

    const approved = await cli(['release', 'approve', '--id', releaseId, '--note', 'verified with SCPD', ...as('chief1')]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`^${releaseId} {2}APPROVED {2}\\(version 2\\)\\n`));
    expect(approved.stdout).toMatch(/ {2}decided {3}\S+ by chief1: verified with SCPD\n/);

    const exported = await cli(['release', 'export', '--id', releaseId, ...as('cust1')]);
    expect(exported.code, exported.stderr).toBe(0);
    const packageDir = join(dataDir, 'releases', releaseId);
    expect(exported.stdout).toMatch(new RegExp(`^exported 2 detection\\(s\\) for Santa Cruz Police Department to ${packageDir}\\n {2}2 detection\\(s\\) approved\\n( {2}[0-9a-f]{64} {2}\\S+\\n){4}`
      + 'manifest\\.json SHA-256 \\(recorded in the access log; write it on the property form\\):\\n {2}[0-9a-f]{64} {2}manifest\\.json\\n$'));
    // The running system's answer carries the SHA-256 it logged: the manifest as written.
    expect(exported.stdout).toContain(`  ${execFileSync('sha256sum', ['manifest.json'], { cwd: packageDir, encoding: 'utf8' }).split(' ')[0]}  manifest.json\n`);
    expect(readdirSync(packageDir).sort()).toEqual(['README.txt', 'SHA256SUMS', 'detections.csv', 'detections.json', 'manifest.json', 'release.json']);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: packageDir, encoding: 'utf8' })).toMatch(/detections\.json: OK/);

    const shown = await cli(['release', 'show', '--id', releaseId, ...as('aud1')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.match(/^REL-\S+ {2}[A-Z]+/gm)).toEqual([`${releaseId}  PENDING`, `${releaseId}  APPROVED`, `${releaseId}  RELEASED`]);
    expect(shown.stdout).toMatch(/ {2}package {3}2 detection\(s\), \S+ by cust1\n$/);
  }, 120_000);

  it('refuses what the API refuses: the Values Act, a role, a second export, an unknown request', async () => {
    const ice = await cli(['release', 'request', ...REQUEST.map((a) => (a === 'Santa Cruz Police Department' ? 'ICE Enforcement and Removal Operations' : a === 'local' ? 'federal' : a)), ...as('cust1')]);
    expect(ice.code, ice.stderr).toBe(0);
    expect(ice.stdout).toMatch(/ {2}REFUSED {2}\(version 1\)\n/);
    expect(ice.stdout).toMatch(/\nrefused automatically: .+\n$/);
    // A value the API will not take (and logs, gateway/release-routes.ts): the error and where the usage is, exit 2, as without up.
    const vague = await cli(['release', 'request', ...REQUEST.map((a) => (a === 'armed robbery, SCPD case 26-01234' ? 'investigation' : a)), ...as('cust1')]);
    expect(vague.code, vague.stderr).toBe(2);
    expect(vague.stderr).toMatch(/\nplatewatch release: purpose "investigation" is too vague: .+\nRun "platewatch release --help" for usage\.\n$/);
    expect(vague.stdout).toBe('');
    const role = await cli(['release', 'approve', '--id', releaseId, ...as('cust1')]);
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/platewatch release approve: ROLE_REQUIRED: .*releases\.decide/);
    const again = await cli(['release', 'export', '--id', releaseId, ...as('cust1')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('platewatch release export: ALREADY_RELEASED: ');
    const unknown = await cli(['release', 'show', '--id', 'REL-00000000-0000-0000-0000-000000000000', ...as('aud1')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_RELEASE');
    expect(unknown.stdout).toBe('');
  }, 120_000);

  it('writes the transparency report through the running system, to standard output or a file', async () => {
    const json = await cli(['report', 'transparency', '--from', from, '--to', to, '--format', 'json', ...as('aud1')]);
    expect(json.stderr).toContain(THROUGH_API);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toMatch(/^\{\n {2}"from": /);
    expect(JSON.parse(json.stdout)).toMatchObject({ from, to, reads: 3, releases: { received: 2, refused: 1 } });

    const markdown = await cli(['report', 'transparency', '--from', from, '--to', to, '--agency', 'Watsonville PD', ...as('chief1')]);
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toMatch(/^# ALPR transparency report — Watsonville PD\n/);
    expect(markdown.stdout).not.toContain('7ABC123');

    const out = join(dir, 'alpr-report.html');
    const html = await cli(['report', 'transparency', '--out', out, '--agency', 'Watsonville PD & Co', ...as('cust1')]);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toContain('<h1>ALPR transparency report — Watsonville PD &amp; Co</h1>');
  }, 120_000);

  it('refuses the report to a role without reports.transparency', async () => {
    const r = await cli(['report', 'transparency', ...as('ofc1')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/platewatch report transparency: ROLE_REQUIRED: .*reports\.transparency/);
    expect(r.stdout).toBe('');
  }, 120_000);

  it('adds, trains, lists, sets passwords and disables users through the running system', async () => {
    const added = await cli(['users', 'add', '--id', 'ofc2', '--name', 'J. Park', '--title', 'Officer', '--role', 'officer', ...as('admin1')], `${PASSWORD}\n${PASSWORD}\n`);
    expect(added.stderr).toContain(THROUGH_API);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('added ofc2 (officer); untrained: cannot sign in until "users train"\n');

    const trained = await cli(['users', 'train', '--id', 'ofc2', '--trained', '2026-02-01', '--expires', '2099-02-01', ...as('admin1')]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toBe('ofc2 trained on 2026-02-01; training expires 2099-02-01: last day 2099-01-31\n');

    const list = await cli(['users', 'list', ...as('admin1')]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ID +NAME +TITLE +ROLES +TRAINED +LAST_DAY +STATUS\n/);
    expect(list.stdout).toMatch(/\nofc2 +J\. Park +Officer +officer +2026-02-01 +2099-01-31 +active\n/);

    // Their own password, proving the current one; then an administrator's reset.
    const own = await cli(['users', 'passwd', '--id', 'ofc2', ...as('ofc2')], `${PASSWORD}\n${NEW_PASSWORD}\n`);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toBe('password of ofc2 set\n');
    expect(await canSignIn('ofc2', NEW_PASSWORD)).toBe(true);
    const reset = await cli(['users', 'passwd', '--id', 'ofc2', ...as('admin1')], `${PASSWORD}\n${PASSWORD}\n`);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe('password of ofc2 set\n');
    expect(await canSignIn('ofc2', PASSWORD)).toBe(true);

    const disabled = await cli(['users', 'disable', '--id', 'ofc2', ...as('admin1')]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toBe('ofc2 disabled; their sessions have ended\n');
    expect(await canSignIn('ofc2', PASSWORD)).toBe(false);
  }, 120_000);

  it('enables a disabled user and changes roles, name and title through the running system, keeping its own-account rules', async () => {
    const enabled = await cli(['users', 'enable', '--id', 'ofc2', ...as('admin1')]);
    expect(enabled.stderr).toContain(THROUGH_API);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe('ofc2 enabled; they sign in anew\n');
    expect(await canSignIn('ofc2', PASSWORD)).toBe(true);
    const updated = await cli(['users', 'update', '--id', 'ofc2', '--role', 'officer', '--role', 'dispatcher', '--title', 'Sergeant', ...as('admin1')]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toBe('ofc2 updated: roles officer, dispatcher; name "J. Park"; title "Sergeant"\n');
    const selfGrant = await cli(['users', 'update', '--id', 'admin1', '--role', 'administrator', '--role', 'auditor', ...as('admin1')]);
    expect(selfGrant.code).toBe(1);
    expect(selfGrant.stderr).toContain('platewatch users update: SELF_ROLE_GRANT: you cannot give yourself a role (auditor); another administrator must grant it\n');
    // --data-dir naming the data directory itself (PLATEWATCH_DATA_DIR's) finds the running system too.
    const list = await runCliInProcess(['users', 'list', ...as('admin1'), '--data-dir', dataDir], { env: { PLATEWATCH_LOG_LEVEL: 'warn' }, stdin: `${PASSWORD}\n` });
    expect(list.stderr).toContain(THROUGH_API);
    expect(list.stdout).toMatch(/\nofc2 +J\. Park +Sergeant +officer,dispatcher +2026-02-01 +2099-01-31 +active\n/);
  }, 120_000);

  it('refuses a non-administrator, disabling oneself, and without --as says users exist, not to stop the system', async () => {
    const role = await cli(['users', 'add', '--id', 'ofc3', '--name', 'X', '--title', 'Officer', '--role', 'officer', ...as('ofc1')], `${PASSWORD}\n${PASSWORD}\n`);
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/platewatch users add: ROLE_REQUIRED: .*users\.manage/);
    const self = await cli(['users', 'disable', '--id', 'admin1', ...as('admin1')]);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('platewatch users disable: an administrator cannot disable themself; ask another administrator');
    const bootstrap = await cli(['users', 'add', '--id', 'admin9', '--name', 'N. Body', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin']);
    expect(bootstrap.code).toBe(1);
    // Users exist (up's run file says so): stopping the system would not help (found by QA).
    expect(bootstrap.stderr).toBe('platewatch users add: users exist already: run this as an administrator, --as ADMIN\n');
    expect(bootstrap.stdout).toBe('');
  }, 120_000);

  it('prints exactly what the same commands print once the system is stopped', async () => {
    const commands = [
      ['users', 'list', ...as('admin1')],
      ['users', 'update', '--id', 'ofc2', '--title', 'Sergeant', ...as('admin1')],
      ['users', 'enable', '--id', 'ofc2', ...as('admin1')],
      ['release', 'list', ...as('aud1')],
      ['release', 'show', '--id', releaseId, ...as('chief1')],
      // The same filters through the API as on the directory (storage/access-log-review.ts).
      ['audit', 'log', '--user', 'cust1', '--action', 'export', '--from', from, '--to', to, ...as('aud1')],
      ['audit', 'log', '--user', 'cust1', '--action', 'export', '--from', from, '--to', to, '--limit', '1', '--json', ...as('aud1')],
    ];
    const throughApi: string[] = [];
    for (const args of commands) throughApi.push((await cli(args)).stdout);
    // The department's zone is the process's here: UTC on a CI machine, when the times show once.
    expect(throughApi[5]).toMatch(/^window .+\n\d+ record\(s\), newest first; .*\n(TIME \(\S+\) +)?TIME \(UTC\) +USER +ACTION .*\n(.* cust1 +export +\w+ .*\n)+$/);
    expect(JSON.parse(throughApi[6]!)).toMatchObject({ records: [{ user_id: 'cust1', action: 'export' }], more: true });
    await stopUp();
    for (const [i, args] of commands.entries()) {
      const local = await cli(args);
      expect(local.stderr).toBe('');
      expect(local.stdout).toBe(throughApi[i]);
    }
  }, 120_000);
});
