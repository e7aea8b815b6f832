// A running embedded nats-server's errors and refused clients, relayed into platewatch's log and
// /metrics (ingest/nats-server-log-relay.ts), against one real server that requires users.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry, NatsServerLogRelay, startLocalNatsServer, type LocalNatsServer, type NatsServerAuthorization, type NatsServerLogRelayOptions } from '../../ingest/index.js';

const AUTHORIZATION: NatsServerAuthorization = {
  accounts: [
    { name: 'SYSTEM', jetstream: true, users: [{ user: 'platewatch', password: 'system-password-0123' }] },
    { name: 'CAMERAS', users: [{ user: 'camera', password: 'camera-password-0123', publish: { allow: ['alpr.reads.>'] }, subscribe: { allow: ['_INBOX.>'] } }] },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-server-log-relay-'));
let server: LocalNatsServer;
/** Each test relays the server's lines to a relay of its own. */
let relay: NatsServerLogRelay | undefined;

beforeAll(async () => {
  server = await startLocalNatsServer({ storeDir: join(dir, 'store'), authorization: AUTHORIZATION, logLines: (line) => relay?.take(line) });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type LogLine = { level: number; msg: string; user?: string | null; remote?: string | null; skipped?: number };

function newRelay(options: Partial<NatsServerLogRelayOptions> = {}): { relay: NatsServerLogRelay; registry: MetricsRegistry; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const registry = new MetricsRegistry();
  relay = new NatsServerLogRelay({ logger, registry, ...options });
  return { relay, registry, lines };
}

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !probe(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

async function connectAsCamera(password: string): Promise<void> {
  const nc = await connect({ servers: server.url, user: 'camera', pass: password, reconnect: false, name: 'cam-7' });
  await nc.close();
}

describe('NatsServerLogRelay', () => {
  it('counts a camera refused for a wrong password in /metrics and logs it naming the user and its address', async () => {
    const { registry, lines } = newRelay();
    await expect(connectAsCamera('wrong-password')).rejects.toThrow(/Authorization Violation/i);
    await until('the refusal logged', () => lines.length > 0);
    expect(await registry.render()).toContain('platewatch_nats_auth_failures_total 1\n');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: 40, user: 'camera', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown });
    expect(line?.msg).toMatch(/^nats-server refused user "camera" from 127\.0\.0\.1:\d+ \(v[\d.]+:nats\.js:cam-7\): no such user, or a wrong or missing password/);
  });

  it('logs the first refusals of a flood one by one, then how many more, and counts them all', async () => {
    const { relay, registry, lines } = newRelay({ authFailuresPerWindow: 2 });
    for (let i = 0; i < 5; i++) await expect(connectAsCamera(`wrong-${i}`)).rejects.toThrow(/Authorization Violation/i);
    await until('five refusals counted', () => relay.authFailures.get() === 5);
    relay.close();
    expect(lines.filter((l) => l.msg.startsWith('nats-server refused user "camera"'))).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ level: 40, skipped: 3 });
    expect(lines.at(-1)?.msg).toMatch(/^… and 3 more clients refused by nats-server for their credentials within 1 minute/);
    expect(await registry.render()).toContain('platewatch_nats_auth_failures_total 5\n');
  });

  it("logs the server's own errors while running at error level, with its text, and counts them", async () => {
    const { relay, lines } = newRelay();
    const nc = await connect({ servers: server.url, user: 'camera', pass: 'camera-password-0123', reconnect: false });
    try {
      nc.publish('alpr.hits.forged', 'not allowed');
      await nc.flush();
      await until('the violation logged', () => lines.length > 0);
    } finally {
      await nc.close();
    }
    expect(lines[0]?.level).toBe(50);
    expect(lines[0]?.msg).toMatch(/^nats-server: 127\.0\.0\.1:\d+ - cid:\d+ - .*Publish Violation.*alpr\.hits\.forged/);
    expect(relay.serverProblems.get({ level: 'error' })).toBe(1);
    expect(relay.authFailures.get()).toBe(0);
  });
});
