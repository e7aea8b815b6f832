// `platewatch simulate` as a real CLI process. Usage errors are found before any connection, so no
// system needs to run for them; the working directory is empty, so none is found either. The hot
// plates it draws from come from a real nats-server's hot list store.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { ensureStreams, openHotlistStore, publishHotlist, READS_STREAM, startLocalNatsServer } from '../../ingest/index.js';
import { resolveMatcherConfig, validateEntry } from '../../matcher/index.js';
import { runCli, runCliInProcess } from '../fixtures/cli.js';
import { useLocalNats } from '../fixtures/nats.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: readonly string[]) => runCli(args, { env: { PLATEWATCH_CWD: dir } });
const nats = useLocalNats('simulate');

describe('platewatch simulate: options', () => {
  it('refuses a fractional number of cameras, reads or reads per message as a usage error', async () => {
    // In process: four processes one after another outran the test's time on a loaded machine.
    for (const [option, value] of [['--cameras', '2.5'], ['--count', '2.5'], ['--batch', '1.5'], ['--seed', '0.5']] as const) {
      const { code, stderr } = await runCliInProcess(['simulate', option, value], { env: { PLATEWATCH_CWD: dir } });
      expect(code, `${option} ${value}`).toBe(2);
      expect(stderr).toContain(`${option} "${value}" must be a whole number`);
    }
  }, 60_000);

  it('refuses an empty number rather than reading it as 0', async () => {
    const { code, stderr } = await runCliInProcess(['simulate', '--seed='], { env: { PLATEWATCH_CWD: dir } });
    expect(code).toBe(2);
    expect(stderr).toContain('--seed "" must be a whole number');
  });

  it('says "at least" for an option without an upper bound', async () => {
    const { code, stderr } = await runCliInProcess(['simulate', '--duration', '0'], { env: { PLATEWATCH_CWD: dir } });
    expect(code).toBe(2);
    expect(stderr).toContain('--duration "0" must be a number of at least 0.001');
  });

  it('follows a usage error with one line pointing to --help, once however many options are wrong (found by QA)', async () => {
    // In process: a usage error is found before any connection, and a process each took seconds.
    const run = (args: readonly string[]) => runCliInProcess(args, { env: { PLATEWATCH_CWD: dir } });
    expect(await run(['simulate', '--duration', '0'])).toMatchObject({
      code: 2, stderr: 'platewatch simulate: --duration "0" must be a number of at least 0.001\nRun "platewatch simulate --help" for usage.\n',
    });
    expect((await run(['simulate', '--rate', '0', '--cameras', '0'])).stderr.match(/--help/g)).toHaveLength(1);
    expect((await run(['simulate', 'extra'])).stderr).toBe('platewatch simulate: unexpected argument "extra"\nRun "platewatch simulate --help" for usage.\n');
    expect((await run(['simulate', '--agency', 'a.b'])).stderr).toBe('platewatch simulate: --agency "a.b" must be 1–64 characters of A-Za-z0-9_-\nRun "platewatch simulate --help" for usage.\n');
  }, 60_000);
});

describe('platewatch simulate: hot plates', () => {
  it('draws hot plates only from entries that can hit now, not from expired ones', async () => {
    const config = resolveMatcherConfig();
    await ensureStreams(await jetstreamManager(nats.nc));
    const entries = ([['7LIVE01', '2099-01-01'], ['7GONE01', '2020-01-01']] as const).map(([plate, expires]) => {
      const r = validateEntry({ plate, list: 'SVS', reason: 'Stolen', expires_at: expires }, config);
      if (!r.ok) throw new Error(r.reason);
      return r.entry;
    });
    await publishHotlist(await openHotlistStore(jetstream(nats.nc)), 'SVS', entries, 'test');
    const { code, stderr } = await run(['simulate', '--nats', nats.server.url, '--count', '5', '--hit-rate', '1', '--seed', '7']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('1 hot plates to draw from');
  }, 60_000);
});

describe('platewatch simulate: NATS failing', () => {
  it('counts only acknowledged reads, reports the failed ones with the first error, and exits 1 when nats-server stops mid-run (found by QA)', async () => {
    // A server of this test's own, stopped while the verb runs.
    const storeDir = join(dir, 'nats-stopped');
    const server = await startLocalNatsServer({ storeDir });
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm);
      const running = run(['simulate', '--nats', server.url, '--count', '1000', '--rate', '200', '--seed', '3']);
      while ((await jsm.streams.info(READS_STREAM)).state.messages < 100) await new Promise((resolve) => setTimeout(resolve, 20));
      await nc.close();
      await server.stop();
      const { code, stdout, stderr } = await running;
      expect(code, stderr).toBe(1);
      const counted = /^published (\d+) reads in \d+ messages over [\d.]+ s \(\d+ hot\); (\d+) reads failed\n$/.exec(stdout);
      expect(counted, stdout).not.toBeNull();
      const [published, failed] = [Number(counted![1]), Number(counted![2])];
      expect(published).toBeGreaterThanOrEqual(100);
      expect(failed).toBeGreaterThan(0);
      expect(published + failed).toBe(1000);
      expect(stderr).toContain(`platewatch simulate: ${failed} reads were not published (NATS did not acknowledge them; first error: `);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('says in one line what failed and what to check when JetStream refuses the hot list store, with no stack trace (found by QA)', async () => {
    // A nats-server without JetStream refuses the store as a full disk did ("error creating store for consumer").
    const probe = createServer();
    await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((closed) => probe.close(closed));
    const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    try {
      const url = `nats://127.0.0.1:${port}`;
      for (let tries = 0; ; tries++) {
        try {
          await (await connect({ servers: url })).close();
          break;
        } catch (error) {
          if (tries > 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const { code, stdout, stderr } = await run(['simulate', '--nats', url, '--count', '5']);
      expect(code, stderr).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^platewatch simulate: cannot read the hot lists from NATS \(JetStream\): .+\. Check the nats-server process and the free space on its store disk .*\n$/);
      expect(stderr.split('\n')).toHaveLength(2);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
