// The embedded NATS server: spawns Debian's `nats-server` with JetStream, its store under the data
// directory, on a free or given loopback port. Used by `platewatch up` when no NATS_URL is set, and
// by every integration test (each gets its own server and store).
//
// One store, one server: nats-server 2.9 takes no lock on its store and will run a second server on
// it. So before starting, the processes are searched for a nats-server on the same store; one this
// project started whose starter has died (killed, crashed) is stopped, any other refuses the start.
// A server started here is killed when this process exits in any way Node can catch.
//
// With `portFile`, a server asked for any port gets the one it had last time when that is free:
// cameras are configured with the URL, and `-p -1` gave a new port at every start.
//
// With `authorization`, the server asks every client for a user and a password (nats-server-config.ts).
//
// On a loopback host the server also answers HTTP monitoring (`/healthz`, `/jsz`) on a free port:
// the supervisor asks it whether the server still works, since a hung server does not exit
// (nats-supervisor.ts). Not on any other host: /connz and /varz would show every client to the network.
// After the start, each line the server writes goes to `logLines` (nats-server-log-relay.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetStreamAccount, moveGlobalStore, writeServerConfig, type NatsServerAuthorization } from './nats-server-config.js';
import { NatsServerError } from './nats-server-error.js';
import { formatNatsStartLog, isAddressInUse, readNatsStartLog } from './nats-server-log.js';
import { storeReservations, type StoreReservations } from './nats-store-reservations.js';

export { NatsServerError };

export const DEFAULT_NATS_BINARY = 'nats-server';
const START_TIMEOUT_MS = 10_000;
/** How long a leftover server gets to shut down on SIGTERM (it flushes its store) before SIGKILL. */
const LEFTOVER_STOP_GRACE_MS = 10_000;
/** A line longer than this is cut: the server's lines are short, and an unending one must not grow memory. */
const MAX_LOG_LINE_CHARS = 8_192;

export interface LocalNatsServerOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  /** Port to listen on; 0 picks one: the port remembered in `portFile` when it is free, else any free one. @default 0 */
  port?: number;
  /** Where `port` was set (`PLATEWATCH_NATS_PORT`), named when another program holds it. @default none */
  portName?: string;
  /**
   * Where the port is remembered between starts (written once the server listens), so that with
   * `port` 0 cameras configured with the last URL find the server again. @default none: not remembered
   */
  portFile?: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default DEFAULT_NATS_BINARY */
  binary?: string;
  /** Users the server requires, with what each may publish and subscribe to. @default none: any client connects and may do anything */
  authorization?: NatsServerAuthorization;
  /**
   * Receives each line the server writes to stderr once it has started (its errors and warnings
   * while running: a full disk, refused clients), with the pid/time prefix. Start-up lines are not
   * given: a failed start reports them in its error. @default none: dropped
   */
  logLines?: (line: string) => void;
}

export interface LocalNatsServer {
  url: string;
  port: number;
  pid: number;
  /** Its HTTP monitoring endpoint (`http://127.0.0.1:PORT`, `/healthz`…); null when its host is not loopback. */
  monitorUrl: string | null;
  /** Pids of servers left running on this store by an earlier process that has since died, stopped before this one started. */
  leftoversStopped: readonly number[];
  /** The account a store written without accounts was moved to at this start (its streams kept); null otherwise. */
  movedGlobalStore: string | null;
  /**
   * The port remembered in `portFile` when something else held it, so this server took another
   * (whoever was configured with the old URL must be re-pointed); null otherwise.
   */
  rememberedPortTaken: number | null;
  /**
   * The streams already in the store have byte limits beyond what its disk has free: the server was
   * given a file store limit that holds them, so they load (the caller warns); null otherwise.
   */
  streamsOverFreeDisk: StoreReservations | null;
  /** Settles when the server process has exited, by `stop`/`kill` (`requested`) or otherwise (a crash, a kill -9). */
  exited: Promise<NatsServerExit>;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it at once, as a crash would (fault tests). */
  kill(): Promise<void>;
}

/** How a server process ended. */
export interface NatsServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Ended by `stop` or `kill`; false: it died by itself or was killed by someone else. */
  requested: boolean;
}

export async function startLocalNatsServer(options: LocalNatsServerOptions): Promise<LocalNatsServer> {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? DEFAULT_NATS_BINARY;
  // Absolute paths on the command line: another process finds this server's store from them.
  const storeDir = resolve(options.storeDir);
  const portsDir = join(storeDir, '.ports');
  await mkdir(portsDir, { recursive: true });
  const leftoversStopped = await stopLeftoverServers(storeDir, portsDir);
  for (const stale of await readdir(portsDir)) await rm(join(portsDir, stale), { force: true });
  let port = options.port !== undefined && options.port > 0 ? options.port : -1;
  let rememberedPortTaken: number | null = null;
  const remembered = port === -1 && options.portFile !== undefined ? await readRememberedPort(options.portFile) : null;
  if (remembered !== null) {
    // Checked, not just tried: nats-server would fail on a taken port, and any port will do.
    if (await isPortFree(host, remembered)) port = remembered;
    else rememberedPortTaken = remembered;
  }
  const args = ['-js', '-sd', storeDir, '-a', host, '-p', String(port), '--ports_file_dir', portsDir];
  if (isLoopback(host)) args.push('-m', '-1');
  let movedGlobalStore: string | null = null;
  const reservations = await storeReservations(storeDir);
  if (options.authorization !== undefined || reservations.maxFileStore !== null) {
    args.unshift('-c', await writeServerConfig(storeDir, options.authorization, reservations.maxFileStore ?? undefined));
  }
  if (options.authorization !== undefined) movedGlobalStore = await moveGlobalStore(storeDir, jetStreamAccount(options.authorization));
  // Its own process group: a Ctrl-C in the terminal reaches platewatch alone, which finishes its
  // in-flight reads and then stops this server; in the terminal's group the server died first.
  // Being apart, it outlives this process unless killed: killOnExit sees to it.
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  if (child.pid !== undefined) {
    killOnExit(child);
    // Who started it: a later start tells a server whose starter died from one still in use.
    writeFileSync(ownerFile(portsDir, child.pid), `${process.pid}\n`);
  }
  let stderr = '';
  let started = false;
  let partialLine = '';
  const { logLines } = options;
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-4000);
    if (logLines === undefined) return;
    const lines = (partialLine + text).split('\n');
    partialLine = (lines.pop() ?? '').slice(0, MAX_LOG_LINE_CHARS);
    if (started) for (const line of lines) if (line !== '') logLines(line.slice(0, MAX_LOG_LINE_CHARS));
  });
  let requested = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const exited = exit.then(({ code }) => code);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, exit.then(({ code, signal }) => new Error(signal === null ? `exited with code ${code}` : `killed by ${signal}`)), sleep(50).then(() => null)]);
    if (failed !== null) {
      if ((failed as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NatsServerError(
          'NATS_SERVER_MISSING',
          `"${binary}" was not found: install Debian's nats-server package (apt-get install -y nats-server) or set NATS_URL`,
          { cause: failed },
        );
      }
      const log = readNatsStartLog(stderr);
      if (port > 0 && isAddressInUse(log)) {
        const where = options.portName === undefined ? '' : ` (${options.portName})`;
        // The fatal line alone: the rest of the log (a warning about plaintext passwords) is not why.
        throw new NatsServerError('NATS_SERVER_PORT_IN_USE', `port ${port}${where} is in use by another program (set another, or 0 for a free one)\nnats-server: ${log.fatal}`, {
          cause: failed,
          port,
        });
      }
      throw new NatsServerError('NATS_SERVER_START_FAILED', `nats-server failed to start (${failed.message}): ${formatNatsStartLog(log)}`, { cause: failed });
    }
    const ports = await readPortsFile(portsDir, child.pid ?? -1);
    if (ports !== null) {
      const { url } = ports;
      const listening = Number(new URL(url).port);
      if (options.portFile !== undefined) {
        try {
          await rememberPort(options.portFile, listening);
        } catch (error) {
          child.kill('SIGKILL');
          throw new NatsServerError('NATS_SERVER_START_FAILED', `cannot record the nats-server's port in ${options.portFile}: ${(error as Error).message}`, { cause: error });
        }
      }
      started = true;
      return {
        url,
        port: listening,
        pid: child.pid ?? -1,
        monitorUrl: ports.monitorUrl,
        leftoversStopped,
        movedGlobalStore,
        rememberedPortTaken,
        streamsOverFreeDisk: reservations.maxFileStore === null ? null : reservations,
        exited: exit.then(({ code, signal }) => ({ code, signal, requested })),
        stop: () => {
          requested = true;
          return stopProcess(child, exited, 'SIGTERM');
        },
        kill: () => {
          requested = true;
          return stopProcess(child, exited, 'SIGKILL');
        },
      };
    }
  }
  child.kill('SIGKILL');
  throw new NatsServerError('NATS_SERVER_START_FAILED', `nats-server did not report its port within ${START_TIMEOUT_MS} ms: ${formatNatsStartLog(readNatsStartLog(stderr))}`);
}

/** Servers started here and still running; one 'exit' listener for all of them. */
const runningServers = new Set<ChildProcess>();
let exitListenerInstalled = false;

function killOnExit(child: ChildProcess): void {
  if (!exitListenerInstalled) {
    process.on('exit', killRunningServers);
    exitListenerInstalled = true;
  }
  runningServers.add(child);
  child.once('exit', () => runningServers.delete(child));
}

// An 'exit' listener must be synchronous: it can signal, not wait. SIGTERM lets the server flush its
// store; it shuts down in milliseconds. One that did not would be found by the next start.
function killRunningServers(): void {
  for (const child of runningServers) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

function ownerFile(portsDir: string, serverPid: number): string {
  return join(portsDir, `platewatch_${serverPid}.owner`);
}

/** A nats-server process whose store is `storeDir`. */
interface StoreServer {
  pid: number;
  /** Started by startLocalNatsServer (it names this store's ports directory). */
  startedHere: boolean;
  /** Who started it, when startedHere and recorded. */
  ownerPid: number | null;
  /** Its parent now: the starter while that lives, a reaper (init) once it has died. */
  parentPid: number | null;
}

/**
 * Stops the servers on this store that this project started and whose starter has died; refuses
 * (NATS_SERVER_STORE_IN_USE) when one is still in use, or was started by someone else.
 */
async function stopLeftoverServers(storeDir: string, portsDir: string): Promise<number[]> {
  const servers = await serversOnStore(storeDir, portsDir);
  for (const server of servers) {
    if (!server.startedHere || server.ownerPid === null) {
      // Whether whoever started it still uses it is unknown (an older platewatch kept no record).
      const who = server.startedHere ? 'with no record of the process that started it' : 'not started by platewatch';
      throw new NatsServerError(
        'NATS_SERVER_STORE_IN_USE',
        `a nats-server ${who} (pid ${server.pid}) is running on the store ${storeDir}: two servers on one store corrupt it. ` +
          `Stop it (kill ${server.pid}), or use it with NATS_URL instead of the embedded server`,
      );
    }
    if (server.parentPid === server.ownerPid) {
      throw new NatsServerError(
        'NATS_SERVER_STORE_IN_USE',
        `the store ${storeDir} is in use: nats-server pid ${server.pid}, started by process ${server.ownerPid}, which is still running ` +
          `(another "platewatch up" on this data directory?). Stop that one first, or use another data directory`,
      );
    }
  }
  const stopped: number[] = [];
  for (const server of servers) {
    await stopLeftover(server.pid, storeDir);
    stopped.push(server.pid);
  }
  return stopped;
}

async function serversOnStore(storeDir: string, portsDir: string): Promise<StoreServer[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return []; // not Linux: nothing to look at (Debian is the target)
  }
  const servers: StoreServer[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (!basename(argv[0] ?? '').startsWith('nats-server')) continue;
    // Another user's server hides its working directory: its absolute paths still count.
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    const absolute = (path: string | undefined): string | null =>
      path === undefined ? null : isAbsolute(path) ? resolve(path) : cwd === null ? null : resolve(cwd, path);
    if (absolute(flagValue(argv, ['sd', 'store_dir'])) !== storeDir) continue;
    const state = await processState(pid);
    if (state === null || state.zombie) continue;
    const startedHere = absolute(flagValue(argv, ['ports_file_dir'])) === portsDir;
    let ownerPid: number | null = null;
    try {
      ownerPid = Number.parseInt(await readFile(ownerFile(portsDir, pid), 'utf8'), 10);
      if (!Number.isInteger(ownerPid)) ownerPid = null;
    } catch {
      ownerPid = null;
    }
    servers.push({ pid, startedHere, ownerPid, parentPid: state.parentPid });
  }
  return servers;
}

/** The value of a Go-style flag (`-sd X`, `--sd X`, `-sd=X`, `--store_dir=X`). */
function flagValue(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    const bare = arg.replace(/^--?/, '');
    if (bare === arg) continue;
    const eq = bare.indexOf('=');
    if (eq >= 0) {
      if (names.includes(bare.slice(0, eq))) return bare.slice(eq + 1);
    } else if (names.includes(bare)) {
      return argv[i + 1];
    }
  }
  return undefined;
}

/** From /proc/PID/stat: the parent, and whether it is a zombie (dead, not yet reaped). Null: gone. */
async function processState(pid: number): Promise<{ parentPid: number | null; zombie: boolean } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parentPid = Number(fields[1]);
    return { parentPid: Number.isInteger(parentPid) ? parentPid : null, zombie: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return null;
  }
}

async function isGone(pid: number): Promise<boolean> {
  const state = await processState(pid);
  return state === null || state.zombie;
}

async function stopLeftover(pid: number, storeDir: string): Promise<void> {
  for (const [signal, waitMs] of [['SIGTERM', LEFTOVER_STOP_GRACE_MS], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new NatsServerError(
        'NATS_SERVER_STORE_IN_USE',
        `nats-server pid ${pid}, left running on the store ${storeDir} by a platewatch that has ended, cannot be stopped: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (await isGone(pid)) return;
      await sleep(25);
    }
  }
  throw new NatsServerError('NATS_SERVER_STORE_IN_USE', `nats-server pid ${pid}, left running on the store ${storeDir}, did not stop on SIGKILL`);
}

async function readRememberedPort(file: string): Promise<number | null> {
  try {
    const port = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isInteger(port) && port > 0 && port <= 65_535 ? port : null;
  } catch {
    return null; // first start, or removed: any free port
  }
}

async function rememberPort(file: string, port: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${port}\n`);
}

/** Whether a listener could bind `host:port` now (nats-server binds it a moment later). */
function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function readPortsFile(dir: string, pid: number): Promise<{ url: string; monitorUrl: string | null } | null> {
  try {
    const text = await readFile(join(dir, `nats-server_${pid}.ports`), 'utf8');
    const ports = JSON.parse(text) as { nats?: string[]; monitoring?: string[] };
    const url = ports.nats?.[0];
    return url === undefined ? null : { url, monitorUrl: ports.monitoring?.[0] ?? null };
  } catch {
    return null; // not written yet
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
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
