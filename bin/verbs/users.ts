// `platewatch users add|train|disable|enable|update|passwd|list`: the administrator's accounts of individual,
// trained users (Watsonville §471.4.1(a)(b), §471.5(d)(h); Martinez §439.4(d)). Passwords come from
// standard input or a hidden prompt, never the command line, and there is no default password.
// While `platewatch up` holds the embedded storage, every command but the bootstrap goes through
// its HTTP API (gateway/user-routes.ts) and prints what it would print here.
import { addedRoles, ownAccountRefusal, personTextProblem, userStatus, type UserStatus } from '../../gateway/index.js';
import {
  AccessLog, CredentialStore, dayIn, findUser, listUsers, mayPerform, passwordProblem, RESERVED_USER_IDS, saveUser, StorageError, USER_ROLES, userIdProblem,
  type Storage, type User, type UserRole, type VersionClaims,
} from '../../storage/index.js';
import { passwordsFromStdin, passwordsFromTerminal, PasswordInputError, type PasswordSource } from '../password-input.js';
import { openForVerb, STORAGE_OPTIONS_USAGE, STORAGE_PARSE_OPTIONS, storageConfigFrom, verbAccessLogChain } from '../storage-options.js';
import { runningSystemUrl, runningSystemHasUsers, withSystemApi } from '../system-api.js';
import { terminalText } from '../terminal-text.js';
import { verbErrorText } from '../verb-sign-in.js';
import type { Verb, VerbIO } from '../verb.js';
import { claimsForVerb, type VerbClaims } from '../verb-claims.js';
import { loadVerbConfig, parseVerbArgs, usageErrorFor } from '../verb-options.js';

const USAGE = `Usage: platewatch users add --id ID --name NAME --title TITLE --role ROLE [--role ROLE…] [--trained DATE] [--as ADMIN]
       platewatch users train --id ID [--trained DATE] [--expires DATE] --as ADMIN
       platewatch users disable --id ID --as ADMIN
       platewatch users enable --id ID --as ADMIN
       platewatch users update --id ID [--role ROLE…] [--name NAME] [--title TITLE] --as ADMIN
       platewatch users passwd --id ID --as ADMIN|ID
       platewatch users list --as ADMIN|AUDITOR
       (each also takes [--password-stdin] [storage options])

add      Registers a user with their own password (Watsonville §471.5(h): individual credentials).
train    Records the date the user completed department-approved ALPR training (§471.5(d)) and,
         with --expires, the date it lapses (§471.10: refresher training); untrained users and
         users whose training has lapsed cannot sign in, see hits, search or export.
disable  Deactivates the user; their sessions end at once, and stay ended if the user is enabled
         or trained again: they sign in anew.
enable   Activates a disabled user again; they sign in anew (and only if trained).
update   Changes the user's roles (--role, repeated: the new set, replacing the old), name or title.
         An administrator cannot give themself a role nor take away their own administrator role.
passwd   Sets a new password (an administrator for anyone, a user for themself); lifts a lockout
         and ends the user's other sessions.
list     Every user with roles, TRAINED (the training date), LAST_DAY (the last day the training
         is valid: the day before --expires; - when it does not expire) and STATUS, who can sign
         in now: active, disabled, untrained, or training expired.

Every command but the first is done as an administrator: --as ADMIN, with the administrator's
password ("list" by an auditor too: users.view). The first administrator (bootstrap): while no user exists at all, "users add" runs
without --as, and must create a trained administrator:
  platewatch users add --id admin1 --name "R. Diaz" --title Lieutenant --role administrator --trained 2026-01-15

Passwords are never options. They are prompted for with echo off or, with --password-stdin, read
from standard input one a line: the --as user's password first, then the new password (add, passwd).
A password needs at least 12 characters other than spaces and may not contain the user id, nor be one
a guesser tries first: a character or short group repeated, a run (abcdef…, 123456…, qwerty…), or a
common password or word with digits or symbols at the ends (Password1234!, P@ssw0rd2026).
User ids are unique whatever their case: with admin1 registered, ADMIN1 cannot be added. The ids the
system records its own actions under (${RESERVED_USER_IDS.join(', ')}, any id
beginning "platewatch", in any case) cannot be added; a user stored with one earlier cannot sign in.

While "platewatch up" runs on the same embedded data directory (which it alone can open), each
command goes through its HTTP API with the same checks and access log. The bootstrap cannot: with no user, no one can sign
in to the API, so stop "platewatch up" to create the first administrator.

Options:
  --id ID            the user the command is about
  --name NAME        full name (add, update)
  --title TITLE      rank or title (add, update)
  --role ROLE        ${USER_ROLES.join(', ')} (add, update; repeatable)
  --trained DATE     training completion date, YYYY-MM-DD (add; train: [default: today])
  --expires DATE     training lapses on this date, YYYY-MM-DD, today or later (add, train): access
                     ends as the day begins (department time zone), so the last day with
                     access is the day before                           [default: no expiry]
  --as ID            who is doing it (an administrator; passwd: or the user themself)
  --password-stdin   read passwords from standard input instead of prompting
  --help             show this text

${STORAGE_OPTIONS_USAGE}

Exit status: 0 done; 1 refused, or storage failure; 2 usage or configuration error.
`;

const OPTIONS = {
  id: { type: 'string' },
  name: { type: 'string' },
  title: { type: 'string' },
  role: { type: 'string', multiple: true },
  trained: { type: 'string' },
  expires: { type: 'string' },
  as: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  ...STORAGE_PARSE_OPTIONS,
} as const;

const SUB_COMMANDS = ['add', 'train', 'disable', 'enable', 'update', 'passwd', 'list'] as const;
type SubCommand = (typeof SUB_COMMANDS)[number];

/** Options a new sub-command would otherwise ignore: refused, so no change asked for is dropped unsaid. */
const NOT_TAKEN: Partial<Record<SubCommand, ReadonlyArray<'role' | 'name' | 'title' | 'trained' | 'expires'>>> = {
  enable: ['role', 'name', 'title', 'trained', 'expires'],
  update: ['trained', 'expires'],
};

export const usersVerb: Verb = {
  name: 'users',
  summary: 'add, train, disable, enable, update and list the individual users; set passwords',
  usage: USAGE,
  run: runUsers,
};

const usageError = usageErrorFor('users', USAGE);

/** A refusal the operator can act on (exit 1). */
class Refusal extends Error {
  readonly code = 'REFUSED';
  override readonly name = 'Refusal';
}

function parseDay(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  return Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? null : text;
}

interface Request {
  sub: SubCommand;
  id: string | undefined;
  name: string | undefined;
  title: string | undefined;
  roles: UserRole[];
  trained: string | null;
  expires: string | null;
  /** The department's day (add, train; '' otherwise): the default training date. */
  today: string;
  as: string | undefined;
}

async function runUsers(args: string[], io: VerbIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) return usageError(io, 'a sub-command is needed', 'usage');
  if (!(SUB_COMMANDS as readonly string[]).includes(sub)) return usageError(io, `unknown sub-command "${sub}" (${SUB_COMMANDS.join(', ')})`);
  const parsed = parseVerbArgs('users', rest, OPTIONS, io);
  if (parsed === null) return 2;
  const { values } = parsed;
  if (parsed.positionals.length > 0) return usageError(io, `unexpected argument "${parsed.positionals[0]}" (passwords are never arguments)`);
  const roles = values.role ?? [];
  const badRole = roles.find((r) => !(USER_ROLES as readonly string[]).includes(r));
  if (badRole !== undefined) return usageError(io, `unknown role "${badRole}"; roles: ${USER_ROLES.join(', ')}`);
  // Training days are the department's (config `timeZone`): a UTC day refused today after 4 p.m. in California.
  let today = '';
  if (sub === 'add' || sub === 'train' || values.trained !== undefined || values.expires !== undefined) {
    const config = await loadVerbConfig('users', values.config, io);
    if (config === null) return 2;
    today = dayIn(config.timeZone);
  }
  let trained: string | null = null;
  if (values.trained !== undefined) {
    trained = parseDay(values.trained);
    if (trained === null) return usageError(io, '--trained must be a date, YYYY-MM-DD');
    if (trained > today) return usageError(io, `--trained ${trained} is a day still to come: record training once it is completed`);
  }
  let expires: string | null = null;
  if (values.expires !== undefined) {
    expires = parseDay(values.expires);
    if (expires === null) return usageError(io, '--expires must be a date, YYYY-MM-DD');
    // An expiry says when training will lapse; a past one would record a user who cannot sign in.
    if (expires < today) {
      return usageError(io, `--expires ${expires} is a day already past: give the day the training will lapse, today at the earliest (today ends access now)`);
    }
  }
  const request: Request = { sub: sub as SubCommand, id: values.id, name: values.name, title: values.title, roles: roles as UserRole[], trained, expires, today, as: values.as };
  if (request.sub !== 'list' && (request.id === undefined || request.id.trim() === '')) return usageError(io, '--id ID is required');
  if (request.id !== undefined && !/^[A-Za-z0-9_.@-]{1,64}$/.test(request.id)) return usageError(io, '--id must be 1–64 of A-Z a-z 0-9 _ . @ -');
  if (request.sub === 'add') {
    // Only add: a reserved id stored before the rule must stay reachable, to disable it.
    const reserved = userIdProblem(request.id as string);
    if (reserved !== null) {
      io.stderr.write(`platewatch users add: ${reserved}\n`);
      return 1;
    }
    if (!request.name?.trim() || !request.title?.trim()) return usageError(io, 'add needs --name and --title');
    if (roles.length === 0) return usageError(io, 'add needs at least one --role');
  }
  const notTaken = NOT_TAKEN[request.sub]?.find((option) => values[option] !== undefined);
  if (notTaken !== undefined) return usageError(io, `${request.sub} does not take --${notTaken}${notTaken === 'trained' || notTaken === 'expires' ? ' (training dates: "users train")' : ' (roles, name, title: "users update")'}`);
  if (request.sub === 'update') {
    if (roles.length === 0 && request.name === undefined && request.title === undefined) return usageError(io, 'update needs what changes: --role, --name or --title');
    if (request.name?.trim() === '' || request.title?.trim() === '') return usageError(io, '--name and --title may not be empty');
  }
  for (const [label, text] of [['--name', request.name], ['--title', request.title]] as const) {
    const problem = text === undefined ? null : personTextProblem(label, text);
    if (problem !== null) return usageError(io, problem);
  }

  const storageConfig = await storageConfigFrom(values, io);
  if (storageConfig === undefined) return 2;
  const passwords = values['password-stdin'] === true ? await passwordsFromStdin(io) : passwordsFromTerminal(io);
  const systemUrl = await runningSystemUrl(storageConfig);
  if (systemUrl !== undefined) return usersThroughSystem(systemUrl, request, passwords, io);
  // Only the first administrator's bootstrap starts a new system; anything else needs the data there.
  const storage = await openForVerb(storageConfig, io, request.sub === 'add' && request.as === undefined ? 'create' : 'existing');
  if (storage === undefined) return 1;
  let nats: VerbClaims | undefined;
  try {
    // Against a server, a gateway may change the same user at the same moment (bin/verb-claims.ts).
    if (storage.kind === 'server' && request.sub !== 'list' && request.sub !== 'passwd') {
      const config = await loadVerbConfig('users', values.config, io);
      if (config !== null) nats = await claimsForVerb('users', 'user', config, io);
    }
    const accessLog = new AccessLog(storage, verbAccessLogChain(storage));
    const credentials = new CredentialStore(storage, accessLog);
    await runSubCommand(storage, credentials, accessLog, request, passwords, io, nats?.claims);
    return 0;
  } catch (error) {
    const expected = error instanceof Refusal || error instanceof PasswordInputError || (error instanceof StorageError && error.code === 'WEAK_PASSWORD');
    if (expected) {
      io.stderr.write(`platewatch users ${sub}: ${terminalText(error.message)}\n`);
      return 1;
    }
    io.stderr.write(`platewatch users ${sub}: ${verbErrorText(error)}\n`);
    return 1;
  } finally {
    await nats?.close();
    await storage.close();
  }
}

/**
 * Checks the --as user's password and standing; administrators only, except a user's own passwd and
 * `list`, which auditors may run too (users.view, as over the API).
 */
async function authenticate(credentials: CredentialStore, accessLog: AccessLog, request: Request, passwords: PasswordSource): Promise<string> {
  const as = request.as;
  if (as === undefined) throw new Refusal('users exist already: run this as an administrator, --as ADMIN');
  const check = await credentials.checkPassword(as, await passwords.next(`password for ${as}`), 'cli');
  if (!check.ok) {
    if (check.reason === 'locked') throw new Refusal(`${as} is locked after repeated failed logins until ${new Date(check.lockedUntil).toISOString()}`);
    throw new Refusal(check.reason === 'not_authorised' ? check.detail : 'unknown user or wrong password');
  }
  const ownPassword = request.sub === 'passwd' && as === request.id;
  const permission = request.sub === 'list' ? 'users.view' : 'users.manage';
  if (!ownPassword && !mayPerform(check.user.roles, permission)) {
    await accessLog.append({
      user: as, action: 'user', outcome: 'refused', params: { op: request.sub, user: request.id ?? null, via: 'cli' }, rowsReturned: 0,
      caseNumber: '', reason: '', detail: `${as} is not an administrator (${permission})`,
    });
    throw new Refusal(permission === 'users.view' ? `${as} is not an administrator or an auditor` : `${as} is not an administrator`);
  }
  return as;
}

async function runSubCommand(
  storage: Storage, credentials: CredentialStore, accessLog: AccessLog, request: Request, passwords: PasswordSource, io: VerbIO, claims?: VersionClaims,
): Promise<void> {
  const existing = await listUsers(storage);
  // Bootstrap: the first administrator, only while there is no user at all (no default password).
  const bootstrap = request.sub === 'add' && existing.length === 0 && request.as === undefined;
  if (bootstrap) {
    if (!request.roles.includes('administrator')) throw new Refusal('the first user must be an administrator (--role administrator)');
    if (request.trained === null) throw new Refusal('the first administrator must be trained (--trained DATE): untrained users cannot sign in');
  }
  const actor = bootstrap ? (request.id as string) : await authenticate(credentials, accessLog, request, passwords);
  // Accounts, roles and training are on the record, as the administrator's API logs them (§471.4.1(b)).
  const logChange = (params: Record<string, unknown>): Promise<unknown> =>
    accessLog.append({ user: actor, action: 'user', outcome: 'ok', params: { ...params, via: 'cli' }, rowsReturned: 0, caseNumber: '', reason: '', detail: '' });

  if (request.sub === 'list') {
    printUsers(io, existing.map((u) => ({ user: u, status: userStatus(u, Date.now(), storage.config.timeZone) })));
    return;
  }

  const id = request.id as string;
  const user = await findUser(storage, id);
  if (request.sub === 'add') {
    if (user !== undefined) throw new Refusal(`user "${id}" exists already; use train, disable, enable, update or passwd`);
    const password = await passwords.next(`new password for ${id}`, true);
    const added: User = { userId: id, name: request.name!.trim(), title: request.title!.trim(), roles: request.roles, trainedAt: request.trained, trainingExpiresAt: request.expires, active: true };
    // As the gateway adds a user: the password is checked first, so a weak one leaves no user
    // behind, and stored once the user is, so a gateway adding the same id at the same moment
    // (claims, server mode) does not get its password overwritten.
    const weakness = passwordProblem(password, id, added);
    if (weakness !== null) throw new StorageError('WEAK_PASSWORD', weakness);
    // Storage refuses the same id added elsewhere at the same moment, and an id differing only in case.
    await saveUser(storage, added, actor, claims).catch((error: unknown) => {
      if (error instanceof StorageError && error.code === 'CONCURRENT_CHANGE') throw new Refusal(`${error.message}; use train, disable, enable, update or passwd`, { cause: error });
      throw error;
    });
    await credentials.setPassword(id, password, actor);
    await logChange({ op: 'add', user: id, roles: added.roles, ...(bootstrap ? { bootstrap: true } : {}) });
    printAdded(io, added, bootstrap);
    return;
  }
  if (user === undefined) throw new Refusal(`no user "${id}"`);
  if (request.sub === 'train') {
    const { day, expires } = trainingOf(request);
    const ended = await saveUser(storage, { ...user, trainedAt: day, trainingExpiresAt: expires }, actor, claims);
    await logChange({ op: 'train', user: id, trainedAt: day, trainingExpiresAt: expires, sessionsEnded: ended });
    printTrained(io, id, day, expires);
  } else if (request.sub === 'disable') {
    refuseSelfDisable(id, actor);
    const ended = await saveUser(storage, { ...user, active: false }, actor, claims);
    await logChange({ op: 'disable', user: id, sessionsEnded: ended });
    printDisabled(io, id);
  } else if (request.sub === 'enable') {
    const enabled: User = { ...user, active: true };
    const ended = await saveUser(storage, enabled, actor, claims);
    await logChange({ op: 'enable', user: id, sessionsEnded: ended });
    printEnabled(io, id, userStatus(enabled, Date.now(), storage.config.timeZone));
  } else if (request.sub === 'update') {
    const changes = changesOf(request);
    const next: User = { ...user, ...(changes.roles === undefined ? {} : { roles: changes.roles }), ...(changes.name === undefined ? {} : { name: changes.name }), ...(changes.title === undefined ? {} : { title: changes.title }) };
    const own = ownAccountRefusal(actor, user, next);
    if (own !== null) {
      // As POST /api/users/:id: a role given to oneself is on the record.
      if (own.code === 'SELF_ROLE_GRANT') {
        await accessLog.append({ user: actor, action: 'user', outcome: 'refused', params: { op: 'update', user: id, changes, via: 'cli' }, rowsReturned: 0, caseNumber: '', reason: '', detail: own.message });
      }
      throw new Refusal(`${own.code}: ${own.message}`);
    }
    const ended = await saveUser(storage, next, actor, claims);
    // rolesAdded: the memorandum puts a privileged role given before the Chief (storage/account-changes.ts).
    await logChange({ op: 'update', user: id, changes, rolesAdded: addedRoles(user, next), sessionsEnded: ended });
    printUpdated(io, next);
  } else {
    await credentials.setPassword(id, await passwords.next(`new password for ${id}`, true), actor);
    await logChange({ op: 'password', user: id });
    printPasswordSet(io, id);
  }
}

/** STATUS as the table shows it: who can sign in now, and if not why (gateway/user-routes.ts userStatus). */
const STATUS_LABELS: Record<UserStatus, string> = {
  active: 'active', disabled: 'disabled', untrained: 'untrained', training_expired: 'training expired', reserved_id: 'reserved id: cannot sign in',
};

function printUsers(io: VerbIO, users: ReadonlyArray<{ user: User; status: UserStatus }>): void {
  // The last day with access, not the expiry date: "EXPIRES 2026-12-07" read as "through the 7th" (found by QA).
  const rows = users.map(({ user: u, status }) => [u.userId, u.name, u.title, u.roles.join(','), u.trainedAt ?? 'untrained', u.trainingExpiresAt == null ? '-' : dayBefore(u.trainingExpiresAt), STATUS_LABELS[status]]);
  const table = [['ID', 'NAME', 'TITLE', 'ROLES', 'TRAINED', 'LAST_DAY', 'STATUS'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] as string).length)));
  for (const r of table) io.stdout.write(`${r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()}\n`);
}

function printAdded(io: VerbIO, added: User, bootstrap: boolean): void {
  io.stdout.write(`added ${added.userId} (${added.roles.join(', ')})${bootstrap ? ' as the first administrator' : ''}${added.trainedAt ? '' : '; untrained: cannot sign in until "users train"'}\n`);
}

/** The training `train` records: --trained (today by default) and --expires, which must come after it. */
function trainingOf(request: Request): { day: string; expires: string | null } {
  const day = request.trained ?? request.today;
  if (request.expires !== null && request.expires <= day) throw new Refusal(`--expires ${request.expires} must be after the training date ${day}`);
  return { day, expires: request.expires };
}

/** Said the way it works: access ends as the expiry day begins, so the day before is the last ("until 2026-12-07" read as through the 7th; found by QA). */
function printTrained(io: VerbIO, id: string, day: string, expires: string | null): void {
  io.stdout.write(`${id} trained on ${day}${expires === null ? '; training does not expire' : `; training expires ${expires}: last day ${dayBefore(expires)}`}\n`);
}

/** The calendar day before YYYY-MM-DD. */
function dayBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function refuseSelfDisable(id: string, actor: string): void {
  if (id === actor) throw new Refusal('an administrator cannot disable themself; ask another administrator');
}

function printDisabled(io: VerbIO, id: string): void {
  io.stdout.write(`${id} disabled; their sessions have ended\n`);
}

/** Enabled, and whether they can sign in now: a lapsed or missing training still keeps them out. */
function printEnabled(io: VerbIO, id: string, status: UserStatus): void {
  if (status === 'active') io.stdout.write(`${id} enabled; they sign in anew\n`);
  else io.stdout.write(`${id} enabled, but cannot sign in: ${STATUS_LABELS[status]}${status === 'untrained' || status === 'training_expired' ? ' (users train)' : ''}\n`);
}

/** What update changes, as POST /api/users/:id takes it: roles replace the old set. */
function changesOf(request: Request): { roles?: UserRole[]; name?: string; title?: string } {
  return {
    ...(request.roles.length === 0 ? {} : { roles: [...new Set(request.roles)] }),
    ...(request.name === undefined ? {} : { name: request.name.trim() }),
    ...(request.title === undefined ? {} : { title: request.title.trim() }),
  };
}

function printUpdated(io: VerbIO, u: User): void {
  io.stdout.write(terminalText(`${u.userId} updated: roles ${u.roles.join(', ')}; name "${u.name}"; title "${u.title}"`) + '\n');
}

function printPasswordSet(io: VerbIO, id: string): void {
  io.stdout.write(`password of ${id} set\n`);
}

/** A user as GET/POST /api/users show it (gateway/user-routes.ts userView). */
interface UserView {
  id: string;
  name: string;
  title: string;
  roles: UserRole[];
  trainedAt: string | null;
  trainingExpiresAt: string | null;
  active: boolean;
  /** Absent from a gateway older than the field: worked out here then. */
  status?: UserStatus;
}

function userOf(v: UserView): User {
  return { userId: v.id, name: v.name, title: v.title, roles: v.roles, trainedAt: v.trainedAt, trainingExpiresAt: v.trainingExpiresAt, active: v.active };
}

/** The command done by the running system's API (bin/system-api.ts), printed as if done here. */
function usersThroughSystem(url: string, request: Request, passwords: PasswordSource, io: VerbIO): Promise<number> | number {
  const as = request.as;
  if (as === undefined) {
    // The bootstrap needs storage opened here: with no user, no one can sign in to the API. Told
    // only when there is none: told while users existed, an administrator stopped production.
    const hasUsers = runningSystemHasUsers(url);
    const bootstrap = 'the first administrator (users add without --as, while no user exists) cannot be created while "platewatch up" runs: ' +
      'it holds the storage, and with no user no one can sign in to its API. Stop "platewatch up", run this again, then start it';
    const why = hasUsers === true ? 'users exist already: run this as an administrator, --as ADMIN'
      : request.sub !== 'add' ? 'run this as an administrator, --as ADMIN'
      : hasUsers === false ? bootstrap : `${bootstrap}; if users exist already, run this as an administrator, --as ADMIN`;
    io.stderr.write(`platewatch users ${request.sub}: ${terminalText(why)}\n`);
    return 1;
  }
  const path = `/api/users/${encodeURIComponent(request.id ?? '')}`;
  // The password --as signs in with is also the current one a user changing their own must give.
  let signInPassword = '';
  const signIn: PasswordSource = { next: async (label, confirm) => (signInPassword = await passwords.next(label, confirm)) };
  return withSystemApi(url, as, signIn, `users ${request.sub}`, io, async (api) => {
    const id = request.id as string;
    switch (request.sub) {
      case 'list':
        printUsers(io, (await api.json<{ users: UserView[] }>('GET', '/api/users')).users.map((v) => ({ user: userOf(v), status: v.status ?? userStatus(userOf(v)) })));
        break;
      case 'add': {
        const password = await passwords.next(`new password for ${id}`, true);
        const { user } = await api.json<{ user: UserView }>('POST', '/api/users', {
          id, name: request.name!.trim(), title: request.title!.trim(), roles: request.roles, trainedAt: request.trained, trainingExpiresAt: request.expires, password,
        });
        printAdded(io, userOf(user), false);
        break;
      }
      case 'train': {
        const { day, expires } = trainingOf(request);
        await api.json('POST', path, { trainedAt: day, trainingExpiresAt: expires });
        printTrained(io, id, day, expires);
        break;
      }
      case 'disable':
        refuseSelfDisable(id, as);
        await api.json('POST', path, { active: false });
        printDisabled(io, id);
        break;
      case 'enable': {
        const { user } = await api.json<{ user: UserView }>('POST', path, { active: true });
        printEnabled(io, id, user.status ?? userStatus(userOf(user)));
        break;
      }
      case 'update': {
        const { user } = await api.json<{ user: UserView }>('POST', path, changesOf(request));
        printUpdated(io, userOf(user));
        break;
      }
      case 'passwd': {
        const password = await passwords.next(`new password for ${id}`, true);
        await api.send('POST', `${path}/password`, id === as ? { password, currentPassword: signInPassword } : { password });
        printPasswordSet(io, id);
        break;
      }
    }
  });
}
