// `platewatch up` as an operator runs it: a real process with embedded nats-server and chDB;
// `hotlist load` and `simulate` find it through the data directory; SIGTERM stops it gracefully.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MIGRATIONS, openStorage, saveUser, setPassword } from '../../storage/index.js';
import { connectToEmbeddedNats } from '../fixtures/embedded-nats.js';
import { isRunning } from '../fixtures/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'platewatch-up-'));
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_DATA_DIR: join(dir, 'data'), PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_HTTP_PORT: '0', USER: 'ofc.test' };
type Env = typeof env & Record<string, string | undefined>;
let up: ChildProcessWithoutNullStreams | undefined;
/** Every `up` and nats-server seen, killed at the end whatever a test did. */
const started = new Set<ChildProcessWithoutNullStreams>();
const natsServersSeen = new Set<number>();

afterAll(() => {
  up?.kill('SIGKILL');
  for (const child of started) child.kill('SIGKILL');
  for (const pid of natsServersSeen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], cliEnv: Env = env, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', ...args], { cwd: ROOT, env: cliEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const PASSWORD = 'morning download passphrase';

/** The tests run concurrently, and chDB binds one data directory per process: their opens here take turns. */
let storageTurn: Promise<unknown> = Promise.resolve();

/** The administrator who loads the lists (hotlist load signs in), put in the data directory before `up` holds it. */
function addAdministrator(dataDir: string): Promise<void> {
  const added = storageTurn.then(async () => {
    const storage = await openStorage({ dataDir: join(dataDir, 'clickhouse') });
    try {
      await saveUser(storage, { userId: 'admin1', name: 'R. Diaz', title: 'Lieutenant', roles: ['administrator'], trainedAt: '2026-01-15', active: true }, 'setup');
      await setPassword(storage, 'admin1', PASSWORD, 'setup', 10);
    } finally {
      await storage.close();
    }
  });
  storageTurn = added.catch(() => undefined);
  return added;
}

/** `platewatch hotlist load ARGS` as admin1, through the running system's API. */
function loadAsAdministrator(args: string[], cliEnv: Env = env): ReturnType<typeof cli> {
  return cli(['hotlist', 'load', '--as', 'admin1', '--password-stdin', ...args], cliEnv, `${PASSWORD}\n`);
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `platewatch up` as a process, with what it has written so far. */
function startUp(args: string[], upEnv: Env): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up', ...args], { cwd: ROOT, env: upEnv });
  started.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exited };
}

/** Pids of the embedded nats-servers that have reported their port under this data directory. */
function natsServerPids(dataDir: string): number[] {
  try {
    const pids = readdirSync(join(dataDir, 'nats', '.ports')).flatMap((name) => /^nats-server_(\d+)\.ports$/.exec(name)?.[1] ?? []).map(Number);
    for (const pid of pids) natsServersSeen.add(pid);
    return pids;
  } catch {
    return [];
  }
}


// Concurrent: each test runs its own `up` (or two) on a data directory of its own and mostly waits
// on child processes (startup, signals, nats-server exits); the first alone uses `dir/data`.
describe.concurrent('platewatch up', () => {
  it('starts the system, takes a hot list and simulated reads, prints hits, and stops cleanly', async () => {
    expect((await cli(['hotlist', 'list'])).stderr).toMatch(/no running platewatch/);
    await addAdministrator(join(dir, 'data'));

    up = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], { cwd: ROOT, env });
    let out = '';
    let err = '';
    up.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    up.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((resolve) => up?.once('exit', resolve));
    await waitFor('platewatch is up', () => out.includes('platewatch is up'));
    expect(out).toMatch(/NATS {7}nats:\/\/127\.0\.0\.1:\d+ \(embedded nats-server/);
    // What needs doing is said where the operator looks: the general lists never loaded, in the
    // banner and as a warning each; the register has an administrator, so no word of users.
    expect(out).toContain('  stale      SFR (never loaded), SLR (never loaded), SVS (never loaded): general lists are loaded daily');
    expect(out).not.toContain('  users      ');
    for (const list of ['SFR', 'SLR', 'SVS']) expect(err).toMatch(new RegExp(`"level":40,.*"msg":"general hot list ${list} is stale: it has never been loaded`));
    expect(existsSync(join(dir, 'data', 'run', 'platewatch.json'))).toBe(true);
    // The embedded server requires credentials: the banner says where a camera's are, never a password.
    const authFile = join(dir, 'data', 'nats', 'auth.json');
    expect(out).toContain('credentials required');
    expect(out).toContain(`as NATS user "camera", password in ${authFile}`);
    const passwords = Object.values(JSON.parse(readFileSync(authFile, 'utf8')) as Record<string, { password: string }>).map((u) => u.password);
    expect(passwords).toHaveLength(2);

    const list = join(dir, 'svs.csv');
    writeFileSync(list, 'plate,state,list,reason,case_number,entered_by,synopsis\n6TRJ244,CA,SVS,Stolen vehicle,26-0042,DOJ,Gray sedan\n4XYZ771,CA,SVS,Stolen vehicle,26-0043,DOJ,Blue pickup\nBAD!,,SVS,x,1,y,z\n');
    const loaded = await loadAsAdministrator(['--list', 'SVS', list]);
    expect(loaded.code).toBe(0);
    expect(loaded.stderr).toContain('storage is held by the running platewatch; going through its API');
    // Said only once the running system matches against it: a read right after it hits (below).
    expect(loaded.stdout).toMatch(/list SVS is now version \d+: 2 entries \(2 added, 0 removed\); in force/);
    expect(loaded.stderr).toMatch(/svs\.csv:4: /);
    const listed = await cli(['hotlist', 'list']);
    expect(listed.stdout).toMatch(/SVS +version \d+ +2 entries +loaded by admin1/);
    expect((await loadAsAdministrator(['--list', 'SFR', list])).code).toBe(1); // no SFR rows: not emptied
    // A specific list's entries need the administrator's approval one by one (§471.5(f)(5)): no bulk load.
    const specific = await loadAsAdministrator(['--list', 'BOLO', list]);
    expect(specific.code).toBe(1);
    expect(specific.stderr).toMatch(/BOLO is not a general list; files load only the general lists \(SVS, SFR, SLR\)\. Any other list is specific: its entries match only after the ALPR administrator approves each one/);

    const simulated = await cli(['simulate', '--count', '40', '--rate', '200', '--hit-rate', '1', '--seed', '3']);
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toMatch(/published 40 reads in 40 messages/);
    await waitFor('hits printed', () => (out.match(/→ SVS (6TRJ244|4XYZ771)/g) ?? []).length >= 10);

    const gateway = /gateway {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(gateway).toBeDefined();
    const health = await fetch(`${gateway}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    expect(metrics).toMatch(/^platewatch_hits_total\{list="SVS",kind="exact"\} \d+$/m);
    expect(metrics).toMatch(/^platewatch_hotlist_version\{list="SVS"\} \d+$/m);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    // What the process costs, embedded chDB included (bin/process-metrics.ts).
    expect(metrics).toMatch(/^process_resident_memory_bytes [1-9]\d+$/m);
    expect(metrics).toContain(`platewatch_build_info{version="${pkg.version}",node="${process.versions.node}",schema="${MIGRATIONS.at(-1)?.version}"} 1\n`);
    expect(metrics).toMatch(/^platewatch_process_start_time_seconds \d{10}$/m);
    // No console session is valid until sign-in arrives (issue 6): the upgrade is refused.
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${(gateway as string).replace('http', 'ws')}/ws?token=anything`);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => reject(new Error('a console connected without signing in')));
      socket.once('error', () => {});
    });
    expect(refused).toBe(401);

    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('platewatch: stopped');
    for (const password of passwords) expect(out + err).not.toContain(password);
    expect(existsSync(join(dir, 'data', 'run', 'platewatch.json'))).toBe(false);
    up = undefined;
  }, 180_000);

  it('skips garbage on alpr.hits without stalling NATS, prints covert-list hits withheld, and stops gracefully on SIGHUP', async () => {
    const dataDir = join(dir, 'covert');
    const config = join(dir, 'covert.json');
    writeFileSync(config, JSON.stringify({ hits: { covertLists: { NARC: ['det1'] } } }));
    const upEnv: Env = { ...env, PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_GENERAL_LISTS: 'SVS,SFR,SLR,NARC' };
    await addAdministrator(dataDir);
    const run = startUp(['--config', config], upEnv);
    await waitFor('platewatch is up', () => run.out().includes('platewatch is up'));
    const natsUrl = /NATS {7}(nats:\/\/127\.0\.0\.1:\d+)/.exec(run.out())?.[1] as string;
    const gateway = /gateway {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(run.out())?.[1] as string;
    const [natsPid] = natsServerPids(dataDir);
    expect(natsPid).toBeDefined();

    // Bytes that are no msgpack hit, and msgpack that is no hit: each once threw in the printing callback.
    const nc = await connectToEmbeddedNats(dataDir, natsUrl);
    nc.publish('alpr.hits.x.y', new Uint8Array([1]));
    nc.publish('alpr.hits.x.y', pack({}));
    nc.publish('alpr.hits.x.y', pack({ read: { id: 'r' }, hit: { list: 'SVS' } }));
    await nc.flush();
    await nc.close();

    const svs = join(dir, 'covert-svs.csv');
    writeFileSync(svs, 'plate,state,list,reason,case_number,entered_by,synopsis\n6TRJ244,CA,SVS,Stolen vehicle,26-0042,DOJ,Gray sedan\n');
    const narc = join(dir, 'covert-narc.csv');
    writeFileSync(narc, 'plate,state,list,reason,case_number,entered_by,synopsis\n7NRC123,CA,NARC,Narcotics investigation,26-0999,det1,Informant vehicle\n');
    expect((await loadAsAdministrator(['--config', config, '--list', 'SVS', svs], upEnv)).code).toBe(0);
    expect((await loadAsAdministrator(['--config', config, '--list', 'NARC', narc], upEnv)).code).toBe(0);
    // The load and the publishes above went over NATS; reads after them still come out as hits.
    const simulated = await cli(['simulate', '--config', config, '--count', '40', '--rate', '200', '--hit-rate', '1', '--seed', '5'], upEnv);
    expect(simulated.code).toBe(0);
    await waitFor('hits on both lists printed', () => run.out().includes('→ SVS 6TRJ244') && run.out().includes('hit on a covert list (covert-1): details withheld'));

    for (const secret of ['NARC', '7NRC123', '26-0999', 'Informant vehicle', 'Narcotics']) expect(run.out()).not.toContain(secret);
    expect((await fetch(`${gateway}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    expect(metrics).toMatch(/^platewatch_hits_total\{list="covert-1",kind="exact"\} \d+$/m); // the alias the printed line uses
    expect(metrics).not.toContain('NARC');
    // Three bad messages, one log line (at most one a minute).
    expect(run.err().match(/message on alpr\.hits that is not a hit: not printed/g)).toHaveLength(1);

    run.child.kill('SIGHUP');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.err()).toContain('platewatch: stopped');
    expect(isRunning(natsPid as number)).toBe(false);
  }, 180_000);

  it('stops what has started on a Ctrl-C during startup, leaves no nats-server behind, and the next up starts', async () => {
    const dataDir = join(dir, 'startup');
    const upEnv: Env = { ...env, PLATEWATCH_DATA_DIR: dataDir };
    const first = startUp([], upEnv);
    // Its nats-server is up (storage opened just before); streams, lists and the gateway are still to come.
    await waitFor('the embedded nats-server', () => natsServerPids(dataDir).length > 0, 60_000, 5);
    const [natsPid] = natsServerPids(dataDir);
    first.child.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.err()).toContain('platewatch: stopped before it was up');
    expect(first.out()).not.toContain('platewatch is up');
    expect(isRunning(natsPid as number)).toBe(false);

    const second = startUp([], upEnv);
    await waitFor('platewatch is up again', () => second.out().includes('platewatch is up'));
    expect(second.err()).not.toMatch(/STORE_IN_USE|left running/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('stops at once on a second Ctrl-C, and still stops its nats-server', async () => {
    const dataDir = join(dir, 'twice');
    const run = startUp([], { ...env, PLATEWATCH_DATA_DIR: dataDir });
    await waitFor('platewatch is up', () => run.out().includes('platewatch is up'));
    // A new data directory has no users: the banner says how to add the first administrator.
    expect(run.out()).toContain('  users      none yet: stop platewatch (Ctrl-C), then add the first administrator with ./platewatch users add');
    const [natsPid] = natsServerPids(dataDir);
    run.child.kill('SIGINT');
    // 30 s, not 10: a child process on a loaded 2-core machine; never printing it is still a failure.
    await waitFor('the graceful stop to begin', () => run.err().includes('platewatch: stopping'), 30_000, 5);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.err()).toContain('platewatch: SIGINT again: stopping at once');
    expect(run.err()).not.toContain('platewatch: stopped');
    // SIGTERM on the way out: the server shuts its store down by itself, in a moment.
    // 30 s, not 10: the server flushes its JetStream store first; one left running still fails here.
    await waitFor('nats-server to exit', () => !isRunning(natsPid as number), 30_000, 25);
  }, 180_000);

  it('lets one of two ups started at the same instant on one data directory run; the other stops before starting a nats-server', async () => {
    const dataDir = join(dir, 'same-instant');
    const upEnv: Env = { ...env, PLATEWATCH_DATA_DIR: dataDir };
    const runs = [startUp([], upEnv), startUp([], upEnv)];
    const pidsSeen = new Set<number>();
    const watching = setInterval(() => natsServerPids(dataDir).forEach((pid) => pidsSeen.add(pid)), 5);
    try {
      const loser = await Promise.race(runs.map((run) => run.exited.then(() => run)));
      const winner = runs.find((run) => run !== loser)!;
      expect(await loser.exited).toEqual({ code: 1, signal: null });
      expect(loser.err()).toContain('[STORAGE_BUSY]');
      // The winner by pid, once its engine has written its status file (a moment after the lock).
      expect(loser.err()).toMatch(new RegExp(`process ${winner.child.pid} has it open|another process has it open`));
      await waitFor('the other up to be up', () => winner.out().includes('platewatch is up'));
      expect(pidsSeen.size).toBe(1);
      winner.child.kill('SIGTERM');
      expect(await winner.exited).toEqual({ code: 0, signal: null });
    } finally {
      clearInterval(watching);
    }
  }, 180_000);

  it('refuses an unknown PLATEWATCH_LOG_LEVEL with exit 2, naming the variable, before starting anything', async () => {
    const dataDir = join(dir, 'log-level');
    const refused = await cli(['up'], { ...env, PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_LOG_LEVEL: 'verbose' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('PLATEWATCH_LOG_LEVEL: "verbose" is not a log level');
    expect(refused.stderr).not.toContain('unexpected error');
    expect(existsSync(join(dataDir, 'nats'))).toBe(false);
  });
});
