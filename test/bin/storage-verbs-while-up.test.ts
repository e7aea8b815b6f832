// `platewatch evidence` and `platewatch audit` while `platewatch up` runs on embedded chDB, which
// only `up` can open: the verbs go through its API (bin/system-api.ts) and work as they do with
// the system stopped. Real processes: `up` (nats-server, chDB, gateway) and each CLI run.
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunningSystem, type RuntimeInfo } from '../../bin/runtime.js';
import { REPO_ROOT, runCli, type CliRun } from '../fixtures/cli.js';

const PASSWORD = 'a long enough passphrase';
const dir = mkdtempSync(join(tmpdir(), 'platewatch-verbs-up-'));
const dataDir = join(dir, 'data');
const env = { PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_HTTP_PORT: '0' };
let up: ChildProcessWithoutNullStreams | undefined;
let running: RuntimeInfo;
const from = new Date(Date.now() - 3_600_000).toISOString();
const to = new Date(Date.now() + 3_600_000).toISOString();

const cli = (args: readonly string[], stdin = `${PASSWORD}\n`): Promise<CliRun> => runCli(args, { env, stdin });

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // Accounts first: while `up` runs, the users verb cannot open storage either.
  const admin = await cli(['users', 'add', '--id', 'admin1', '--name', 'R. Diaz', '--title', 'Lieutenant', '--role', 'administrator', '--trained', '2026-01-15', '--password-stdin']);
  expect(admin.stderr).toBe('');
  for (const [id, role] of [['ana1', 'analyst'], ['cust1', 'custodian'], ['aud1', 'auditor']] as const) {
    const added = await cli(['users', 'add', '--id', id, '--name', `User ${id}`, '--title', role, '--role', role, '--trained', '2026-01-15', '--as', 'admin1', '--password-stdin'], `${PASSWORD}\n${PASSWORD}\n`);
    expect(added.code, added.stderr).toBe(0);
  }
  up = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], { cwd: REPO_ROOT, env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env } });
  up.stdout.resume();
  up.stderr.resume();
  await until('up to write its run file', async () => (await readRunningSystem(dataDir))?.httpUrl !== undefined);
  running = (await readRunningSystem(dataDir))!;
  const nc = await connect({ servers: running.natsUrl });
  const js = (await import('@nats-io/jetstream')).jetstream(nc);
  for (const [id, plate] of [['v-1', '7ABC123'], ['v-2', '7ABC123'], ['v-3', '6OTHER6']] as const) {
    await js.publish('alpr.reads.wpd.cam1', pack({ v: 1, id, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate }), { msgID: id });
  }
  await nc.close();
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
  if (up !== undefined && up.exitCode === null) {
    const exited = new Promise((r) => up!.once('exit', r));
    up.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('storage verbs while up runs on embedded chDB', () => {
  it('places a legal hold through the running system', async () => {
    const r = await cli(['evidence', 'hold', '--case', 'WPD-26-0777', '--as', 'ana1', '--password-stdin', '--reason', 'seen at the scene', '--from', from, '--to', to, '--plate', '7ABC123']);
    expect(r.stderr).toContain('going through its API');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hold [0-9a-f-]{36}: 2 detection\(s\) held for case WPD-26-0777\n$/);
  }, 60_000);

  it('exports the case into a new directory, every file checking against SHA256SUMS', async () => {
    const out = join(dir, 'media', 'WPD-26-0777');
    const r = await cli(['evidence', 'export', '--case', 'WPD-26-0777', '--as', 'cust1', '--password-stdin', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`exported 2 detection(s) of case WPD-26-0777 to ${out}`);
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'detections.csv', 'detections.json', 'holds.json', 'manifest.json']);
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

  it('samples inquiries into the memorandum, and verifies the access log, through the running system', async () => {
    const out = join(dir, 'audit');
    const sample = await cli(['audit', 'sample', '--as', 'aud1', '--password-stdin', '--from', from, '--to', to, '--out', out, '--auditor', 'Capt. R. Diaz, PSD']);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout).toMatch(/^\d+ of \d+ inquiries reviewed/);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    expect(readFileSync(join(out, files[1]!), 'utf8')).toContain('Capt. R. Diaz, PSD');
    const verify = await cli(['audit', 'verify', '--as', 'aud1', '--password-stdin']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/access log chain "[^"]+": \d+ records, intact/);
  }, 60_000);
});
