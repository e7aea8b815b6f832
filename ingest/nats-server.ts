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
// With `authorization`, the server asks every client for a user and password: the accounts and
// their users go into `<storeDir>/nats-server.conf` (mode 0600, rewritten at each start), given
// with `-c`. Only those are in that file; everything else stays on the command line, where flags
// win over a config file and where the search for a server on the same store reads them.
//
// Accounts, not just users with permissions: a JetStream publish is acknowledged by the server on
// the publisher's reply subject, which no permission checks, so a user allowed only to publish
// reads could name `$JS.API.STREAM.PURGE.HITS` or a hot list's object as the reply and have the
// server's ack purge or overwrite it (verification QA). A user in an account without JetStream
// that reaches the reads through a service import gets its replies rewritten (`_R_.…`) back into
// its own account, where they can touch nothing.
//
// A store written with no accounts keeps its streams under `jetstream/$G` (the global account);
// the account that holds JetStream now would start empty, so that directory is renamed to it
// before the first start with accounts (`movedGlobalStore`).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_NATS_BINARY = 'nats-server';
const START_TIMEOUT_MS = 10_000;
/** How long a leftover server gets to shut down on SIGTERM (it flushes its store) before SIGKILL. */
const LEFTOVER_STOP_GRACE_MS = 10_000;

export interface LocalNatsServerOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  /** Port to listen on; 0 picks one: the port remembered in `portFile` when it is free, else any free one. @default 0 */
  port?: number;
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
}

export interface NatsServerAuthorization {
  /** Exactly one holds the JetStream store (`jetstream: true`). */
  accounts: readonly NatsServerAccount[];
}

export interface NatsServerAccount {
  /** A-Z, 0-9 and _, not starting with `$`. */
  name: string;
  /** The account whose streams, KV and object stores live in this server's store. */
  jetstream?: boolean;
  users: readonly NatsServerUser[];
  /** Subjects other accounts may send messages and requests to (service exports). */
  exportServices?: readonly string[];
  /** Another account's exported subjects this account's users publish to. */
  importServices?: ReadonlyArray<{ account: string; subject: string }>;
}

export interface NatsServerUser {
  user: string;
  /** In clear text: nats-server would take one beginning with `$2` for a bcrypt hash, so that is refused. */
  password: string;
  /** Subjects (wildcards allowed) this user may publish to; absent: any. */
  publish?: NatsSubjectPermission;
  /** Subjects this user may subscribe to; absent: any. */
  subscribe?: NatsSubjectPermission;
}

export interface NatsSubjectPermission {
  allow?: readonly string[];
  deny?: readonly string[];
}

export interface LocalNatsServer {
  url: string;
  port: number;
  pid: number;
  /** Pids of servers left running on this store by an earlier process that has since died, stopped before this one started. */
  leftoversStopped: readonly number[];
  /** The account a store written without accounts was moved to at this start (its streams kept); null otherwise. */
  movedGlobalStore: string | null;
  /**
   * The port remembered in `portFile` when something else held it, so this server took another
   * (whoever was configured with the old URL must be re-pointed); null otherwise.
   */
  rememberedPortTaken: number | null;
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

export class NatsServerError extends Error {
  readonly code: 'NATS_SERVER_MISSING' | 'NATS_SERVER_START_FAILED' | 'NATS_SERVER_STORE_IN_USE' | 'NATS_SERVER_DIED' | 'NATS_SERVER_BAD_AUTHORIZATION';

  constructor(code: NatsServerError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsServerError';
    this.code = code;
  }
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
  let movedGlobalStore: string | null = null;
  if (options.authorization !== undefined) {
    args.unshift('-c', await writeServerConfig(storeDir, options.authorization));
    movedGlobalStore = await moveGlobalStore(storeDir, jetStreamAccount(options.authorization));
  }
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
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let requested = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const exited = exit.then(({ code }) => code);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, exit.then(({ code, signal }) => new Error(signal === null ? `exited with code ${code}` : `killed by ${signal}`)), sleep(50).then(() => null)]);
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
      const listening = Number(new URL(url).port);
      if (options.portFile !== undefined) {
        try {
          await rememberPort(options.portFile, listening);
        } catch (error) {
          child.kill('SIGKILL');
          throw new NatsServerError('NATS_SERVER_START_FAILED', `cannot record the nats-server's port in ${options.portFile}: ${(error as Error).message}`, { cause: error });
        }
      }
      return {
        url,
        port: listening,
        pid: child.pid ?? -1,
        leftoversStopped,
        movedGlobalStore,
        rememberedPortTaken,
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
  throw new NatsServerError('NATS_SERVER_START_FAILED', `nats-server did not report its port within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
}

/** The config file nats-server is started with when it requires users (see the header). */
export function natsServerConfigFile(storeDir: string): string {
  return join(resolve(storeDir), 'nats-server.conf');
}

async function writeServerConfig(storeDir: string, authorization: NatsServerAuthorization): Promise<string> {
  const file = natsServerConfigFile(storeDir);
  const text = serverConfigText(authorization);
  // Removed, then created 0600: a file left readable by others would be rewritten with the
  // passwords in it, and writeFile's mode counts only when it creates the file.
  await rm(file, { force: true });
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600); // under a umask that clears owner bits too
  return file;
}

/** The account holding JetStream; throws unless there is exactly one. */
function jetStreamAccount(authorization: NatsServerAuthorization): string {
  const holders = authorization.accounts.filter((a) => a.jetstream === true);
  if (holders.length !== 1) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `exactly one account must hold JetStream, not ${holders.length}`);
  return (holders[0] as NatsServerAccount).name;
}

/**
 * Renames a store's global-account directory (`jetstream/$G`, written by a server without
 * accounts) to `account`'s, unless that one exists already: the streams and hot lists stay.
 */
async function moveGlobalStore(storeDir: string, account: string): Promise<string | null> {
  const from = join(storeDir, 'jetstream', '$G');
  const to = join(storeDir, 'jetstream', account);
  if (!(await exists(from)) || (await exists(to))) return null;
  await rename(from, to);
  return account;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `accounts` block; every value a quoted string, so no user text is read as syntax. */
export function serverConfigText(authorization: NatsServerAuthorization): string {
  jetStreamAccount(authorization);
  const names = new Set(authorization.accounts.map((a) => a.name));
  const blocks = authorization.accounts.map((account) => {
    if (!/^[A-Z0-9_]+$/.test(account.name)) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `account name ${JSON.stringify(account.name)} must be A-Z, 0-9 and _`);
    if (account.users.length === 0) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `account ${account.name} needs at least one user`);
    const lines = [`  ${account.name}: {`];
    if (account.jetstream === true) lines.push('    jetstream: enabled');
    lines.push('    users: [', ...account.users.map(userText), '    ]');
    if (account.exportServices !== undefined && account.exportServices.length > 0) {
      lines.push(`    exports: [ ${account.exportServices.map((subject) => `{ service: ${configString(subject, 'subject')} }`).join(', ')} ]`);
    }
    if (account.importServices !== undefined && account.importServices.length > 0) {
      for (const i of account.importServices) {
        if (!names.has(i.account)) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `account ${account.name} imports from an account not configured: ${JSON.stringify(i.account)}`);
      }
      lines.push(`    imports: [ ${account.importServices.map((i) => `{ service: { account: ${configString(i.account, 'account')}, subject: ${configString(i.subject, 'subject')} } }`).join(', ')} ]`);
    }
    lines.push('  }');
    return lines.join('\n');
  });
  return `# Written by platewatch at each start of the embedded nats-server; edits are lost.\naccounts {\n${blocks.join('\n')}\n}\n`;
}

function userText(u: NatsServerUser): string {
  if (u.password.startsWith('$2')) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `the password of NATS user ${JSON.stringify(u.user)} begins with "$2", which nats-server takes for a bcrypt hash`);
  const fields = [`user: ${configString(u.user, 'user name')}`, `password: ${configString(u.password, `password of ${JSON.stringify(u.user)}`)}`];
  const permissions: string[] = [];
  if (u.publish !== undefined) permissions.push(`publish: ${permissionText(u.publish)}`);
  if (u.subscribe !== undefined) permissions.push(`subscribe: ${permissionText(u.subscribe)}`);
  if (permissions.length > 0) fields.push(`permissions: { ${permissions.join(', ')} }`);
  return `      { ${fields.join(', ')} }`;
}

function permissionText(permission: NatsSubjectPermission): string {
  const lists: string[] = [];
  if (permission.allow !== undefined) lists.push(`allow: [${permission.allow.map((s) => configString(s, 'subject')).join(', ')}]`);
  if (permission.deny !== undefined) lists.push(`deny: [${permission.deny.map((s) => configString(s, 'subject')).join(', ')}]`);
  return `{ ${lists.join(', ')} }`;
}

/**
 * A double-quoted string of nats-server's config syntax. Its escapes are JSON's except \b and \f,
 * which JSON.stringify gives only for control characters: those are refused instead. Quoted, `$`
 * is not a variable reference.
 */
function configString(value: string, what: string): string {
  if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `a NATS ${what} must be non-empty and without control characters`);
  }
  return JSON.stringify(value);
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
