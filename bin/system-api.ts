// Storage verbs through the running system. With embedded chDB, `platewatch up` alone holds the
// data directory (chDB locks it), so `evidence` and `audit` could run only with the system stopped:
// no alerts reached dispatch while a custodian exported a case. When the `up` that holds the very
// directory a verb would open runs a gateway, the verb signs in there and asks its API instead
// (gateway/evidence-routes.ts, gateway/audit-routes.ts): the same roles, checks and access log.
import { dirname, resolve } from 'node:path';
import type { StorageConfig } from '../storage/index.js';
import type { PasswordSource } from './password-input.js';
import { isProcessAlive, readRunningSystem, runtimeFile } from './runtime.js';
import { verbErrorText, VerbRefusal } from './verb-sign-in.js';
import type { VerbIO } from './verb.js';

export interface SystemApi {
  /** The gateway's base URL, for messages. */
  readonly url: string;
  /** A JSON call; an error answer is a VerbRefusal with its code and message. */
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** A file, as text. */
  text(path: string): Promise<string>;
  /** Posts `body` as text of `contentType` (a hot list file) and reads the JSON answer. */
  postText<T>(path: string, contentType: string, body: string): Promise<T>;
  /** A call answered without a body (204), such as setting a password; an error answer is a VerbRefusal. */
  send(method: 'POST', path: string, body?: unknown): Promise<void>;
  /** Ends the session. */
  close(): Promise<void>;
}

/**
 * The gateway URL of the running `up` that holds `storage`'s embedded directory, if one does.
 * `up` keeps its run file beside that directory (dataDir/run beside dataDir/clickhouse).
 */
export async function runningSystemUrl(storage: Partial<StorageConfig>): Promise<string | undefined> {
  if (storage.url !== undefined || storage.dataDir === undefined) return undefined;
  const storageDir = resolve(storage.dataDir);
  const running = await readRunningSystem(dirname(storageDir));
  if (running?.httpUrl === undefined || running.storageDir !== storageDir) return undefined;
  // A gateway listening on every address is reached on this host by loopback.
  const url = running.httpUrl.replace(/^http:\/\/0\.0\.0\.0(?=:)/, 'http://127.0.0.1').replace(/^http:\/\/\[::\](?=:)/, 'http://[::1]');
  runFilesBehind.set(url, { pid: running.pid, runFile: runtimeFile(dirname(storageDir)), hasUsers: running.hasUsers });
  return url;
}

/**
 * Whether the system runningSystemUrl gave `url` for has users (undefined: its run file does not
 * say). What it was at its start holds while it runs: no user is ever deleted, and while it holds
 * the storage the first one cannot be added (no one can sign in to its API to add one).
 */
export function runningSystemHasUsers(url: string): boolean | undefined {
  return runFilesBehind.get(url)?.hasUsers;
}

/**
 * The run file each URL runningSystemUrl gave came from, and its process: when that URL does not
 * answer, whether the file is stale or the system is alive and not answering is told by the pid.
 */
const runFilesBehind = new Map<string, { pid: number; runFile: string; hasUsers: boolean | undefined }>();

/**
 * The data directory of the running `up` that runningSystemUrl found for `storageDir` (its
 * embedded directory): where that `up` writes what it keeps besides, such as dataDir/releases.
 */
export function runningSystemDataDir(storageDir: string): string {
  return dirname(resolve(storageDir));
}

/**
 * A refusal by the running system's API, with the fields its error object had beside code and
 * message (gateway/http-json.ts HttpError `details`), such as the rows of a hot list file it rejected.
 */
export class ApiRefusal extends VerbRefusal {
  constructor(message: string, readonly details: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'ApiRefusal';
  }
}

async function errorOf(res: Response): Promise<{ text: string; details: Record<string, unknown> }> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message !== undefined) {
      const { code, message, ...details } = body.error;
      return { text: `${code ?? res.status}: ${message}`, details };
    }
  } catch {
    // not JSON: say the status
  }
  return { text: `HTTP ${res.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`, details: {} };
}

async function errorText(res: Response): Promise<string> {
  return (await errorOf(res)).text;
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new VerbRefusal(unreachable(url.replace(/^(https?:\/\/[^/]+).*$/, '$1'), error as Error));
  }
}

/**
 * Why `base` did not answer, and what to do. Removing the run file is said only once its process
 * is gone: a system that is alive but did not answer (busy, a connection it closed) keeps its run
 * file, or the next verb would open the storage it holds (found by QA: a busy gateway's closed
 * connection read "stale: remove it").
 */
function unreachable(base: string, error: Error): string {
  const said = `cannot reach the running platewatch at ${base}: ${error.message}`;
  const behind = runFilesBehind.get(base);
  if (behind === undefined) return `${said} (is it still running? see its log)`;
  if (!isProcessAlive(behind.pid)) return `${said}; its process (pid ${behind.pid}) is no longer running, so its run file ${behind.runFile} is stale: remove it`;
  return `${said}; its process (pid ${behind.pid}) is still running but did not answer: check its log and whether it is overloaded, then try again (do not remove its run file ${behind.runFile} while it runs)`;
}

/** The running system refused a request for now (503 BUSY): it takes it again after `retryAfterSeconds`. */
export class SystemBusy extends VerbRefusal {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = 'SystemBusy';
  }
}

/** Retry-After as seconds when the gateway sends none, or none readable (gateway/http-json.ts sends 5). */
export const DEFAULT_BUSY_RETRY_SECONDS = 5;

async function refusalOf(res: Response): Promise<VerbRefusal> {
  const { text, details } = await errorOf(res);
  if (res.status !== 503 || !text.startsWith('BUSY:')) return new ApiRefusal(text, details);
  const after = Number(res.headers.get('retry-after'));
  return new SystemBusy(text, Number.isFinite(after) && after >= 0 ? after : DEFAULT_BUSY_RETRY_SECONDS);
}

/** Signs `user` in at the gateway with the next password from `passwords`. */
export async function signInToSystem(url: string, user: string, passwords: PasswordSource): Promise<SystemApi> {
  const password = await passwords.next(`password for ${user}`);
  const login = await request(`${url}/api/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }),
  });
  if (!login.ok) throw new VerbRefusal(await errorText(login));
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const call = async (method: string, path: string, body?: unknown, text?: { contentType: string; body: string }): Promise<Response> => {
    const res = await request(`${url}${path}`, {
      method,
      ...(text !== undefined
        ? { headers: { ...headers, 'content-type': text.contentType }, body: text.body }
        : body === undefined ? { headers } : { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await refusalOf(res);
    return res;
  };
  return {
    url,
    json: async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => (await (await call(method, path, body)).json()) as T,
    text: async (path) => (await call('GET', path)).text(),
    postText: async <T>(path: string, contentType: string, body: string) => (await (await call('POST', path, undefined, { contentType, body })).json()) as T,
    send: async (method, path, body) => {
      await (await call(method, path, body)).arrayBuffer();
    },
    close: async () => {
      await request(`${url}/api/logout`, { method: 'POST', headers }).catch(() => undefined);
    },
  };
}

/**
 * Runs `work` signed in as `as` at the running system's gateway, for `command` ("release export"):
 * says first on stderr that it goes through the API, prints a refusal as `platewatch COMMAND:
 * reason` (exit 1), and always ends the session. `work`'s number is the exit status (0 if none).
 */
export async function withSystemApi(
  url: string, as: string, passwords: PasswordSource, command: string, io: VerbIO, work: (api: SystemApi) => Promise<number | void>,
): Promise<number> {
  io.stderr.write(`platewatch ${command.split(' ')[0]}: storage is held by the running platewatch; going through its API at ${url}\n`);
  let api: SystemApi | undefined;
  try {
    api = await signInToSystem(url, as, passwords);
    return (await work(api)) ?? 0;
  } catch (error) {
    io.stderr.write(`platewatch ${command}: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await api?.close();
  }
}
