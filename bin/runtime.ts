// How CLI verbs find a running system: `platewatch up` writes DATA_DIR/run/platewatch.json with
// its NATS URL and pid; `hotlist load`, `simulate` and friends read it unless NATS_URL is set.
// The embedded nats-server requires a user: the run file names its users file, and a verb connects
// with the system's credentials from it (the operator running the verb can read the data directory
// anyway), or a camera's when it only plays cameras.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions, redactNatsUrl } from '../ingest/index.js';
import type { PlatewatchConfig } from './config.js';
import { cameraConnectOptions, readEmbeddedNatsAuth, systemConnectOptions } from './embedded-nats-auth.js';
import type { VerbIO } from './verb.js';

export interface RuntimeInfo {
  natsUrl: string;
  /**
   * The embedded nats-server's users file (DATA_DIR/nats/auth.json), absolute. Absent with
   * NATS_URL: a verb is given that server's credentials as `up` was (NATS_USER…).
   */
  natsAuthFile?: string;
  pid: number;
  startedAt: string;
  /** The gateway's base URL, when it runs one: storage verbs go through its API (bin/system-api.ts). */
  httpUrl?: string;
  /** The embedded chDB directory it holds open, absolute; absent with a ClickHouse server. */
  storageDir?: string;
  /** Whether any user was registered at its start (embedded storage only): `users add` says why it needs --as (bin/system-api.ts). */
  hasUsers?: boolean;
}

export function runtimeFile(dataDir: string): string {
  return join(dataDir, 'run', 'platewatch.json');
}

export async function writeRuntime(dataDir: string, info: RuntimeInfo): Promise<void> {
  await mkdir(join(dataDir, 'run'), { recursive: true });
  await writeFile(runtimeFile(dataDir), JSON.stringify(info, null, 2) + '\n');
}

export async function removeRuntime(dataDir: string): Promise<void> {
  await rm(runtimeFile(dataDir), { force: true });
}

/** The running `platewatch up` under `dataDir`, if there is one (its process alive). */
export async function readRunningSystem(dataDir: string): Promise<RuntimeInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeInfo;
    return isProcessAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` is alive (signal 0 asks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user (an `up` run as a service account).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The NATS URL to talk to: `--nats`, else NATS_URL / the config file, else the running
 * `platewatch up` under the data directory. Null (with the reason) when there is none.
 */
export async function resolveNatsUrl(
  config: PlatewatchConfig, cwd: string, flag: string | undefined,
): Promise<{ url: string; authFile?: string } | { url: null; reason: string }> {
  if (flag !== undefined) return { url: flag };
  if (config.nats.url !== undefined) return { url: config.nats.url };
  const dataDir = resolve(cwd, config.dataDir);
  try {
    const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeInfo;
    if (isProcessAlive(info.pid)) return info.natsAuthFile === undefined ? { url: info.natsUrl } : { url: info.natsUrl, authFile: info.natsAuthFile };
    return { url: null, reason: `the platewatch that wrote ${runtimeFile(dataDir)} (pid ${info.pid}) is no longer running: start it with "platewatch up"` };
  } catch {
    return { url: null, reason: `no running platewatch under ${dataDir}: start one with "platewatch up", or set NATS_URL` };
  }
}

/** Whose credentials a verb uses on the embedded nats-server (bin/embedded-nats-auth.ts). */
export type EmbeddedNatsRole = 'system' | 'camera';

/**
 * Connects a verb to the system's NATS; on failure writes why and returns null (exit 1). `as`
 * matters only on the embedded server; elsewhere the configured credentials serve every role.
 */
export async function connectToSystem(
  verb: string, config: PlatewatchConfig, io: VerbIO, flag: string | undefined, as: EmbeddedNatsRole = 'system',
): Promise<NatsConnection | null> {
  const nats = await resolveNatsUrl(config, io.cwd, flag);
  if (nats.url === null) {
    io.stderr.write(`platewatch ${verb}: ${nats.reason}\n`);
    return null;
  }
  let options: Parameters<typeof connect>[0] = natsConnectOptions(nats.url, config.nats);
  if (nats.authFile !== undefined) {
    let auth;
    try {
      auth = await readEmbeddedNatsAuth(nats.authFile);
    } catch (error) {
      io.stderr.write(`platewatch ${verb}: ${(error as Error).message}\n`);
      return null;
    }
    if (auth === null) {
      io.stderr.write(
        `platewatch ${verb}: the embedded nats-server's credentials ${nats.authFile} are missing, though the running platewatch started with them: ` +
          'restore the file from a backup; the next start of "platewatch up" also reads the passwords back from nats-server.conf beside it\n',
      );
      return null;
    }
    options = { servers: options.servers, ...(as === 'camera' ? cameraConnectOptions(auth) : systemConnectOptions(auth)) };
  }
  try {
    return await connect({ ...options, name: `platewatch ${verb}` });
  } catch (error) {
    const message = (error as Error).message;
    // A department's NATS asks for credentials the command was not given (the embedded one's come from its file).
    const hint = /authorization violation/i.test(message) && nats.authFile === undefined
      ? ' (give the NATS credentials: NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS, or in NATS_URL)'
      : '';
    io.stderr.write(`platewatch ${verb}: cannot reach NATS at ${redactNatsUrl(nats.url)}: ${message}${hint}\n`);
    return null;
  }
}
