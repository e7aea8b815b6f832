import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsServerError, startLocalNatsServer } from '../../ingest/index.js';
import { isRunning } from '../fixtures/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-'));
/** Servers started outside this process, killed at the end whatever the tests did. */
const strays = new Set<number>();
afterAll(() => {
  for (const pid of strays) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});


async function waitGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/**
 * Another process that starts a server on `storeDir` and prints its pid, then ends as `then` says:
 * 'wait' until killed, 'crash' with an uncaught exception, 'exit' with process.exit(3).
 */
async function serverInAnotherProcess(storeDir: string, then: 'wait' | 'crash' | 'exit'): Promise<{ serverPid: number; kill(): void; exited: Promise<number | null> }> {
  const script = join(dir, `starter-${then}.mts`);
  writeFileSync(
    script,
    `import { startLocalNatsServer } from ${JSON.stringify(join(ROOT, 'ingest/index.ts'))};\n` +
      `const server = await startLocalNatsServer({ storeDir: process.argv[2] });\n` +
      `process.stdout.write(server.pid + '\\n');\n` +
      ({ wait: 'setInterval(() => {}, 1000);', crash: "setTimeout(() => { throw new Error('crash'); }, 50);", exit: 'setTimeout(() => process.exit(3), 50);' })[then] + '\n',
  );
  const child = spawn('node', ['--import', 'tsx', script, storeDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const serverPid = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    void exited.then(() => reject(new Error(`the starter exited before its server was up: ${err}`)));
  });
  strays.add(serverPid);
  return { serverPid, kill: () => child.kill('SIGKILL'), exited };
}

describe('embedded nats-server', () => {
  it('starts on a free loopback port with JetStream and stops', async () => {
    const server = await startLocalNatsServer({ storeDir: join(dir, 'a') });
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: server.url });
    const info = nc.info;
    expect(info?.jetstream).toBe(true);
    await nc.close();
    await server.stop();
    await expect(connect({ servers: server.url, reconnect: false, timeout: 500 })).rejects.toThrow();
  });

  it('says how to install nats-server when the binary is missing', async () => {
    const failure = startLocalNatsServer({ storeDir: join(dir, 'b'), binary: 'nats-server-that-does-not-exist' });
    await expect(failure).rejects.toBeInstanceOf(NatsServerError);
    await expect(failure).rejects.toMatchObject({ code: 'NATS_SERVER_MISSING', message: expect.stringMatching(/apt-get install -y nats-server/) });
  });

  it('says a port another program holds is in use, cause first, then nats-server\'s fatal line (found by QA)', async () => {
    const held = createServer();
    await new Promise<void>((resolve) => held.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (held.address() as AddressInfo).port;
    try {
      const failure = startLocalNatsServer({ storeDir: join(dir, 'd'), port, portName: 'PLATEWATCH_NATS_PORT' });
      await expect(failure).rejects.toMatchObject({ code: 'NATS_SERVER_PORT_IN_USE', port });
      const lines = ((await failure.catch((error: unknown) => error)) as Error).message.split('\n');
      expect(lines).toEqual([
        `port ${port} (PLATEWATCH_NATS_PORT) is in use by another program (set another, or 0 for a free one)`,
        `nats-server: [FTL] Error listening on port: 127.0.0.1:${port}, "listen tcp 127.0.0.1:${port}: bind: address already in use"`,
      ]);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
    // Another nats-server on it, without a name for where the port was set.
    const first = await startLocalNatsServer({ storeDir: join(dir, 'c') });
    try {
      await expect(startLocalNatsServer({ storeDir: join(dir, 'd'), port: first.port })).rejects.toThrow(`port ${first.port} is in use by another program`);
    } finally {
      await first.stop();
    }
  });

  it('reports a server that cannot start with its fatal line first and a few lines of its log, not all 35', async () => {
    const failure = startLocalNatsServer({ storeDir: join(dir, 'g'), host: 'notahost.invalid' });
    await expect(failure).rejects.toMatchObject({ code: 'NATS_SERVER_START_FAILED' });
    const lines = ((await failure.catch((error: unknown) => error)) as Error).message.split('\n');
    expect(lines[0]).toMatch(/^nats-server failed to start \(exited with code 1\): \[FTL\] Error listening on port: notahost\.invalid:0, "listen tcp: lookup notahost\.invalid/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(4);
    // Without the pid and time nats-server puts before each line.
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\[(INF|WRN|ERR)\] /);
  });

  it('refuses a second server on a store whose server is in use, naming its pid', async () => {
    const first = await startLocalNatsServer({ storeDir: join(dir, 'e') });
    try {
      const second = startLocalNatsServer({ storeDir: join(dir, 'e') });
      await expect(second).rejects.toMatchObject({ code: 'NATS_SERVER_STORE_IN_USE' });
      await expect(second).rejects.toThrow(`nats-server pid ${first.pid}, started by process ${process.pid}, which is still running`);
      expect(isRunning(first.pid)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  it('refuses a store that a nats-server it did not start is running on, and leaves that server alone', async () => {
    const storeDir = join(dir, 'f');
    const foreign = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', '-1'], { stdio: 'ignore' });
    const pid = foreign.pid as number;
    strays.add(pid);
    try {
      await new Promise((r) => setTimeout(r, 300));
      await expect(startLocalNatsServer({ storeDir })).rejects.toMatchObject({
        code: 'NATS_SERVER_STORE_IN_USE',
        message: expect.stringContaining(`a nats-server not started by platewatch (pid ${pid}) is running on the store ${storeDir}`),
      });
      expect(isRunning(pid)).toBe(true);
    } finally {
      foreign.kill('SIGKILL');
    }
  });

  it('stops a server left running by a process that was killed, then starts on the store', async () => {
    const storeDir = join(dir, 'g');
    const starter = await serverInAnotherProcess(storeDir, 'wait');
    starter.kill(); // SIGKILL: nothing of the starter runs, its server stays (its own process group)
    await starter.exited;
    expect(isRunning(starter.serverPid)).toBe(true);

    const server = await startLocalNatsServer({ storeDir });
    try {
      expect(server.leftoversStopped).toEqual([starter.serverPid]);
      expect(isRunning(starter.serverPid)).toBe(false);
      const nc = await connect({ servers: server.url });
      expect(nc.info?.jetstream).toBe(true);
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it('listens again on the port remembered in portFile when it is free, and on another one, saying so, when it is taken', async () => {
    const storeDir = join(dir, 'remembered');
    const portFile = join(storeDir, 'platewatch.port');
    const first = await startLocalNatsServer({ storeDir, portFile });
    try {
      expect(first.rememberedPortTaken).toBeNull();
    } finally {
      await first.stop();
    }
    expect(readFileSync(portFile, 'utf8')).toBe(`${first.port}\n`);

    const again = await startLocalNatsServer({ storeDir, portFile });
    try {
      expect(again.port).toBe(first.port);
      expect(again.rememberedPortTaken).toBeNull();
    } finally {
      await again.stop();
    }

    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: first.port }, resolve));
    try {
      const moved = await startLocalNatsServer({ storeDir, portFile });
      try {
        expect(moved.port).not.toBe(first.port);
        expect(moved.rememberedPortTaken).toBe(first.port);
        expect(readFileSync(portFile, 'utf8')).toBe(`${moved.port}\n`);
      } finally {
        await moved.stop();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('kills its server when the process that started it crashes or calls process.exit', async () => {
    for (const then of ['crash', 'exit'] as const) {
      const starter = await serverInAnotherProcess(join(dir, `h-${then}`), then);
      expect(await starter.exited).toBe(then === 'crash' ? 1 : 3);
      expect(await waitGone(starter.serverPid), `the server of a starter that ended by ${then}`).toBe(true);
    }
  });
});
