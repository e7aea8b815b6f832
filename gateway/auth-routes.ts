// Sign-in over HTTP: POST /api/login, POST /api/logout, GET /api/me. Accounts, passwords, lockout
// and sessions live behind the `Authenticator` (storage/credentials.ts implements it), so gateway/
// does not depend on storage/. Individual credentials only (Watsonville §471.5(h)); the tokens
// issued here are the ones the WebSocket upgrade takes (session.ts); a logout closes the consoles
// open on this gateway with that token at once (session-watch.ts; other gateways' at their next check).
import { DEFAULT_TIME_ZONE, mayPerform, oneAtATimePerKey, PERMISSION_NAMES } from '../storage/index.js';
import { HttpError, type JsonReply, type JsonRequest, type JsonRoute } from './http-json.js';
import { DEFAULT_IDLE_LOCK, idleLockMinutes, type IdleLockPolicy } from './idle-lock.js';
import type { ImageSources } from './image-sources.js';
import { clientAddress, LoginThrottle, trustedProxySet } from './login-throttle.js';
import { objectBody } from './request-fields.js';
import { SESSION_CLOSE_REASONS, type SessionWatch } from './session-watch.js';

export interface AuthenticatedUser {
  id: string;
  name: string;
  roles: readonly string[];
}

export type LoginResult =
  | { ok: true; token: string; expiresAt: number; user: AuthenticatedUser }
  /** Unknown user or wrong password: answered alike, so user ids cannot be probed. */
  | { ok: false; reason: 'bad_credentials' }
  /** Too many failures from this client address: it is locked out of the account, the owner elsewhere is not. */
  | { ok: false; reason: 'locked'; lockedUntil: number }
  /** The account is being guessed at from many addresses: this one may try again at `retryAt`. */
  | { ok: false; reason: 'slowed'; retryAt: number }
  /** The password was right but the user may not use the system (inactive, untrained: §471.5(d)). */
  | { ok: false; reason: 'not_authorised'; detail: string };

/**
 * Why a console ended its session when not at its user's click: `idle_lock`, locked after the idle
 * minutes (idle-lock.ts), so an auditor can tell a lock from a sign-out in the access log.
 */
export const LOGOUT_REASONS = ['idle_lock'] as const;
export type LogoutReason = (typeof LOGOUT_REASONS)[number];

function logoutReason(body: unknown): LogoutReason | undefined {
  if (body === undefined) return undefined;
  const reason = objectBody(body, ['reason'], 'BAD_LOGOUT')['reason'];
  if (reason === undefined) return undefined;
  if (typeof reason === 'string' && (LOGOUT_REASONS as readonly string[]).includes(reason)) return reason as LogoutReason;
  throw new HttpError(400, 'BAD_LOGOUT', `"reason" may only be ${LOGOUT_REASONS.map((r) => `"${r}"`).join(', ')}, or left out`);
}

export interface SessionUser {
  user: string;
  name: string;
  roles: readonly string[];
  expiresAt: number;
}

export interface Authenticator {
  /** `client` is the address the attempt came from (clientAddress): lockout is per account and client. */
  login(userId: string, password: string, client: string): Promise<LoginResult>;
  /** Revokes the session; false when it was not a valid one. `reason`: why the console ended it, for the access log. */
  logout(token: string, reason?: LogoutReason): Promise<boolean>;
  /** The session's user, or null when the token is unknown, expired, revoked or its user no longer authorised. */
  verify(token: string): Promise<SessionUser | null>;
}

export interface AuthRouteDeps {
  authenticator: Authenticator;
  /** Failed logins per client address. @default a LoginThrottle with DEFAULT_LOGIN_THROTTLE */
  throttle?: LoginThrottle;
  /** Open consoles, closed at logout. @default none: consoles close at the next periodic check */
  consoles?: Pick<SessionWatch, 'endSession' | 'tellOtherGateways'>;
  /** Proxies besides loopback whose X-Forwarded-For names the client (login-throttle.ts). @default none */
  trustedProxies?: readonly string[];
  /**
   * The department's IANA time zone (config `timeZone`), told to consoles by GET /api/me so they
   * show and read times in it rather than in the workstation's zone. @default the process's zone
   */
  timeZone?: string;
  /**
   * After how long without input a console locks, and whom that spares (idle-lock.ts); told to the
   * console with each sign-in and by GET /api/me as `idleLockMinutes` (null: never).
   * @default DEFAULT_IDLE_LOCK (30 minutes; dispatchers, officers and supervisors exempt)
   */
  idleLock?: IdleLockPolicy;
  /**
   * Where consoles may load the reads' images from (image-sources.ts), told by GET /api/me as
   * `images`. @default none: a read's image reference is shown as text
   */
  images?: ImageSources;
  /** Path prefix. @default '/api' */
  prefix?: string;
}

const MAX_FIELD_LENGTH = 1024;

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(request: Pick<JsonRequest, 'headers'>): string | null {
  const m = /^Bearer +(\S+)\s*$/i.exec(request.headers['authorization'] ?? '');
  return m?.[1] ?? null;
}

function noSession(): HttpError {
  return new HttpError(401, 'BAD_SESSION', 'no valid session: log in and send "Authorization: Bearer <token>"');
}

function loginFields(body: unknown): { user: string; password: string } {
  const b = objectBody(body, ['user', 'password'], 'BAD_LOGIN');
  const user = b['user'];
  const password = b['password'];
  if (typeof user !== 'string' || user === '' || typeof password !== 'string' || password === '') {
    throw new HttpError(400, 'BAD_LOGIN', 'send {"user": "<id>", "password": "<password>"} as JSON');
  }
  if (user.length > MAX_FIELD_LENGTH || password.length > MAX_FIELD_LENGTH) throw new HttpError(400, 'BAD_LOGIN', 'user or password too long');
  return { user, password };
}

/** What the roles allow, so a console shows only the views its user may use. */
export function permissionsOf(roles: readonly string[]): string[] {
  return PERMISSION_NAMES.filter((p) => mayPerform(roles, p));
}

export function authRoutes(deps: AuthRouteDeps): JsonRoute[] {
  const { authenticator } = deps;
  const throttle = deps.throttle ?? new LoginThrottle();
  const trustedProxies = trustedProxySet(deps.trustedProxies ?? []);
  const prefix = deps.prefix ?? '/api';
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const idleLock = deps.idleLock ?? DEFAULT_IDLE_LOCK;
  const images: ImageSources = deps.images ?? { origins: [], urlTemplate: null };

  // One user's logins are checked one after another, so each sees the failures before it and the
  // lockout after five holds however many are sent at once (to this gateway; other gateways race
  // only with their own one attempt in flight).
  const oneAtATime = oneAtATimePerKey();

  const login = async (request: JsonRequest): Promise<JsonReply> => {
    const address = clientAddress(request, trustedProxies);
    throttle.check(address);
    const { user, password } = loginFields(request.body);
    const settle = throttle.begin(address);
    let result: Awaited<ReturnType<Authenticator['login']>>;
    try {
      result = await oneAtATime(user, () => authenticator.login(user, password, address));
    } catch (error) {
      settle(false);
      throw error;
    }
    settle(!result.ok && result.reason !== 'not_authorised');
    if (result.ok) {
      return {
        status: 200,
        body: {
          token: result.token, expiresAt: new Date(result.expiresAt).toISOString(), user: result.user, permissions: permissionsOf(result.user.roles),
          idleLockMinutes: idleLockMinutes(idleLock, result.user.roles),
        },
      };
    }
    switch (result.reason) {
      case 'bad_credentials':
        throw new HttpError(401, 'BAD_CREDENTIALS', 'unknown user or wrong password');
      case 'locked':
        throw new HttpError(423, 'LOCKED', `too many failed logins from this address; try again after ${new Date(result.lockedUntil).toISOString()}, from your own workstation, or ask an administrator`);
      case 'slowed': {
        const retryAfterSeconds = Math.max(1, Math.ceil((result.retryAt - Date.now()) / 1000));
        throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many failed logins for this user from many addresses; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
      case 'not_authorised':
        throw new HttpError(403, 'NOT_AUTHORISED', result.detail);
    }
  };

  const logout = async (request: JsonRequest): Promise<JsonReply> => {
    const token = bearerToken(request);
    const reason = logoutReason(request.body);
    if (token === null || !(await authenticator.logout(token, reason))) throw noSession();
    deps.consoles?.endSession(token, SESSION_CLOSE_REASONS.loggedOut);
    deps.consoles?.tellOtherGateways(null);
    return { status: 204 };
  };

  const me = async (request: JsonRequest): Promise<JsonReply> => {
    const token = bearerToken(request);
    const session = token === null ? null : await authenticator.verify(token);
    if (session === null) throw noSession();
    return {
      status: 200,
      body: {
        user: { id: session.user, name: session.name, roles: session.roles }, permissions: permissionsOf(session.roles),
        expiresAt: new Date(session.expiresAt).toISOString(), timeZone, idleLockMinutes: idleLockMinutes(idleLock, session.roles), images,
      },
    };
  };

  return [
    { method: 'post', pattern: `${prefix}/login`, handler: login },
    { method: 'post', pattern: `${prefix}/logout`, handler: logout },
    { method: 'get', pattern: `${prefix}/me`, handler: me },
  ];
}
