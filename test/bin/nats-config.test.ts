// `platewatch nats-config` against a real nats-server started with the configuration it prints,
// with TLS (the self-signed certificate of test/fixtures/nats-tls/): `platewatch up` given the
// printed NATS_URL, NATS_USER, NATS_PASSWORD and NODE_EXTRA_CA_CERTS stores and matches an
// agency camera's reads; a camera may not write another agency's reads, subscribe to hits, see
// the system's inbox or have an ack purge a stream; a client without TLS is refused. `up` runs as
// a process because Node reads NODE_EXTRA_CA_CERTS only when a process starts.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HITS_STREAM, HOTLISTS_BUCKET, openHotlistStore, PIPELINE_CONSUMER, publishHotlist, READS_STREAM, readHotlist, readsSubject } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { departmentNatsConfig } from '../../bin/department-nats-config.js';
import { REPO_ROOT, runCli, runCliInProcess } from '../fixtures/cli.js';
import { until } from '../reliability/fixtures.js';

const CERT = join(REPO_ROOT, 'test/fixtures/nats-tls/cert.pem');
const KEY = join(REPO_ROOT, 'test/fixtures/nats-tls/key.pem');
const ca = readFileSync(CERT, 'utf8');
const LISTED = '7ABC123';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-config-'));
const children = new Set<ChildProcess>();
const connections: NatsConnection[] = [];
/** Whatever happens to the test, no nats-server or `up` is left running. */
const killAll = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', killAll);

interface Printed {
  url: string;
  system: { user: string; pass: string };
  extraCaCerts: string;
  cameras: Map<string, { user: string; pass: string }>;
}

let printed: Printed;
let up: { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string };
let system: NatsConnection;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function parsePrinted(stderr: string): Printed {
  const platewatch = /NATS_URL=(\S+) NATS_USER=(\S+) NATS_PASSWORD=(\S+)/.exec(stderr);
  const extra = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(stderr);
  if (platewatch === null || extra === null) throw new Error(`nats-config printed no settings for platewatch:\n${stderr}`);
  const cameras = new Map<string, { user: string; pass: string }>();
  for (const m of stderr.matchAll(/agency (\S+): user (\S+) password (\S+)/g)) cameras.set(m[1] as string, { user: m[2] as string, pass: m[3] as string });
  return { url: platewatch[1] as string, system: { user: platewatch[2] as string, pass: platewatch[3] as string }, extraCaCerts: extra[1] as string, cameras };
}

async function asCamera(agency: string): Promise<NatsConnection> {
  const camera = printed.cameras.get(agency);
  if (camera === undefined) throw new Error(`no camera user printed for ${agency}`);
  const nc = await connect({ servers: printed.url, ...camera, tls: { ca }, reconnect: false });
  connections.push(nc);
  return nc;
}

function read(id: string, agency: string, plate = LISTED): Uint8Array {
  return pack({ v: 1, id, agency, camera: 'cam1', ts: Date.now(), conf: 0.9, plate, state: 'CA' });
}

/** The error a subscription was closed with (a permissions violation), or null while it stays open. */
async function closedWith(sub: Subscription, nc: NatsConnection): Promise<Error | null> {
  await nc.flush();
  const closed = await Promise.race([sub.closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 2_000))]);
  return closed instanceof Error ? closed : null;
}

const hitPrinted = (id: string): boolean => new RegExp(`^read ${id}: ${LISTED} → SVS`, 'm').test(up.out());

beforeAll(async () => {
  const port = await freePort();
  const res = await runCliInProcess([
    'nats-config', '--listen', `127.0.0.1:${port}`, '--tls-cert', CERT, '--tls-key', KEY, '--store-dir', join(dir, 'store'), '--agency', 'wpd', '--agency', 'scso',
  ]);
  if (res.code !== 0) throw new Error(`nats-config exited ${res.code}: ${res.stderr}`);
  printed = parsePrinted(res.stderr);
  const configFile = join(dir, 'platewatch.conf');
  writeFileSync(configFile, res.stdout, { mode: 0o600 });

  const server = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(server);
  let serverLog = '';
  server.stderr.setEncoding('utf8').on('data', (c: string) => (serverLog = (serverLog + c).slice(-4000)));
  system = await until('nats-server to accept the system user over TLS', async () => {
    if (server.exitCode !== null) throw new Error(`nats-server exited ${server.exitCode}: ${serverLog}`);
    return connect({ servers: printed.url, ...printed.system, tls: { ca }, reconnect: false }).catch(() => undefined);
  }, 15_000);
  connections.push(system);

  // `platewatch up` with exactly what nats-config printed for it.
  const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'], HOME: process.env['HOME'], USER: 'ofc.test', PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_HTTP_PORT: '0', PLATEWATCH_DATA_DIR: join(dir, 'data'),
      NATS_URL: printed.url, NATS_USER: printed.system.user, NATS_PASSWORD: printed.system.pass, NODE_EXTRA_CA_CERTS: printed.extraCaCerts,
    },
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  up = { child, out: () => out, err: () => err };
  await until('platewatch is up', () => {
    if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode} before it was up: ${err}`);
    return out.includes('platewatch is up') ? true : undefined;
  }, 120_000);

  const config = resolveMatcherConfig();
  const entry = validateEntry({ plate: LISTED, state: 'CA', list: 'SVS', reason: 'Stolen vehicle' }, config);
  if (!entry.ok) throw new Error(entry.reason);
  await publishHotlist(await openHotlistStore(jetstream(system)), 'SVS', [entry.entry], 'test');
}, 180_000);

afterAll(async () => {
  for (const nc of connections) if (!nc.isClosed()) await nc.close().catch(() => undefined);
  if (up !== undefined && up.child.exitCode === null) {
    up.child.kill('SIGTERM');
    await Promise.race([new Promise((r) => up.child.once('exit', r)), new Promise((r) => setTimeout(r, 30_000))]);
  }
  killAll();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a department NATS configured by platewatch nats-config, with TLS', () => {
  it('carries an agency camera\'s read to platewatch up, which stores, matches and acknowledges it', async () => {
    expect(printed.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(printed.extraCaCerts).toBe(CERT);
    const camera = await asCamera('wpd');
    // The hot list reaches `up` through the store's watch: retried until a hit comes out.
    await until('a hit for the camera\'s read', async () => {
      const id = `wpd-read-${Date.now()}`;
      const ack = await jetstream(camera).publish(readsSubject('wpd', 'cam1'), read(id, 'wpd'), { msgID: id });
      expect(ack.stream).toBe(READS_STREAM);
      return (await until(`hit ${id}`, () => (hitPrinted(id) ? true : undefined), 3_000).catch(() => undefined));
    }, 60_000, 0);
    const jsm = await jetstreamManager(system);
    await until('the read stored and acked by the pipeline', async () => {
      const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    });
  }, 90_000);

  it("refuses an agency's camera user another agency's reads subject", async () => {
    const wpd = await asCamera('wpd');
    await expect(jetstream(wpd, { timeout: 2_000 }).publish(readsSubject('scso', 'cam1'), read('forged-by-wpd', 'scso'))).rejects.toThrow();
    // The same read from scso's own camera goes through; the forged one never came out.
    const scso = await asCamera('scso');
    await jetstream(scso).publish(readsSubject('scso', 'cam1'), read('scso-own', 'scso'));
    await until('scso\'s own read matched', () => (hitPrinted('scso-own') ? true : undefined));
    expect(hitPrinted('forged-by-wpd')).toBe(false);
  }, 60_000);

  it('refuses a camera hits and the system\'s subjects, shows it none of the system\'s inbox, and gives its acks no way into JetStream', async () => {
    const camera = await asCamera('wpd');
    for (const subject of ['alpr.hits.>', 'alpr.reads.>', '>', '$O.>', 'alpr.dispositions']) {
      expect(await closedWith(camera.subscribe(subject), camera), `subscribe ${subject}`).toMatchObject({ message: expect.stringMatching(/permissions violation/i) });
    }
    // The system's connections use nats.js's default inbox (_INBOX) here: a camera may listen on
    // _INBOX.> in its own account, and hears none of the system's JetStream answers.
    const heard: string[] = [];
    const inbox = camera.subscribe('_INBOX.>', { callback: (_e, msg) => void heard.push(msg.subject) });
    await camera.flush();
    const jsm = await jetstreamManager(system);
    const hitsBefore = (await jsm.streams.info(HITS_STREAM)).state.messages;
    expect(hitsBefore).toBeGreaterThan(0);
    const hotlists = await openHotlistStore(jetstream(system));
    const listBefore = await hotlists.info('SVS');
    const attacks = ['$JS.API.STREAM.PURGE.HITS', `$JS.API.STREAM.PURGE.OBJ_${HOTLISTS_BUCKET}`, '$JS.API.STREAM.DELETE.HITS', `$O.${HOTLISTS_BUCKET}.M.U1ZT`];
    for (const [i, reply] of attacks.entries()) camera.publish(readsSubject('wpd', 'cam1'), read(`reply-attack-${i}`, 'wpd'), { reply });
    await camera.flush();
    // Each read went through and was matched: its ack was sent, on the camera's side of the import.
    await until('the attack reads matched', () => (attacks.every((_, i) => hitPrinted(`reply-attack-${i}`)) ? true : undefined));
    expect((await jsm.streams.info(HITS_STREAM)).state.messages).toBe(hitsBefore + attacks.length);
    expect((await hotlists.info('SVS'))?.revision).toBe(listBefore?.revision);
    expect(await readHotlist(hotlists, 'SVS')).toHaveLength(1);
    await camera.flush();
    inbox.unsubscribe();
    expect(heard).toEqual([]);
  }, 60_000);

  it('refuses a client that does not speak TLS, before it can send a password in clear', async () => {
    const { hostname, port } = new URL(printed.url);
    const socket = tcpConnect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8').on('data', (c: string) => {
      received += c;
      if (received.startsWith('INFO ')) socket.write(`CONNECT {"user":"${printed.cameras.get('wpd')?.user}","pass":"x","verbose":false}\r\nPING\r\n`);
    });
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(received).toMatch(/"tls_required":true/);
    expect(received).not.toMatch(/PONG|\+OK/);
  }, 30_000);
});

describe('platewatch nats-config options', () => {
  it('requires a certificate and its key unless --no-tls is given', async () => {
    const res = await runCliInProcess(['nats-config', '--store-dir', join(dir, 's')]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/--tls-cert FILE and --tls-key FILE are required \(or --no-tls/);
    expect(res.stdout).toBe('');
    const keyOnly = await runCliInProcess(['nats-config', '--store-dir', join(dir, 's'), '--tls-key', KEY]);
    expect(keyOnly.code).toBe(2);
  });

  it('warns with --no-tls that passwords and reads cross the network in clear, and writes no tls block', async () => {
    const res = await runCliInProcess(['nats-config', '--no-tls', '--store-dir', 'store'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/WARNING: no TLS \(--no-tls\): the passwords and every read cross the network in clear/);
    expect(res.stderr).toMatch(/NATS_URL=nats:\/\/\S+:4222 NATS_USER=platewatch NATS_PASSWORD=[A-Za-z0-9_-]{43}\n/);
    expect(res.stderr).toMatch(/every agency: user camera password [A-Za-z0-9_-]{43} /);
    expect(res.stdout).not.toMatch(/tls/);
    expect(res.stdout).toContain('listen: "0.0.0.0:4222"');
    expect(res.stdout).toContain(`store_dir: ${JSON.stringify(join(dir, 'store'))}`);
    // The embedded server's accounts, without its "rewritten at each start" header.
    expect(res.stdout).toMatch(/PLATEWATCH: \{\n {4}jetstream: enabled/);
    expect(res.stdout).toMatch(/CAMERAS: \{\n {4}users: \[\n {6}\{ user: "camera"/);
    expect(res.stdout).not.toMatch(/embedded|_PW_INBOX|deny/);
  });

  it('warns when standard output is a file others may read', async () => {
    const file = join(dir, 'readable.conf');
    const res = await runCli([], { command: ['sh', '-c', `umask 022; exec node --import tsx bin/platewatch.ts nats-config --no-tls --store-dir store > '${file}'`] });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/WARNING: the file standard output goes to is readable by others \(mode 644\), and it holds every password: chmod 600 it/);
    expect(readFileSync(file, 'utf8')).toMatch(/^accounts \{$/m);
  }, 60_000);

  it('makes new passwords at each run', async () => {
    const pass = async (): Promise<string> => /NATS_PASSWORD=(\S+)/.exec((await runCliInProcess(['nats-config', '--no-tls', '--store-dir', dir])).stderr)?.[1] ?? '';
    expect(await pass()).not.toBe(await pass());
  });

  it('refuses a certificate file it cannot read, and a key that is not the certificate\'s', async () => {
    const missing = await runCliInProcess(['nats-config', '--store-dir', dir, '--tls-cert', join(dir, 'nope.pem'), '--tls-key', KEY]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the certificate --tls-cert .*nope\.pem/);
    expect(missing.stdout).toBe('');
    const otherKey = join(dir, 'other-key.pem');
    writeFileSync(otherKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const mismatch = await runCliInProcess(['nats-config', '--store-dir', dir, '--tls-cert', CERT, '--tls-key', otherKey]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/is not the key of the certificate/);
  });

  it('tells clients to connect by a name the certificate has when it listens on every address', async () => {
    const res = await runCliInProcess(['nats-config', '--store-dir', dir, '--tls-cert', CERT, '--tls-key', KEY, '--listen', '0.0.0.0:4223']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/NATS_URL=tls:\/\/localhost:4223 /);
    expect(res.stderr).not.toMatch(/WARNING/);
    expect(res.stdout).toContain(`tls {\n  cert_file: ${JSON.stringify(CERT)}\n  key_file: ${JSON.stringify(KEY)}\n}`);
  });

  it('refuses an agency name that is not a subject token, and one given twice', async () => {
    const bad = await runCliInProcess(['nats-config', '--no-tls', '--store-dir', dir, '--agency', 'a.b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--agency "a\.b" must be 1–64 characters/);
    const twice = await runCliInProcess(['nats-config', '--no-tls', '--store-dir', dir, '--agency', 'wpd', '--agency', 'wpd']);
    expect(twice.code).toBe(2);
  });

  // Security assessment: `--agency wpd --agency WPD` made accounts CAMERAS_WPD and CAMERAS_WPD_2
  // for what the rest of platewatch takes as one agency.
  it('refuses agency names that differ only in letter case, and still takes ones that differ in - and _', async () => {
    const res = await runCliInProcess(['nats-config', '--no-tls', '--store-dir', dir, '--agency', 'wpd', '--agency', 'scso', '--agency', 'WPD']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--agency "wpd" and --agency "WPD" differ only in letter case/);
    expect(res.stdout).toBe('');
    expect(() => departmentNatsConfig({ listen: '127.0.0.1:4222', tls: null, storeDir: dir, agencies: ['Wpd', 'wPD'] })).toThrow(/"Wpd" and "wPD" differ only in letter case/);

    const apart = await runCliInProcess(['nats-config', '--no-tls', '--store-dir', dir, '--agency', 'city-pd', '--agency', 'city_pd']);
    expect(apart.code).toBe(0);
    expect(apart.stdout).toContain('CAMERAS_CITY_PD');
    expect(apart.stdout).toContain('CAMERAS_CITY_PD_2');
  });
});
