// `platewatch up` as a process when NATS fails under it: /healthz says so (503), a SIGTERM still
// stops it within a bound, its embedded nats-server killed with kill -9 is restarted on the same
// port a bounded number of times and then `up` exits 1; and hits of a backlog it starts on are printed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStreams, openHotlistStore, PIPELINE_CONSUMER, publishHotlist, READS_STREAM, readsSubject, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry, type HotlistEntry } from '../../matcher/index.js';
import { connectToEmbeddedNats } from '../fixtures/embedded-nats.js';
import { isRunning } from '../fixtures/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'platewatch-up-nats-'));
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], PLATEWATCH_LOG_LEVEL: 'warn', PLATEWATCH_HTTP_PORT: '0', USER: 'ofc.test' };
type Env = typeof env & Record<string, string | undefined>;
/** Every `up` and nats-server seen, killed at the end whatever a test did. */
const started = new Set<ChildProcessWithoutNullStreams>();
const natsServersSeen = new Set<number>();
const servers: LocalNatsServer[] = [];

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  for (const pid of natsServersSeen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface UpRun {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  natsUrl: string;
  gateway: string;
}

/** `platewatch up` as a process, once it has said it is up. */
async function startUp(upEnv: Env): Promise<UpRun> {
  const child = spawn('node', ['--import', 'tsx', 'bin/platewatch.ts', 'up'], { cwd: ROOT, env: upEnv });
  started.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor('platewatch is up', () => {
    if (gone) throw new Error(`up exited before it was up: ${err}`);
    return out.includes('platewatch is up');
  });
  const natsUrl = /NATS {7}(nats:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
  const gateway = /gateway {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
  return { child, out: () => out, err: () => err, exited, natsUrl, gateway };
}

/** Pids of the embedded nats-servers that have reported their port under this data directory. */
function natsServerPids(dataDir: string): number[] {
  try {
    const pids = readdirSync(join(dataDir, 'nats', '.ports')).flatMap((name) => /^nats-server_(\d+)\.ports$/.exec(name)?.[1] ?? []).map(Number);
    for (const pid of pids) natsServersSeen.add(pid);
    return pids.filter(isRunning);
  } catch {
    return [];
  }
}

async function health(gateway: string): Promise<{ status: number; body: { ok: boolean; nats: { ok: boolean; error?: string } } }> {
  const res = await fetch(`${gateway}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; nats: { ok: boolean; error?: string } } };
}

const config = resolveMatcherConfig();
function svs(plates: string[]): HotlistEntry[] {
  return plates.map((plate) => {
    const r = validateEntry({ plate, state: 'CA', list: 'SVS', reason: 'Stolen vehicle', case_number: '26-0042', entered_by: 'DOJ', synopsis: 'Gray sedan' }, config);
    if (!r.ok) throw new Error(r.reason);
    return r.entry;
  });
}

/** Publishes reads as a camera does: each retried until JetStream acks it (NATS may be coming back). */
async function publishReads(js: JetStreamClient, reads: Array<{ id: string; plate: string }>): Promise<void> {
  for (const { id, plate } of reads) {
    for (let attempt = 0; ; attempt++) {
      try {
        await js.publish(readsSubject('wpd', 'cam1'), pack({ v: 1, id, agency: 'wpd', camera: 'cam1', ts: Date.now(), conf: 0.9, plate, state: 'CA' }), { msgID: id });
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

// Concurrent: each test has a data directory, nats-server and `up` of its own, and spends most of
// its time waiting (on `up` starting, NATS steps cut short after 10 s, restart delays) rather than
// on the CPU; run one after another they took ~52 s, side by side about as long as the longest.
describe.concurrent('platewatch up when NATS fails', () => {
  it('prints every hit of a backlog waiting on the READS stream when it starts, each once', async () => {
    const server = await startLocalNatsServer({ storeDir: join(dir, 'backlog-nats') });
    servers.push(server);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm);
      const js = jetstream(nc);
      await publishHotlist(await openHotlistStore(js), 'SVS', svs(['6TRJ244']), 'test');
      // What a restarted `up` finds: reads that arrived while it was down, hot ones first.
      const reads = Array.from({ length: 400 }, (_, i) => ({ id: `backlog-${i}`, plate: i % 10 === 0 ? '6TRJ244' : `C${String(i).padStart(6, '0')}` }));
      await publishReads(js, reads);

      // A smaller READS than the default 10 GiB (a small disk): `up` brings the stream to it.
      const run = await startUp({ ...env, PLATEWATCH_DATA_DIR: join(dir, 'backlog'), NATS_URL: server.url, PLATEWATCH_READS_MAX_GIB: '4' });
      expect((await jsm.streams.info(READS_STREAM)).config.max_bytes).toBe(4 * 2 ** 30);
      await waitFor('the backlog to be stored and acked', async () => {
        const info = await jsm.consumers.info(READS_STREAM, PIPELINE_CONSUMER);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
      const printed = (): string[] => run.out().match(/^read backlog-\d+: 6TRJ244 → SVS 6TRJ244/gm) ?? [];
      await waitFor('40 hits printed', () => printed().length >= 40, 10_000).catch(() => undefined);
      expect(new Set(printed()).size).toBe(40);
      expect(printed()).toHaveLength(40);
      console.info(`backlog of ${reads.length} reads at start: ${printed().length} of 40 hits printed, each once`);
      run.child.kill('SIGTERM');
      expect(await run.exited).toMatchObject({ code: 0, signal: null });
    } finally {
      await nc.close();
    }
  }, 180_000);

  it('answers /healthz 503, saying NATS is not connected, while the NATS server it was given is gone, and still stops within a bound on SIGTERM', async () => {
    const server = await startLocalNatsServer({ storeDir: join(dir, 'external-nats') });
    servers.push(server);
    const run = await startUp({ ...env, PLATEWATCH_DATA_DIR: join(dir, 'external'), NATS_URL: server.url });
    expect((await health(run.gateway)).status).toBe(200);

    const killedAt = Date.now();
    await server.kill();
    const down = await waitFor('/healthz to say 503', async () => {
      const now = await health(run.gateway);
      return now.status === 503 ? now : undefined;
    }, 10_000, 50);
    expect(down.body.ok).toBe(false);
    expect(down.body.nats.ok).toBe(false);
    expect(down.body.nats.error).toMatch(new RegExp(`^NATS not connected: lost 127\\.0\\.0\\.1:${server.port} at .+Z; reconnecting$`));

    const termAt = Date.now();
    run.child.kill('SIGTERM');
    const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
    expect(exit, `up did not stop within 60 s of SIGTERM; stderr:\n${run.err()}`).not.toBeNull();
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Each step waiting on NATS is cut short after 10 s: one or two of them here, with room for a loaded machine.
    expect((exit as { at: number }).at - termAt).toBeLessThan(45_000);
    expect(run.err()).toMatch(/cut short: reads not yet acknowledged are delivered again at the next start/);
    expect(run.err()).toContain('the connection is closed without draining');
    expect(run.err()).toContain('platewatch: stopped');
    console.info(`NATS_URL server killed: /healthz 503 after ${termAt - killedAt} ms at most; SIGTERM → exit 0 in ${(exit as { at: number }).at - termAt} ms`);
  }, 180_000);

  it('restarts its embedded nats-server after a kill -9 on the same port (503 meanwhile, then 200 and hits again), and after 3 restarts stops with exit status 1', async () => {
    const dataDir = join(dir, 'embedded');
    const run = await startUp({ ...env, PLATEWATCH_DATA_DIR: dataDir });
    const [firstPid] = natsServerPids(dataDir);
    expect(firstPid).toBeDefined();
    let nc: NatsConnection | undefined;
    try {
      nc = await connectToEmbeddedNats(dataDir, run.natsUrl, { maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      const js = jetstream(nc, { timeout: 2_000 });
      await publishHotlist(await openHotlistStore(js), 'SVS', svs(['6TRJ244']), 'test');
      await waitFor('the list in use', async () => /^platewatch_hotlist_version\{list="SVS"\} 1$/m.test(await (await fetch(`${run.gateway}/metrics`)).text()));

      // A camera with a wrong password: counted on /metrics and logged by name (it used to leave no trace).
      await expect(connect({ servers: run.natsUrl, user: 'camera', pass: 'not-its-password', reconnect: false })).rejects.toThrow(/Authorization Violation/i);
      await waitFor('the refused camera counted', async () => /^platewatch_nats_auth_failures_total 1$/m.test(await (await fetch(`${run.gateway}/metrics`)).text()), 10_000);
      await waitFor('the refused camera logged', () => run.err().includes('nats-server refused user'), 10_000);
      expect(run.err()).toMatch(/"level":40,.*"component":"nats-server","user":"camera","remote":"127\.0\.0\.1:\d+".*"msg":"nats-server refused user \\"camera\\" from 127\.0\.0\.1:\d+/);

      const killedAt = Date.now();
      process.kill(firstPid as number, 'SIGKILL');
      const down = await waitFor('/healthz to say 503', async () => {
        const now = await health(run.gateway);
        return now.status === 503 ? now : undefined;
      }, 10_000, 20);
      expect(down.body.nats.error).toMatch(/^NATS not connected: lost /);
      const downAt = Date.now();
      await waitFor('/healthz to say 200 again', async () => (await health(run.gateway)).status === 200, 30_000, 50);
      const upAgainAt = Date.now();
      const [secondPid] = natsServerPids(dataDir);
      expect(secondPid).not.toBe(firstPid);
      expect(run.err()).toMatch(/"level":50,.*embedded nats-server was killed \(SIGKILL\); restarting it on the same port and store in 1000 ms \(restart 1 of 3 allowed within 10 minutes\)/);

      // Same URL: the test's own client reconnected by itself, and reads still come out as hits.
      await publishReads(js, [{ id: 'after-restart-1', plate: '6TRJ244' }]);
      await waitFor('the hit printed', () => run.out().includes('read after-restart-1: 6TRJ244 → SVS 6TRJ244'), 30_000);

      // Three restarts in 10 minutes are allowed; the fourth death is fatal.
      const lastKills = Date.now();
      for (let kill = 2; kill <= 4; kill++) {
        const [pid] = natsServerPids(dataDir);
        process.kill(pid as number, 'SIGKILL');
        if (kill < 4) await waitFor(`restart ${kill}`, () => run.err().split('embedded nats-server restarted').length - 1 === kill, 30_000, 20);
      }
      const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
      expect(exit, `up did not exit after its nats-server died for good; stderr:\n${run.err()}`).toMatchObject({ code: 1, signal: null });
      expect(run.err()).toMatch(/platewatch: fatal: the embedded nats-server on nats:\/\/127\.0\.0\.1:\d+ \(store .+\) is down for good: was killed \(SIGKILL\), after 3 restarts within 10 minutes; stopping \(exit status 1, for a supervisor such as systemd to restart platewatch\)/);
      expect(run.err()).toContain('platewatch: stopped after a fatal error');
      // Said once by up (found by QA: twice, its fatal log line repeating the message and stack):
      // the supervisor's log line giving up, with the error, and up's own line for a person. The
      // log is written asynchronously and the plain line directly, so their order varies.
      const saidDownForGood = run.err().split('\n').filter((line) => line.includes('is down for good'));
      expect(saidDownForGood).toHaveLength(2);
      expect(saidDownForGood.filter((line) => /^\{"level":50,.*"msg":"embedded nats-server not restarted again: giving up"/.test(line))).toHaveLength(1);
      expect(saidDownForGood.filter((line) => line.startsWith('platewatch: fatal: '))).toHaveLength(1);
      expect(run.err()).toMatch(/^\{"level":60,.*"code":"NATS_SERVER_DIED",.*"msg":"platewatch cannot go on: stopping"\}$/m);
      // Times an operator can read: ISO 8601 UTC, not epoch milliseconds.
      expect(run.err()).toMatch(/^\{"level":60,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",/m);
      expect(natsServerPids(dataDir)).toEqual([]);
      console.info(
        `embedded nats-server killed: /healthz 503 within ${downAt - killedAt} ms, 200 again after ${upAgainAt - killedAt} ms; ` +
          `killed 3 more times: up exited 1 ${(exit as { at: number }).at - lastKills} ms after the first of them`,
      );
    } finally {
      await nc?.close();
    }
  }, 240_000);
});
