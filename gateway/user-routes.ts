// Accounts over HTTP for the administrator's console (Watsonville §471.4.1(a)(b): only trained,
// authorised members; §471.5(h): individual credentials). Every change is a new version of the
// user (storage/users.ts keeps them all, so the audit can ask who was trained when) and an
// access log record naming who made it. A change takes effect on the user's sessions at once: the
// consoles open on this gateway are checked again (closed when the change ends their access), and
// a password set ends the user's other sessions. A session ended by disabling or untraining stays
// ended when access is restored (storage/users.ts saveUser): the user signs in again.
//   GET  /api/users                  users.view    every user with roles, training, status (who can sign in)
//   POST /api/users                  users.manage  add a user with their own password
//   POST /api/users/:id              users.manage  change roles, name, title, training, active
//   POST /api/users/:id/password     users.manage  set a password (a user changes their own via any
//                                                  role, giving the current one: a stolen token
//                                                  alone cannot take the account over)
import {
  ACCESS_OUTCOMES, accessProblem, dayIn, DEFAULT_TIME_ZONE, findUser, isReservedUserId, listUsers, passwordProblem, saveUser, startOfDayIn, StorageError, timeZoneOf, USER_ROLES, userIdProblem,
  type AccessLog, type PasswordCheck, type Storage, type User, type UserRole, type VersionClaims,
} from '../storage/index.js';
import type { ApiGuard } from './api-guard.js';
import { bearerToken } from './auth-routes.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { SESSION_CLOSE_REASONS, type SessionWatch } from './session-watch.js';
import { storageRefusalAsHttp } from './storage-errors.js';
import { objectBody, optionalBoolean, optionalText, parseDay, pathParam, requiredSecret, requiredText } from './request-fields.js';

export interface UserRouteDeps {
  guard: ApiGuard;
  /** `config`, when there, gives the department's time zone: training dates are days there. */
  storage: Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;
  accessLog: Pick<AccessLog, 'append'>;
  credentials: {
    /** Sets the password and ends the user's sessions but `keepToken`'s; resolves to how many it ended. */
    setPassword(userId: string, password: string, setBy: string, keepToken?: string): Promise<number>;
    /** Checks a password as a login would (lockout counted, the attempt logged), opening no session. */
    checkPassword(userId: string, password: string, via: string): Promise<PasswordCheck>;
  };
  /** Consoles open on this gateway, closed at once when a change ends their access. @default none: at the next periodic check */
  consoles?: Pick<SessionWatch, 'recheckUser' | 'endUserSessions' | 'tellOtherGateways'>;
  /** Shared by every gateway, so two cannot both write the next version of a user (storage/version-claims.ts). */
  claims?: VersionClaims;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const CODE = 'BAD_USER';
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

/**
 * Whether the user can sign in now, and if not the first thing an administrator must fix:
 * `active` exactly when storage lets them in (accessProblem), never a guess from one field.
 */
export const USER_STATUSES = ['active', 'disabled', 'untrained', 'training_expired', 'reserved_id'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export function userStatus(u: User, now = Date.now(), timeZone = DEFAULT_TIME_ZONE): UserStatus {
  if (accessProblem(u, u.userId, now, timeZone) === null) return 'active';
  // Stored before reserved ids were refused: it cannot sign in whatever else is fixed.
  if (isReservedUserId(u.userId)) return 'reserved_id';
  if (!u.active) return 'disabled';
  // A training day still to come (written before such dates were refused) is no training yet.
  if (u.trainedAt === null || u.trainedAt > dayIn(timeZone, now)) return 'untrained';
  return 'training_expired';
}

/** A user as the API shows it; statuses as of now in the department's `timeZone`. */
export function userView(u: User, timeZone = DEFAULT_TIME_ZONE): Record<string, unknown> {
  return {
    id: u.userId, name: u.name, title: u.title, roles: u.roles, trainedAt: u.trainedAt, trainingExpiresAt: u.trainingExpiresAt ?? null,
    active: u.active, trainingStatus: trainingStatus(u, Date.now(), timeZone), status: userStatus(u, Date.now(), timeZone),
  };
}

/**
 * Why a person's name or title cannot be kept as given, or null. Control characters (C0 with NUL,
 * tab, CR and LF; DEL; C1) break `platewatch users list`, one line per user, and can hide or
 * rewrite text on a terminal; letters of any script, accents, apostrophes and hyphens are names.
 */
export function personTextProblem(label: string, text: string): string | null {
  return /\p{Cc}/u.test(text) ? `${label} may not contain control characters (tab, line break, NUL and the like)` : null;
}

function trainingStatus(u: User, now: number, timeZone: string): 'untrained' | 'expired' | 'expiring' | 'trained' {
  if (u.trainedAt === null) return 'untrained';
  const expires = u.trainingExpiresAt ?? null;
  if (expires === null) return 'trained';
  if (expires <= dayIn(timeZone, now)) return 'expired';
  // A month's warning, so the administrator can schedule the refresher (§471.10).
  return startOfDayIn(timeZone, expires) - now < 30 * 86_400_000 ? 'expiring' : 'trained';
}

/** A name or title field, trimmed; 400 when it holds a control character, even one trimming would drop. */
function personText(b: Record<string, unknown>, key: string, required: true): string;
function personText(b: Record<string, unknown>, key: string, required: false): string | undefined;
function personText(b: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const raw = optionalText(b, key, CODE, 200);
  const problem = raw === undefined ? null : personTextProblem(`"${key}"`, raw);
  if (problem !== null) throw new HttpError(400, CODE, problem);
  if (required) return requiredText(b, key, CODE, 200);
  const text = raw?.trim();
  return text === '' ? undefined : text;
}

function rolesField(b: Record<string, unknown>): UserRole[] | undefined {
  const v = b['roles'];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((r) => typeof r === 'string' && (USER_ROLES as readonly string[]).includes(r))) {
    throw new HttpError(400, CODE, `"roles" must be a non-empty list of: ${USER_ROLES.join(', ')}`);
  }
  return [...new Set(v as UserRole[])];
}

function dayField(b: Record<string, unknown>, key: string): string | null | undefined {
  const v = b[key];
  if (v === null) return null;
  const text = optionalText(b, key, CODE, 10);
  return text === undefined ? undefined : parseDay(text, key, CODE);
}

export function userRoutes(deps: UserRouteDeps): JsonRoute[] {
  const { guard, storage, accessLog, credentials, claims, consoles } = deps;
  const timeZone = timeZoneOf(storage);
  const prefix = deps.prefix ?? '/api';

  const logChange = (actor: string, params: unknown): Promise<unknown> =>
    accessLog.append({ user: actor, action: 'user', outcome: ACCESS_OUTCOMES.ok, params, rowsReturned: 0, caseNumber: '', reason: '', detail: '' });

  /** Writes the refusal to the access log, then throws it. */
  const refuse = async (actor: string, params: unknown, error: HttpError): Promise<never> => {
    await accessLog.append({ user: actor, action: 'user', outcome: ACCESS_OUTCOMES.refused, params, rowsReturned: 0, caseNumber: '', reason: '', detail: error.message });
    throw error;
  };

  const weak = (error: unknown): never => {
    throw storageRefusalAsHttp(error);
  };

  const list = async (request: JsonRequest): Promise<JsonReply> => {
    await guard.require(request, 'users.view');
    return { status: 200, body: { users: (await listUsers(storage)).map((u) => userView(u, timeZone)) } };
  };

  const add = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'users.manage');
    const b = objectBody(request.body, ['id', 'name', 'title', 'roles', 'trainedAt', 'trainingExpiresAt', 'password'], CODE);
    const id = requiredText(b, 'id', CODE, 64);
    if (!USER_ID.test(id)) throw new HttpError(400, CODE, '"id" must be 1–64 of A-Z a-z 0-9 _ . @ -');
    const reserved = userIdProblem(id);
    if (reserved !== null) throw new HttpError(400, 'RESERVED_USER_ID', reserved);
    const roles = rolesField(b);
    if (roles === undefined) throw new HttpError(400, CODE, '"roles" is required');
    const user: User = {
      userId: id, name: personText(b, 'name', true), title: personText(b, 'title', true), roles,
      trainedAt: dayField(b, 'trainedAt') ?? null, trainingExpiresAt: dayField(b, 'trainingExpiresAt') ?? null, active: true,
    };
    checkTrainingDates(user, b, timeZone);
    const password = requiredSecret(b, 'password', CODE, 1024);
    if ((await findUser(storage, id)) !== undefined) throw new HttpError(409, 'USER_EXISTS', `user "${id}" exists already`);
    // The password is checked first, so a weak one leaves no user behind; it is stored once the
    // user is, so a second administrator adding the same id at the same moment sets no password.
    const weakness = passwordProblem(password, id, user);
    if (weakness !== null) throw new HttpError(400, 'WEAK_PASSWORD', weakness);
    // Storage refuses the same id added elsewhere at the same moment, and an id differing only in case.
    await saveUser(storage, user, session.user, claims).catch((error: unknown) => {
      if (error instanceof StorageError && error.code === 'CONCURRENT_CHANGE') throw new HttpError(409, 'USER_EXISTS', error.message, { cause: error });
      throw error;
    });
    await credentials.setPassword(id, password, session.user).catch(weak);
    await logChange(session.user, { op: 'add', user: id, roles });
    return { status: 201, body: { user: userView(user, timeZone) } };
  };

  const update = async (request: JsonRequest): Promise<JsonReply> => {
    const session = await guard.require(request, 'users.manage');
    const id = pathParam(request.params[0], 'user id');
    const b = objectBody(request.body, ['name', 'title', 'roles', 'trainedAt', 'trainingExpiresAt', 'active'], CODE);
    const user = await findUser(storage, id);
    if (user === undefined) throw new HttpError(404, 'UNKNOWN_USER', `no user "${id}"`);
    const next: User = { ...user };
    const name = personText(b, 'name', false);
    if (name !== undefined) next.name = name;
    const title = personText(b, 'title', false);
    if (title !== undefined) next.title = title;
    const roles = rolesField(b);
    if (roles !== undefined) next.roles = roles;
    const trainedAt = dayField(b, 'trainedAt');
    if (trainedAt !== undefined) next.trainedAt = trainedAt;
    const expires = dayField(b, 'trainingExpiresAt');
    if (expires !== undefined) next.trainingExpiresAt = expires;
    const active = optionalBoolean(b, 'active', CODE);
    if (active !== undefined) next.active = active;
    checkTrainingDates(next, b, timeZone);
    const own = ownAccountRefusal(session.user, user, next);
    if (own?.code === 'SELF_LOCKOUT') throw new HttpError(409, own.code, own.message);
    if (own?.code === 'SELF_ROLE_GRANT') return refuse(session.user, { op: 'update', user: id, changes: b }, new HttpError(403, own.code, own.message));
    const added = addedRoles(user, next);
    const ended = await saveUser(storage, next, session.user, claims).catch(weak);
    await logChange(session.user, { op: 'update', user: id, changes: b, rolesAdded: added, sessionsEnded: ended });
    await consoles?.recheckUser(id, endedReason(next, timeZone));
    consoles?.tellOtherGateways(id);
    return { status: 200, body: { user: userView(next, timeZone) } };
  };

  /** A user changing their own password proves it is them: the session alone may be a stolen token. */
  const checkCurrentPassword = async (id: string, b: Record<string, unknown>): Promise<void> => {
    const params = { op: 'password', user: id };
    const current = optionalText(b, 'currentPassword', CODE, 1024);
    if (current === undefined || current === '') {
      return refuse(id, params, new HttpError(400, 'CURRENT_PASSWORD_REQUIRED', 'changing your own password needs "currentPassword", the password you sign in with now'));
    }
    const check = await credentials.checkPassword(id, current, 'password change');
    if (check.ok) return;
    switch (check.reason) {
      case 'bad_credentials':
        return refuse(id, params, new HttpError(403, 'WRONG_PASSWORD', '"currentPassword" is not your current password; the password was not changed'));
      case 'locked':
        return refuse(id, params, new HttpError(423, 'LOCKED', `too many failed attempts; try again after ${new Date(check.lockedUntil).toISOString()} or ask an administrator`));
      case 'not_authorised':
        return refuse(id, params, new HttpError(403, 'NOT_AUTHORISED', check.detail));
    }
  };

  const password = async (request: JsonRequest): Promise<JsonReply> => {
    const id = pathParam(request.params[0], 'user id');
    // Anyone signed in may change their own password, giving the current one; anyone else's
    // needs users.manage (an administrator's reset does not need the user's password).
    const me = await guard.session(request);
    const own = id === me.user;
    const session = own ? me : await guard.authorise(me, 'users.manage', request);
    const b = objectBody(request.body, ['password', 'currentPassword'], CODE);
    const next = requiredSecret(b, 'password', CODE, 1024);
    if (!own && b['currentPassword'] !== undefined) {
      throw new HttpError(400, CODE, '"currentPassword" is for changing your own password; an administrator setting another user\'s sends only "password"');
    }
    if ((await findUser(storage, id)) === undefined) throw new HttpError(404, 'UNKNOWN_USER', `no user "${id}"`);
    if (own) await checkCurrentPassword(id, b);
    // The new password ends every other session of the user; the one that changed its own stays.
    const keep = own ? (bearerToken(request) ?? undefined) : undefined;
    const ended = await credentials.setPassword(id, next, session.user, keep).catch(weak);
    consoles?.endUserSessions(id, SESSION_CLOSE_REASONS.passwordSet, keep);
    consoles?.tellOtherGateways(id);
    await logChange(session.user, { op: 'password', user: id, sessionsEnded: ended });
    return { status: 204 };
  };

  return [
    { method: 'get', pattern: `${prefix}/users`, handler: list, query: { names: [], code: CODE } },
    { method: 'post', pattern: `${prefix}/users`, handler: add },
    { method: 'post', pattern: `${prefix}/users/:id/password`, handler: password },
    { method: 'post', pattern: `${prefix}/users/:id`, handler: update },
  ];
}

/** The roles `next` has that `before` had not. */
export function addedRoles(before: User, next: User): UserRole[] {
  return next.roles.filter((r) => !before.roles.includes(r));
}

/**
 * Why `actor` may not make their own account `before` into `next`, or null; the one rule this
 * route and `platewatch users update|enable|disable` keep. SELF_ROLE_GRANT is an attempt at power:
 * its refusal goes on the access log.
 */
export function ownAccountRefusal(actor: string, before: User, next: User): { code: 'SELF_LOCKOUT' | 'SELF_ROLE_GRANT'; message: string } | null {
  if (before.userId !== actor) return null;
  // An administrator cannot lock themself out; another administrator must do it.
  if (!next.active || !next.roles.includes('administrator')) {
    return { code: 'SELF_LOCKOUT', message: 'you cannot disable yourself or remove your own administrator role; ask another administrator' };
  }
  // Separation of duties: an administrator who gave themself the chief's or the auditor's role
  // could approve their own releases or audit their own actions (Watsonville §471.8, §471.9).
  const added = addedRoles(before, next);
  if (added.length > 0) return { code: 'SELF_ROLE_GRANT', message: `you cannot give yourself a role (${added.join(', ')}); another administrator must grant it` };
  return null;
}

/** What a console is told when a change to its user ends the session. */
function endedReason(u: User, timeZone: string): string {
  if (!u.active) return SESSION_CLOSE_REASONS.disabled;
  if (accessProblem(u, u.userId, Date.now(), timeZone) !== null) return SESSION_CLOSE_REASONS.notTrained;
  return SESSION_CLOSE_REASONS.invalid;
}

/** Training dates that make sense together; `given` (the request) says which were asked for now. */
function checkTrainingDates(u: User, given: Record<string, unknown>, timeZone: string, now = Date.now()): void {
  // Days where the department is: a UTC day refused today's date after 4 p.m. in California.
  const today = dayIn(timeZone, now);
  // Training is recorded once done; a date to come would let the user in before it (§471.5(d)).
  if (u.trainedAt !== null && u.trainedAt > today) {
    throw new HttpError(400, CODE, '"trainedAt" is a day still to come: record training once it is completed');
  }
  const expires = u.trainingExpiresAt ?? null;
  if (expires === null) return;
  if (u.trainedAt === null) throw new HttpError(400, CODE, '"trainingExpiresAt" needs "trainedAt"');
  if (expires <= u.trainedAt) throw new HttpError(400, CODE, '"trainingExpiresAt" must be after "trainedAt"');
  // An expiry is when training will lapse; one already past records a user who cannot sign in.
  // Today is allowed: it lapses the training now. A stored expiry that has passed since is kept.
  if (given['trainingExpiresAt'] !== undefined && expires < today) {
    throw new HttpError(400, CODE, `"trainingExpiresAt" ${expires} is a day already past: give the day the training will lapse, today at the earliest (today ends access now)`);
  }
}
