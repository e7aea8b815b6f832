// The embedded nats-server's config file, for a server that requires users.
//
// With `authorization` (startLocalNatsServer), the server asks every client for a user and a
// password: the accounts and their users go into `<storeDir>/nats-server.conf` (mode 0600,
// rewritten at each start), given with `-c`. Only those are in that file; everything else stays on the command line, where flags
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
import { chmod, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NatsServerError } from './nats-server-error.js';

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

/** The config file nats-server is started with when it requires users (see the header). */
export function natsServerConfigFile(storeDir: string): string {
  return join(resolve(storeDir), 'nats-server.conf');
}

/**
 * Writes the config file; `maxFileStore`: JetStream's file store limit, given only when the
 * default (75% of the free disk) cannot hold the streams the store has (nats-store-reservations.ts).
 */
export async function writeServerConfig(storeDir: string, authorization: NatsServerAuthorization | undefined, maxFileStore?: number): Promise<string> {
  const file = natsServerConfigFile(storeDir);
  const text = (authorization === undefined ? '# Written by platewatch at each start of the embedded nats-server; edits are lost.\n' : serverConfigText(authorization)) +
    (maxFileStore === undefined ? '' : `jetstream {\n  max_file_store: ${Math.ceil(maxFileStore)}\n}\n`);
  // Removed, then created 0600: a file left readable by others would be rewritten with the
  // passwords in it, and writeFile's mode counts only when it creates the file.
  await rm(file, { force: true });
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600); // under a umask that clears owner bits too
  return file;
}

/** The account holding JetStream; throws unless there is exactly one. */
export function jetStreamAccount(authorization: NatsServerAuthorization): string {
  const holders = authorization.accounts.filter((a) => a.jetstream === true);
  if (holders.length !== 1) throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `exactly one account must hold JetStream, not ${holders.length}`);
  return (holders[0] as NatsServerAccount).name;
}

/**
 * Renames a store's global-account directory (`jetstream/$G`, written by a server without
 * accounts) to `account`'s, unless that one exists already: the streams and hot lists stay.
 */
export async function moveGlobalStore(storeDir: string, account: string): Promise<string | null> {
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
export function configString(value: string, what: string): string {
  if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new NatsServerError('NATS_SERVER_BAD_AUTHORIZATION', `a NATS ${what} must be non-empty and without control characters`);
  }
  return JSON.stringify(value);
}
