// startLocalNatsServer with `authorization`: accounts and users go into a 0600 config file given
// with -c, quoted so that no value is read as config syntax, while the command-line flags (store,
// port, ports file) still apply; a user in an account without JetStream reaches another account's
// subjects only through a service import, where the reply subject it names is rewritten.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  natsServerConfigFile, NatsServerError, serverConfigText, startLocalNatsServer, type LocalNatsServer, type NatsServerAccount, type NatsServerAuthorization,
} from '../../ingest/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-server-authorization-'));
const servers: LocalNatsServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const OPS_PASSWORD = 'p"a$HOME\\s} #w,o]rd\'';
const SENDER_PASSWORD = 'sender-password-0123456789';
/** An operator's account with JetStream, and senders who may only put messages on `in.>` through an import. */
const AUTHORIZATION: NatsServerAuthorization = {
  accounts: [
    { name: 'OPS', jetstream: true, users: [{ user: 'ops user', password: OPS_PASSWORD }], exportServices: ['in.>'] },
    { name: 'SENDERS', users: [{ user: 'sender', password: SENDER_PASSWORD, publish: { allow: ['in.>'] }, subscribe: { allow: ['_INBOX.>'] } }], importServices: [{ account: 'OPS', subject: 'in.>' }] },
  ],
};

describe('startLocalNatsServer with authorization', () => {
  it('requires the users, taking every character of a password literally, on the remembered port', async () => {
    const storeDir = join(dir, 'store');
    const start = { storeDir, portFile: join(dir, 'port'), authorization: AUTHORIZATION };
    const first = await startLocalNatsServer(start);
    servers.push(first);
    expect(first.movedGlobalStore).toBeNull();
    expect(statSync(natsServerConfigFile(storeDir)).mode & 0o777).toBe(0o600);
    await expect(connect({ servers: first.url, reconnect: false, timeout: 2_000 })).rejects.toThrow(/Authorization Violation/i);
    const nc = await connect({ servers: first.url, user: 'ops user', pass: OPS_PASSWORD, reconnect: false });
    await nc.close();
    await first.stop();
    servers.pop();

    const again = await startLocalNatsServer(start);
    servers.push(again);
    expect(again.port).toBe(first.port);
    const nc2 = await connect({ servers: again.url, user: 'ops user', pass: OPS_PASSWORD, reconnect: false });
    await nc2.close();
  }, 60_000);

  it("acknowledges a sender's publish into the operator's stream, and a reply subject it names cannot reach the operator's JetStream", async () => {
    const server = servers[servers.length - 1] as LocalNatsServer;
    const ops = await connect({ servers: server.url, user: 'ops user', pass: OPS_PASSWORD, reconnect: false });
    const sender = await connect({ servers: server.url, user: 'sender', pass: SENDER_PASSWORD, reconnect: false });
    try {
      const jsm = await jetstreamManager(ops);
      await jsm.streams.add({ name: 'IN', subjects: ['in.>'] });
      await jsm.streams.add({ name: 'PRECIOUS', subjects: ['precious.>'] });
      await jetstream(ops).publish('precious.one', 'keep me');
      const ack = await jetstream(sender).publish('in.a', 'read 1');
      expect(ack).toMatchObject({ stream: 'IN', seq: 1 });
      // The attack: the server's ack, sent to the reply subject the sender chose. In the operator's
      // own account, "$JS.API.STREAM.PURGE.PRECIOUS" purged the stream, "precious.x" stored the ack.
      for (const reply of ['$JS.API.STREAM.PURGE.PRECIOUS', 'precious.x', '$JS.API.STREAM.DELETE.PRECIOUS']) sender.publish('in.b', 'read', { reply });
      await sender.flush();
      await new Promise((r) => setTimeout(r, 500));
      expect((await jsm.streams.info('PRECIOUS')).state.messages).toBe(1);
      expect((await jsm.streams.info('IN')).state.messages).toBe(4);
      // A sender sees nothing of the operator's account, nor may it use JetStream of its own.
      await expect(sender.request('$JS.API.INFO', undefined, { timeout: 1_000 })).rejects.toThrow();
    } finally {
      await sender.close();
      await ops.close();
    }
  }, 60_000);

  it("moves a store written without accounts to the JetStream account's, its streams kept", async () => {
    const storeDir = join(dir, 'global-store');
    mkdirSync(storeDir, { recursive: true });
    const plain = await startLocalNatsServer({ storeDir });
    servers.push(plain);
    const nc = await connect({ servers: plain.url, reconnect: false });
    await (await jetstreamManager(nc)).streams.add({ name: 'OLD', subjects: ['old.>'] });
    await jetstream(nc).publish('old.a', 'from before');
    await nc.close();
    await plain.stop();
    servers.pop();

    const accounts = await startLocalNatsServer({ storeDir, authorization: AUTHORIZATION });
    servers.push(accounts);
    expect(accounts.movedGlobalStore).toBe('OPS');
    const ops = await connect({ servers: accounts.url, user: 'ops user', pass: OPS_PASSWORD, reconnect: false });
    expect((await (await jetstreamManager(ops)).streams.info('OLD')).state.messages).toBe(1);
    await ops.close();
  }, 60_000);

  it('refuses accounts and users it cannot write safely', () => {
    const refused = (authorization: NatsServerAuthorization): unknown => {
      try {
        serverConfigText(authorization);
      } catch (error) {
        return error;
      }
      return null;
    };
    const ops = (users: NatsServerAccount['users'], more: Partial<NatsServerAccount> = {}): NatsServerAccount => ({ name: 'OPS', jetstream: true, users, ...more });
    const cases: NatsServerAuthorization[] = [
      { accounts: [] },
      { accounts: [ops([])] },
      { accounts: [ops([{ user: 'a', password: '$2a$11$abc' }])] },
      { accounts: [ops([{ user: 'a', password: 'line\nbreak' }])] },
      { accounts: [ops([{ user: '', password: 'x' }])] },
      { accounts: [{ ...ops([{ user: 'a', password: 'x' }]), jetstream: false }] },
      { accounts: [ops([{ user: 'a', password: 'x' }]), ops([{ user: 'b', password: 'y' }])] },
      { accounts: [ops([{ user: 'a', password: 'x' }], { name: '$G' })] },
      { accounts: [ops([{ user: 'a', password: 'x' }], { importServices: [{ account: 'NOPE', subject: 'x' }] })] },
    ];
    for (const authorization of cases) {
      expect(refused(authorization), JSON.stringify(authorization)).toMatchObject({ code: 'NATS_SERVER_BAD_AUTHORIZATION' });
      expect(refused(authorization)).toBeInstanceOf(NatsServerError);
    }
    expect(readFileSync(natsServerConfigFile(join(dir, 'store')), 'utf8')).toContain('accounts {');
  });
});
