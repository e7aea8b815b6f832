// Who may use `up`'s embedded nats-server. Without this, it listened on 127.0.0.1 with no
// authorization, and any local account could publish forged reads and hits, read every read and
// hit, and rewrite the hot list store behind the administrator's approvals and the access log.
//
// Two users, with passwords generated at the first start and kept in DATA_DIR/nats/auth.json
// (0600; cameras are configured once, so a restart reuses them):
// - `platewatch`, the system: platewatch's own processes and the CLI verbs of the operator, who
//   can read the data directory anyway.
// - `camera`: may publish reads (alpr.reads.>) and receive the JetStream acks on its reply
//   inbox (_INBOX.>), nothing else: no hits, no reads of other cameras, no hot list store.
//
// A camera may subscribe to _INBOX.>, so the system's replies must never arrive there: its
// connections use SYSTEM_INBOX_PREFIX for every request, consumer and watch (the JetStream API's
// answers carry hot list contents), only the system may subscribe to that prefix, and the system
// is refused _INBOX.> so a request that ignored the prefix fails loudly instead of leaking.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NatsServerAuthorization } from '../ingest/index.js';
import { CAMERA_INBOX_PREFIX, newNatsPassword, platewatchNatsAuthorization, type NatsUserCredentials } from './nats-accounts.js';

export type { NatsUserCredentials };

export const SYSTEM_NATS_USER = 'platewatch';
export const CAMERA_NATS_USER = 'camera';
/** The inbox prefix of every system connection; a camera's replies use nats.js's default, `_INBOX`. */
export const SYSTEM_INBOX_PREFIX = '_PW_INBOX';

/** The contents of auth.json. */
export interface EmbeddedNatsAuth {
  system: NatsUserCredentials;
  camera: NatsUserCredentials;
}

/** What a connection needs besides the URL: nats.js `connect` options. */
export interface EmbeddedNatsConnectOptions {
  user: string;
  pass: string;
  inboxPrefix?: string;
}

export class EmbeddedNatsAuthError extends Error {
  readonly code: 'EMBEDDED_NATS_AUTH_MALFORMED' | 'EMBEDDED_NATS_AUTH_UNREADABLE';

  constructor(code: EmbeddedNatsAuthError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmbeddedNatsAuthError';
    this.code = code;
  }
}

export function embeddedNatsAuthFile(dataDir: string): string {
  return join(dataDir, 'nats', 'auth.json');
}

/** How the credentials of this start came to be: the file, read back, or made now. */
export type EmbeddedNatsAuthOrigin =
  /** auth.json, as usual. */
  | 'file'
  /** auth.json was missing; the passwords were read back from the server's config file and auth.json written again. */
  | 'recovered'
  /** The first start with credentials on this store. */
  | 'new'
  /** auth.json was missing on a store that had credentials, and the config file too: new passwords; every camera needs the new one. */
  | 'replaced';

/**
 * The users of the embedded server under `dataDir`: those in auth.json, or new ones written there
 * when it does not exist. A file that exists and cannot be used is an error, never replaced: new
 * passwords would lock out every camera configured with the old ones. For the same reason a
 * missing auth.json is first rebuilt from the server's config file, which holds the same passwords.
 */
export async function loadOrCreateEmbeddedNatsAuth(dataDir: string): Promise<{ auth: EmbeddedNatsAuth; origin: EmbeddedNatsAuthOrigin }> {
  const file = embeddedNatsAuthFile(dataDir);
  const existing = await readEmbeddedNatsAuth(file);
  if (existing !== null) {
    await chmod(file, 0o600); // a copy restored from a backup may have come back readable by all
    return { auth: existing, origin: 'file' };
  }
  const recovered = await passwordsFromServerConfig(join(dataDir, 'nats', 'nats-server.conf'));
  const hadCredentials = recovered !== null || (await isDirectory(join(dataDir, 'nats', 'jetstream', SYSTEM_NATS_ACCOUNT)));
  const auth: EmbeddedNatsAuth = recovered ?? {
    system: { user: SYSTEM_NATS_USER, password: newNatsPassword() },
    camera: { user: CAMERA_NATS_USER, password: newNatsPassword() },
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two starts at once, one writes and the other reads what it wrote.
    await writeFile(file, JSON.stringify(auth, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateEmbeddedNatsAuth(dataDir);
    throw new EmbeddedNatsAuthError('EMBEDDED_NATS_AUTH_UNREADABLE', `cannot write the embedded NATS credentials ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { auth, origin: recovered !== null ? 'recovered' : hadCredentials ? 'replaced' : 'new' };
}

/** The two users' passwords as a config file written by an earlier start has them; null when there is none or it is not ours. */
async function passwordsFromServerConfig(configFile: string): Promise<EmbeddedNatsAuth | null> {
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch {
    return null;
  }
  // Generated passwords are base64url, so the quoted value is the password itself.
  const password = (user: string): string | undefined => new RegExp(`user: "${user}", password: "([A-Za-z0-9_-]{16,})"`).exec(text)?.[1];
  const system = password(SYSTEM_NATS_USER);
  const camera = password(CAMERA_NATS_USER);
  return system === undefined || camera === undefined ? null : { system: { user: SYSTEM_NATS_USER, password: system }, camera: { user: CAMERA_NATS_USER, password: camera } };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The users in `file` (an auth.json); null when there is no such file (no embedded server has started there). */
export async function readEmbeddedNatsAuth(file: string): Promise<EmbeddedNatsAuth | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EmbeddedNatsAuthError('EMBEDDED_NATS_AUTH_UNREADABLE', `cannot read the embedded NATS credentials ${file}: ${(error as Error).message}`, { cause: error });
  }
  const malformed = (why: string, cause?: unknown): EmbeddedNatsAuthError =>
    new EmbeddedNatsAuthError(
      'EMBEDDED_NATS_AUTH_MALFORMED',
      `the embedded NATS credentials ${file} are unusable (${why}): restore it from a backup, or remove it to have new passwords made at the next start (every camera must then be given the new camera password)`,
      cause === undefined ? undefined : { cause },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw malformed('not JSON', error);
  }
  const user = (role: keyof EmbeddedNatsAuth, name: string): NatsUserCredentials => {
    const entry = (parsed as Record<string, unknown> | null)?.[role] as Record<string, unknown> | undefined;
    const password = entry?.['password'];
    if (entry?.['user'] !== name) throw malformed(`"${role}.user" must be "${name}"`);
    // Such a password goes into nats-server's config as is: generated ones are base64url.
    if (typeof password !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(password)) throw malformed(`"${role}.password" must be at least 16 characters of A-Za-z0-9_-`);
    return { user: name, password };
  };
  return { system: user('system', SYSTEM_NATS_USER), camera: user('camera', CAMERA_NATS_USER) };
}

/** The NATS account of platewatch's own connections: it holds the JetStream store. */
export const SYSTEM_NATS_ACCOUNT = 'PLATEWATCH';
/** The cameras' account: no JetStream, only the reads subjects, imported from the system's. */
export const CAMERA_NATS_ACCOUNT = 'CAMERAS';

/**
 * The embedded server's accounts and users (see the header): the cameras in an account of their
 * own, reaching the reads through a service import, so that no reply subject a camera names can
 * have a JetStream ack touch the system's streams (bin/nats-accounts.ts). `platewatch nats-config`
 * builds a department NATS's from the same accounts.
 */
export function embeddedNatsAuthorization(auth: EmbeddedNatsAuth): NatsServerAuthorization {
  return platewatchNatsAuthorization(
    { account: SYSTEM_NATS_ACCOUNT, user: auth.system, subscribe: { allow: ['>'], deny: [`${CAMERA_INBOX_PREFIX}.>`] } },
    [{ account: CAMERA_NATS_ACCOUNT, user: auth.camera }],
  );
}

/** Connect options of the system's own connections. */
export function systemConnectOptions(auth: EmbeddedNatsAuth): EmbeddedNatsConnectOptions {
  return { user: auth.system.user, pass: auth.system.password, inboxPrefix: SYSTEM_INBOX_PREFIX };
}

/** Connect options of a camera (or a simulated one). */
export function cameraConnectOptions(auth: EmbeddedNatsAuth): EmbeddedNatsConnectOptions {
  return { user: auth.camera.user, pass: auth.camera.password };
}
