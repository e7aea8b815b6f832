import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsServerError, startLocalNatsServer } from '../../ingest/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('reports a server that cannot start, with its own words', async () => {
    const first = await startLocalNatsServer({ storeDir: join(dir, 'c') });
    try {
      await expect(startLocalNatsServer({ storeDir: join(dir, 'd'), port: first.port })).rejects.toMatchObject({ code: 'NATS_SERVER_START_FAILED' });
    } finally {
      await first.stop();
    }
  });
});
