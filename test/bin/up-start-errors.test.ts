// What `platewatch up` says when it cannot start: the cause first, naming the setting to change
// (found by QA: a taken NATS port was a screenful of nats-server log with the cause last, and a
// host that does not resolve was reported as a port in use). Real nats-server, real sockets.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-up-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('platewatch up: start-up errors', () => {
  it('says a PLATEWATCH_NATS_PORT held by another program is in use, cause first, with nats-server\'s fatal line and not its whole log', async () => {
    const { server, port } = await listening();
    try {
      const run = await runCli(['up'], {
        env: { PLATEWATCH_DATA_DIR: join(dir, 'nats-port'), PLATEWATCH_NATS_PORT: String(port), PLATEWATCH_HTTP_PORT: '0', PLATEWATCH_LOG_LEVEL: 'warn' },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toEqual([
        `platewatch up: could not start [NATS_SERVER_PORT_IN_USE]: port ${port} (PLATEWATCH_NATS_PORT) is in use by another program (set another, or 0 for a free one)`,
        `nats-server: [FTL] Error listening on port: 127.0.0.1:${port}, "listen tcp 127.0.0.1:${port}: bind: address already in use"`,
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says a host name that does not resolve does not resolve, naming PLATEWATCH_HTTP_HOST, before starting anything', async () => {
    const dataDir = join(dir, 'host');
    // .invalid never resolves (RFC 6761).
    const run = await runCliInProcess(['up'], { env: { PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_HTTP_HOST: 'notahost.invalid' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'platewatch up: could not start [LISTEN_HOST_UNRESOLVED]: PLATEWATCH_HTTP_HOST "notahost.invalid" does not resolve (ENOTFOUND): give an address of this machine, or 0.0.0.0 for all\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says an address of another machine is not one of this machine, naming gateway.host when the config file set it', async () => {
    const dataDir = join(dir, 'address');
    const file = join(dir, 'host.json');
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine's address.
    writeFileSync(file, JSON.stringify({ gateway: { host: '192.0.2.7' } }));
    const fromFile = await runCliInProcess(['up', '--config', file], { env: { PLATEWATCH_DATA_DIR: dataDir } });
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toBe('platewatch up: could not start [LISTEN_HOST_NOT_LOCAL]: gateway.host "192.0.2.7" is not an address of this machine: give one of its own, or 0.0.0.0 for all\n');
    const fromEnv = await runCliInProcess(['up', '--config', file], { env: { PLATEWATCH_DATA_DIR: dataDir, PLATEWATCH_HTTP_HOST: '192.0.2.8' } });
    expect(fromEnv.stderr).toContain('PLATEWATCH_HTTP_HOST "192.0.2.8" is not an address of this machine');
    expect(existsSync(dataDir)).toBe(false);
  });
});
