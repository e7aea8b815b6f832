// Whether a NATS connection is connected (ingest/nats-connection.ts), against a real nats-server
// killed with SIGKILL and started again on its port: `isClosed()` alone stays false throughout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsConnectionWatch, startLocalNatsServer } from '../../ingest/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-connection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('NatsConnectionWatch', () => {
  it('says disconnected, naming the server and since when, while the server is gone, and connected again after the reconnect', async () => {
    const storeDir = join(dir, 'nats');
    const server = await startLocalNatsServer({ storeDir });
    let again: Awaited<ReturnType<typeof startLocalNatsServer>> | undefined;
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    let watching: NatsConnectionWatch | undefined;
    try {
      const watch = new NatsConnectionWatch(nc);
      watching = watch;
      expect(watch.state()).toEqual({ state: 'connected', server: `127.0.0.1:${server.port}` });
      expect(watch.problem()).toBeNull();

      const killedAt = Date.now();
      await server.kill();
      await until('the watch to see the disconnect', () => !watch.isConnected(), 5_000);
      expect(nc.isClosed()).toBe(false); // what /healthz read before: still "not closed"
      const down = watch.state();
      expect(down).toMatchObject({ state: 'disconnected', server: `127.0.0.1:${server.port}` });
      expect(down.state === 'disconnected' && down.since).toBeGreaterThanOrEqual(killedAt - 1);
      expect(watch.problem()).toMatch(new RegExp(`^NATS not connected: lost 127\\.0\\.0\\.1:${server.port} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; reconnecting$`));

      again = await startLocalNatsServer({ storeDir, port: server.port });
      await until('the reconnect', () => watch.isConnected());
      expect(watch.problem()).toBeNull();

      await nc.close();
      expect(watch.state()).toEqual({ state: 'closed' });
      expect(watch.problem()).toBe('NATS connection closed');
    } finally {
      watching?.stop();
      if (!nc.isClosed()) await nc.close();
      await server.stop();
      await again?.stop();
    }
  }, 60_000);
});
