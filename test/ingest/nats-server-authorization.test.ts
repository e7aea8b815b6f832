// startLocalNatsServer with `authorization`: the users go into a 0600 config file given with -c,
// quoted so that no value is read as config syntax, while the command-line flags (store, port,
// ports file) still apply.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { natsServerConfigFile, NatsServerError, serverConfigText, startLocalNatsServer, type LocalNatsServer } from '../../ingest/index.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-nats-server-authorization-'));
const servers: LocalNatsServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('startLocalNatsServer with authorization', () => {
  it('requires the users, taking every character of a password literally, with their permissions, on the remembered port', async () => {
    const storeDir = join(dir, 'store');
    const password = 'p"a$HOME\\s} #w,o]rd\'';
    const start = { storeDir, portFile: join(dir, 'port'), authorization: { users: [{ user: 'ops user', password, publish: { allow: ['ok.>'] } }] } };
    const first = await startLocalNatsServer(start);
    servers.push(first);
    expect(statSync(natsServerConfigFile(storeDir)).mode & 0o777).toBe(0o600);
    await expect(connect({ servers: first.url, reconnect: false, timeout: 2_000 })).rejects.toThrow(/Authorization Violation/i);
    const nc = await connect({ servers: first.url, user: 'ops user', pass: password, reconnect: false });
    const jsm = await nc.request('$JS.API.INFO', undefined, { timeout: 2_000 }).catch((e: unknown) => e);
    expect(jsm, 'publish is limited to ok.>, so the JetStream API is refused').toBeInstanceOf(Error);
    await nc.close();
    await first.stop();
    servers.pop();

    const again = await startLocalNatsServer(start);
    servers.push(again);
    expect(again.port).toBe(first.port);
    const nc2 = await connect({ servers: again.url, user: 'ops user', pass: password, reconnect: false });
    await nc2.close();
  }, 60_000);

  it('refuses users it cannot write safely, or none at all', () => {
    const refused = (users: Parameters<typeof serverConfigText>[0]['users']): unknown => {
      try {
        serverConfigText({ users });
      } catch (error) {
        return error;
      }
      return null;
    };
    for (const users of [[], [{ user: 'a', password: '$2a$11$abc' }], [{ user: 'a', password: 'line\nbreak' }], [{ user: '', password: 'x' }]]) {
      expect(refused(users), JSON.stringify(users)).toMatchObject({ code: 'NATS_SERVER_BAD_AUTHORIZATION' });
      expect(refused(users)).toBeInstanceOf(NatsServerError);
    }
    expect(readFileSync(natsServerConfigFile(join(dir, 'store')), 'utf8')).toContain('authorization {');
  });
});
