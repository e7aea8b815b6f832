// The embedded NATS server: spawns Debian's `nats-server` with JetStream, its store under the data
// directory, on a free or given loopback port. Used by `platewatch up` when no NATS_URL is set, and
// by every integration test (each gets its own server and store).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_NATS_BINARY = 'nats-server';
const START_TIMEOUT_MS = 10_000;

export interface LocalNatsServerOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default DEFAULT_NATS_BINARY */
  binary?: string;
}

export interface LocalNatsServer {
  url: string;
  port: number;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it at once, as a crash would (fault tests). */
  kill(): Promise<void>;
}

export class NatsServerError extends Error {
  readonly code: 'NATS_SERVER_MISSING' | 'NATS_SERVER_START_FAILED';

  constructor(code: NatsServerError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsServerError';
    this.code = code;
  }
}

export async function startLocalNatsServer(options: LocalNatsServerOptions): Promise<LocalNatsServer> {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? DEFAULT_NATS_BINARY;
  const portsDir = join(options.storeDir, '.ports');
  await mkdir(portsDir, { recursive: true });
  for (const stale of await readdir(portsDir)) await rm(join(portsDir, stale), { force: true });
  const args = ['-js', '-sd', options.storeDir, '-a', host, '-p', String(options.port && options.port > 0 ? options.port : -1), '--ports_file_dir', portsDir];
  // Its own process group: a Ctrl-C in the terminal reaches platewatch alone, which finishes its
  // in-flight reads and then stops this server; in the terminal's group the server died first.
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, exited.then((code) => new Error(`exited with code ${code}`)), sleep(50).then(() => null)]);
    if (failed !== null) {
      const missing = (failed as NodeJS.ErrnoException).code === 'ENOENT';
      throw new NatsServerError(
        missing ? 'NATS_SERVER_MISSING' : 'NATS_SERVER_START_FAILED',
        missing
          ? `"${binary}" was not found: install Debian's nats-server package (apt-get install -y nats-server) or set NATS_URL`
          : `nats-server failed to start (${failed.message}): ${stderr.trim()}`,
        { cause: failed },
      );
    }
    const url = await readPortsFile(portsDir, child.pid ?? -1);
    if (url !== null) {
      return {
        url,
        port: Number(new URL(url).port),
        pid: child.pid ?? -1,
        stop: () => stopProcess(child, exited, 'SIGTERM'),
        kill: () => stopProcess(child, exited, 'SIGKILL'),
      };
    }
  }
  child.kill('SIGKILL');
  throw new NatsServerError('NATS_SERVER_START_FAILED', `nats-server did not report its port within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
}

async function readPortsFile(dir: string, pid: number): Promise<string | null> {
  try {
    const text = await readFile(join(dir, `nats-server_${pid}.ports`), 'utf8');
    const ports = JSON.parse(text) as { nats?: string[] };
    return ports.nats?.[0] ?? null;
  } catch {
    return null; // not written yet
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  // Unref: the grace timer alone must not keep a finished process alive for its 5 s.
  const done = await Promise.race([exited.then(() => true), sleep(5_000, undefined, { ref: false }).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
