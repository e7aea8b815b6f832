// NATS with authorization, as a department runs it: the credentials in NATS_URL's user part
// (`user:password@`, `token@`) or in NATS_USER / NATS_PASSWORD / NATS_TOKEN reach the client, which
// otherwise connected with none and was refused; a URL is never shown with its secret. Real
// nats-server processes started with --user/--pass and --auth.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../bin/config.js';
import { startSystem } from '../../bin/system.js';
import { resolveMatcherConfig } from '../../matcher/index.js';
import { connectToSystem } from '../../bin/runtime.js';
import { natsConnectOptions, redactNatsUrl } from '../../ingest/index.js';

const servers: ChildProcess[] = [];
const storeDir = mkdtempSync(join(tmpdir(), 'platewatch-nats-auth-store-'));
let userPort = 0;
let tokenPort = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function natsServer(args: string[]): Promise<number> {
  const port = await freePort();
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${seen}`)), 10_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return port;
}

beforeAll(async () => {
  userPort = await natsServer(['--user', 'alpr', '--pass', 'p@ss:word', '-js', '-sd', storeDir]);
  tokenPort = await natsServer(['--auth', 's3cret-token']);
}, 30_000);

afterAll(() => {
  for (const child of servers) child.kill('SIGKILL');
  rmSync(storeDir, { recursive: true, force: true });
});

/** `connectToSystem` for a verb with `env` as its environment: whether it connected, and what it wrote. */
async function verbConnects(env: Record<string, string>): Promise<{ connected: boolean; stderr: string }> {
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (c: Buffer) => (written += c.toString()));
  const config = await loadConfig({ env });
  const nc = await connectToSystem('simulate', config, { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env, cwd: '/' }, undefined);
  await nc?.close();
  return { connected: nc !== null, stderr: written };
}

describe('NATS with authorization', () => {
  it('connects with the user and password in NATS_URL, percent-encoded, and shows the URL without them', async () => {
    const url = `nats://alpr:${encodeURIComponent('p@ss:word')}@127.0.0.1:${userPort}`;
    expect(await verbConnects({ NATS_URL: url })).toEqual({ connected: true, stderr: '' });
    const refused = await verbConnects({ NATS_URL: `nats://alpr:wrong@127.0.0.1:${userPort}` });
    expect(refused.connected).toBe(false);
    expect(refused.stderr).toMatch(/cannot reach NATS at nats:\/\/\*\*\*@127\.0\.0\.1:\d+: .*[Aa]uthoriz/);
    expect(refused.stderr).not.toContain('wrong');
  });

  it('connects with NATS_USER and NATS_PASSWORD, or NATS_TOKEN, which win over the URL', async () => {
    expect((await verbConnects({ NATS_URL: `nats://127.0.0.1:${userPort}`, NATS_USER: 'alpr', NATS_PASSWORD: 'p@ss:word' })).connected).toBe(true);
    expect((await verbConnects({ NATS_URL: `nats://nobody:nothing@127.0.0.1:${userPort}`, NATS_USER: 'alpr', NATS_PASSWORD: 'p@ss:word' })).connected).toBe(true);
    expect((await verbConnects({ NATS_URL: `nats://127.0.0.1:${tokenPort}`, NATS_TOKEN: 's3cret-token' })).connected).toBe(true);
    expect((await verbConnects({ NATS_URL: `nats://s3cret-token@127.0.0.1:${tokenPort}` })).connected).toBe(true);
    expect((await verbConnects({ NATS_URL: `nats://127.0.0.1:${tokenPort}` })).connected).toBe(false);
  });

  it('starts the system on a NATS server that asks for a user and password, given in the URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'platewatch-nats-auth-'));
    try {
      const system = await startSystem({
        dataDir, natsUrl: `nats://alpr:${encodeURIComponent('p@ss:word')}@127.0.0.1:${userPort}`, matcher: resolveMatcherConfig(),
        logger: pino({ level: 'silent' }), gateway: false, pipeline: false,
      });
      await system.nc.flush();
      await system.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes every URL of a cluster without its user part, and the first one\'s credentials', () => {
    expect(natsConnectOptions('nats://u:p@a:4222, nats://b:4222')).toEqual({ servers: ['nats://a:4222', 'nats://b:4222'], user: 'u', pass: 'p' });
    expect(natsConnectOptions('nats://tok@a:4222')).toEqual({ servers: ['nats://a:4222'], token: 'tok' });
    expect(() => natsConnectOptions('nats://a:4222', { credsFile: '/nonexistent/x.creds' })).toThrow(/cannot read the NATS credentials file \/nonexistent\/x\.creds/);
  });

  it('never shows a secret in a URL it prints', () => {
    expect(redactNatsUrl('nats://u:p@a:4222,nats://tok@b:4222,nats://c:4222')).toBe('nats://***@a:4222,nats://***@b:4222,nats://c:4222');
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
