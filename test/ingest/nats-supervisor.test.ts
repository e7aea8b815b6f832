// The embedded nats-server's supervision (ingest/nats-supervisor.ts), against real servers killed
// with SIGKILL: restarted on the same port and store, a bounded number of times, then `failed`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalNatsServer, superviseNatsServer } from '../../ingest/index.js';
import { isRunning } from '../fixtures/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-supervisor-'));
const pids = new Set<number>();
afterAll(() => {
  for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Log lines as objects: what the supervisor said, and at which level. */
function recordingLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('supervised embedded nats-server', () => {
  it('restarts a server killed with SIGKILL on the same port and store, logging an error, and clients reconnect by themselves', async () => {
    const start = { storeDir: join(dir, 'restart') };
    const first = await startLocalNatsServer(start);
    pids.add(first.pid);
    const { logger, lines } = recordingLogger();
    const server = superviseNatsServer(first, { start, logger, restartDelayMs: 100 });
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
      await jetstream(nc).publish('kept.a', 'before the crash');

      process.kill(first.pid, 'SIGKILL');
      const restartedPid = await until('a restarted server', () => (server.pid !== first.pid ? server.pid : undefined));
      pids.add(restartedPid);
      expect(server.restarts).toBe(1);
      expect(server.url).toBe(first.url);
      const restart = lines.find((l) => l.msg.includes('restarting it on the same port and store'));
      expect(restart?.level).toBe(50); // error
      expect(restart?.msg).toMatch(/^embedded nats-server was killed \(SIGKILL\); restarting it on the same port and store in 100 ms \(restart 1 of 3 allowed within 10 minutes\)/);

      // The same client, reconnected by itself to the same URL, finds what JetStream kept on disk.
      const info = await (async () => {
        for (const deadline = Date.now() + 20_000; ; ) {
          try {
            return await jsm.streams.info('KEPT');
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      })();
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
      await server.stop();
    }
    expect(isRunning(server.pid)).toBe(false);
  }, 60_000);

  it('gives up after the allowed restarts within the window: failed settles with NATS_SERVER_DIED and nothing is left running', async () => {
    const start = { storeDir: join(dir, 'give-up') };
    const first = await startLocalNatsServer(start);
    pids.add(first.pid);
    const { logger, lines } = recordingLogger();
    const server = superviseNatsServer(first, { start, logger, restartDelayMs: 50, maxRestarts: 2 });
    let failed: Error | undefined;
    void server.failed.then((error) => (failed = error));
    try {
      for (let kill = 1; kill <= 3; kill++) {
        const pid = server.pid;
        pids.add(pid);
        process.kill(pid, 'SIGKILL');
        if (kill <= 2) await until(`restart ${kill}`, () => server.pid !== pid);
      }
      const error = await until('giving up', () => failed);
      expect(error).toMatchObject({ code: 'NATS_SERVER_DIED' });
      expect(error.message).toContain(`the embedded nats-server on ${first.url} (store ${start.storeDir}) is down for good: was killed (SIGKILL), after 2 restarts within 10 minutes`);
      expect(lines.filter((l) => l.level === 50 && l.msg.includes('restarting it'))).toHaveLength(2);
      expect(lines.some((l) => l.msg === 'embedded nats-server not restarted again: giving up')).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(server.restarts).toBe(2);
      for (const pid of pids) if (pid !== first.pid) expect(isRunning(pid)).toBe(false);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('does not restart a server it was asked to stop', async () => {
    const start = { storeDir: join(dir, 'stop') };
    const first = await startLocalNatsServer(start);
    pids.add(first.pid);
    const { logger, lines } = recordingLogger();
    const server = superviseNatsServer(first, { start, logger, restartDelayMs: 50 });
    await server.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.restarts).toBe(0);
    expect(isRunning(first.pid)).toBe(false);
    expect(lines).toEqual([]);
  });
});
