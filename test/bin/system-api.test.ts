// How a storage verb decides to go through the running system (bin/system-api.ts): only for the `up`
// that holds the very embedded directory the verb would open, reached by loopback when it listens
// on every address; and what it says when that system is gone.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runningSystemUrl, signInToSystem } from '../../bin/system-api.js';

const dir = mkdtempSync(join(tmpdir(), 'platewatch-system-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data directory whose run file names `httpUrl`, written by this (running) process. */
function dataDirWith(name: string, httpUrl: string, storageDir?: string): string {
  const dataDir = join(dir, name);
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  writeFileSync(join(dataDir, 'run', 'platewatch.json'), JSON.stringify({
    natsUrl: 'nats://127.0.0.1:1', pid: process.pid, startedAt: new Date().toISOString(), httpUrl, storageDir: storageDir ?? join(dataDir, 'clickhouse'),
  }));
  return dataDir;
}

describe('runningSystemUrl', () => {
  it('names the gateway of the up holding the directory, by loopback when it listens on every address', async () => {
    const v4 = dataDirWith('v4', 'http://0.0.0.0:8080');
    expect(await runningSystemUrl({ dataDir: join(v4, 'clickhouse') })).toBe('http://127.0.0.1:8080');
    const v6 = dataDirWith('v6', 'http://[::]:8080');
    expect(await runningSystemUrl({ dataDir: join(v6, 'clickhouse') })).toBe('http://[::1]:8080');
    const named = dataDirWith('named', 'http://10.1.2.3:8080');
    expect(await runningSystemUrl({ dataDir: join(named, 'clickhouse') })).toBe('http://10.1.2.3:8080');
  });

  it('is none for a ClickHouse server, another directory, or no running system', async () => {
    const other = dataDirWith('other', 'http://127.0.0.1:8080', '/somewhere/else');
    expect(await runningSystemUrl({ dataDir: join(other, 'clickhouse') })).toBeUndefined();
    const server = dataDirWith('server', 'http://127.0.0.1:8080');
    expect(await runningSystemUrl({ dataDir: join(server, 'clickhouse'), url: 'http://clickhouse:8123' })).toBeUndefined();
    expect(await runningSystemUrl({ dataDir: join(dir, 'nothing', 'clickhouse') })).toBeUndefined();
  });
});

describe('signInToSystem', () => {
  /** A port just freed: nothing listens there. */
  const freePort = () => new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const password = { next: async () => 'a long enough passphrase' };

  it('says only that nothing answered at an address no run file named', async () => {
    const port = await freePort();
    const refused = await signInToSystem(`http://127.0.0.1:${port}`, 'ana1', password).then(() => new Error('signed in'), (error: unknown) => error as Error);
    expect(refused).toMatchObject({ name: 'VerbRefusal', message: expect.stringMatching(new RegExp(`^cannot reach the running platewatch at http://127\\.0\\.0\\.1:${port}: `)) });
    expect(refused.message).not.toMatch(/remove/);
  });

  it('calls the run file stale, to remove, only once its process is gone; while it runs, says to check it', async () => {
    const port = await freePort();
    const up = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const dataDir = join(dir, 'alive');
      mkdirSync(join(dataDir, 'run'), { recursive: true });
      const runFile = join(dataDir, 'run', 'platewatch.json');
      writeFileSync(runFile, JSON.stringify({ natsUrl: 'nats://127.0.0.1:1', pid: up.pid, startedAt: new Date().toISOString(), httpUrl: `http://127.0.0.1:${port}`, storageDir: join(dataDir, 'clickhouse') }));
      const url = await runningSystemUrl({ dataDir: join(dataDir, 'clickhouse') });
      expect(url).toBe(`http://127.0.0.1:${port}`);

      const alive = await signInToSystem(url as string, 'ana1', password).then(() => new Error('signed in'), (error: unknown) => error as Error);
      expect(alive.message).toContain(`its process (pid ${up.pid}) is still running but did not answer: check its log`);
      expect(alive.message).not.toMatch(/is stale|: remove it/);

      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGKILL');
      await exited;
      const gone = await signInToSystem(url as string, 'ana1', password).then(() => new Error('signed in'), (error: unknown) => error as Error);
      expect(gone.message).toContain(`its process (pid ${up.pid}) is no longer running, so its run file ${runFile} is stale: remove it`);
    } finally {
      up.kill('SIGKILL');
    }
  });
});
