// Individual sign-in (Watsonville §471.5(d)(g)(h), Martinez §439.4(d)): passwords per person,
// lockout after repeated failures, and sessions with expiry and logout. Only an active, trained
// user signs in or keeps a session; that is checked at every verification, so disabling a user or
// withdrawing training ends their sessions at once; saving such a change revokes them for good
// (users.ts saveUser), so re-enabling or retraining the user brings no old token back. Setting a
// password ends the user's sessions (all but the one that changed its own password), so a password
// changed after a token was stolen shuts the thief out. Every login, failure, lockout and logout
// goes to the access log (Watsonville §471.7(b)). Session rows themselves: sessions.ts.
//
// Sessions are random 32-byte tokens looked up in the `sessions` table by their SHA-256: a copy of
// the table gives no usable token, logout takes effect at once, and there is no signing key to
// keep or rotate. Lockout counts the failures in `login_attempts` within the window, so it
// survives a restart and holds across gateways. It is per account and client (the address the
// gateway computes, or the CLI's `via`): failures since that client's last success or the last
// password set lock that client out of the account, never the owner elsewhere, so a stranger's
// five wrong guesses cannot keep the chief from signing in. Guessing from many addresses is
// bounded by a ceiling across all clients that slows rather than locks: past it, a client that has
// not signed in to the account since its password was set gets one password check a spacing
// apart, while a client that has (the owner's own workstation) is not held back.
import { createHash, randomBytes } from 'node:crypto';
import { ACCESS_ACTIONS, ACCESS_OUTCOMES, type AccessAction, type AccessLog, type AccessOutcome } from './access-log.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { decoyHash, DEFAULT_SCRYPT_LOG_N, hashPassword, passwordMatches } from './password.js';
import { newestSessions, revokeSession, revokeUserSessions, type SessionRecord } from './sessions.js';
import { formatClickHouseTime, parseClickHouseTime, queryRows } from './sql.js';
import { timeZoneOf } from './department-day.js';
import { accessProblem, findUser, findUsers, type UserRole } from './users.js';

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
export const DEFAULT_MAX_LOGIN_FAILURES = 5;
export const DEFAULT_LOCKOUT_WINDOW_MS = 15 * 60_000;
export const DEFAULT_ACCOUNT_MAX_FAILURES = 30;
export const DEFAULT_ACCOUNT_WINDOW_MS = 60 * 60_000;
export const DEFAULT_ACCOUNT_SPACING_MS = 60_000;
const TOKEN_BYTES = 32;
const MAX_TOKEN_LENGTH = 256;
const MAX_USER_ID_LENGTH = 128;
/** Tokens looked up per query by verifyMany, so the parameter stays small on a ClickHouse server too. */
const TOKENS_PER_QUERY = 200;

export interface CredentialOptions {
  /** How long a session lasts after login. @default DEFAULT_SESSION_TTL_MS (12 h) */
  sessionTtlMs?: number;
  /** Failed logins from one client within the window that lock the account for that client. @default DEFAULT_MAX_LOGIN_FAILURES (5) */
  maxFailures?: number;
  /** The window failures are counted in; a lock lifts once fewer remain in it. @default DEFAULT_LOCKOUT_WINDOW_MS (15 min) */
  lockoutWindowMs?: number;
  /** Failed logins from all clients within `accountWindowMs` past which unproven clients are slowed. @default DEFAULT_ACCOUNT_MAX_FAILURES (30) */
  accountMaxFailures?: number;
  /** The window the account-wide ceiling counts in. @default DEFAULT_ACCOUNT_WINDOW_MS (1 h) */
  accountWindowMs?: number;
  /** Past the ceiling, the least time between an unproven client's attempt and the account's last failure. @default DEFAULT_ACCOUNT_SPACING_MS (1 min) */
  accountSpacingMs?: number;
  /** log2 of scrypt's N for new hashes. @default DEFAULT_SCRYPT_LOG_N (15) */
  scryptLogN?: number;
  /** The clock (tests move it). @default Date.now */
  now?: () => number;
}

export interface SignedInUser {
  id: string;
  name: string;
  roles: readonly UserRole[];
}

export type LoginOutcome =
  | { ok: true; token: string; expiresAt: number; user: SignedInUser }
  /** Unknown user and wrong password alike: the caller must not tell them apart. */
  | { ok: false; reason: 'bad_credentials' }
  /** Too many failures from this client: it is locked out of the account (other clients are not). */
  | { ok: false; reason: 'locked'; lockedUntil: number }
  /** Past the account-wide ceiling, this client's next check waits until `retryAt` (the password was not checked). */
  | { ok: false; reason: 'slowed'; retryAt: number }
  /** Right password, but inactive or untrained (Watsonville §471.5(d)). */
  | { ok: false; reason: 'not_authorised'; detail: string };

/** A valid session: `user` and `agencies` are what the gateway's SessionVerifier needs. */
export interface VerifiedSession {
  user: string;
  /** Absent: every agency (users are not yet bound to agencies). */
  agencies?: string[];
  name: string;
  roles: readonly UserRole[];
  expiresAt: number;
}

/** The CLI and a password change are never slowed: their clients are labels, not addresses a guesser can multiply. */
export type PasswordCheck = Exclude<LoginOutcome, { ok: true } | { reason: 'slowed' }> | { ok: true; user: SignedInUser };

/** Who is attempting: `via` for the access log, `client` the lockout's key beside the account. */
interface Attempt {
  via: string;
  client: string;
  params: Record<string, string>;
  /** Whether the account-wide ceiling applies (network logins). */
  ceiling: boolean;
}

type Db = Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;

/** The id a login is counted under: capped, so a huge one cannot bloat the attempts table. */
function cappedUserId(given: string): string {
  return given.slice(0, MAX_USER_ID_LENGTH);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sets a user's password (a new version); clears any lockout and ends every session of the user
 * still open, except the one whose token is `keepToken` (a user changing their own password keeps
 * the session they did it from). Returns how many sessions it ended. Throws WEAK_PASSWORD under
 * the policy (with the user's name and title, when registered), before anything is written.
 */
export async function setPassword(
  storage: Db, userId: string, password: string, setBy: string, logN = DEFAULT_SCRYPT_LOG_N, now = Date.now(), keepToken?: string,
): Promise<number> {
  // The user as registered, so a password of their own name or title is refused too (none yet: id only).
  const hash = await hashPassword(password, userId, logN, await findUser(storage, userId));
  const rows = await queryRows<{ v: number | string }>(
    storage.client,
    `SELECT max(version) AS v FROM ${storage.db}.credentials WHERE user_id = {id:String}`,
    { id: userId },
  );
  await storage.client.insert({
    table: `${storage.db}.credentials`,
    format: 'JSONEachRow',
    values: [{ user_id: userId, version: Number(rows[0]?.v ?? 0) + 1, password_hash: hash, set_at: now, set_by: setBy }],
  });
  await storage.client.insert({ table: `${storage.db}.login_attempts`, format: 'JSONEachRow', values: [{ user_id: userId, at: now, outcome: 'reset' }] });
  // After the new hash is in: a session opened with the old password a moment ago is ended too.
  return revokeUserSessions(storage, userId, now, keepToken === undefined ? undefined : tokenHash(keepToken));
}

/** Passwords, lockout and sessions over storage; implements the gateway's `Authenticator`. */
export class CredentialStore {
  readonly #storage: Db;
  readonly #log: AccessLog;
  readonly #ttlMs: number;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #accountMaxFailures: number;
  readonly #accountWindowMs: number;
  readonly #accountSpacingMs: number;
  readonly #logN: number;
  readonly #now: () => number;
  #decoy: Promise<string> | undefined;

  constructor(storage: Db, accessLog: AccessLog, options: CredentialOptions = {}) {
    this.#storage = storage;
    this.#log = accessLog;
    this.#ttlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#maxFailures = options.maxFailures ?? DEFAULT_MAX_LOGIN_FAILURES;
    this.#windowMs = options.lockoutWindowMs ?? DEFAULT_LOCKOUT_WINDOW_MS;
    this.#accountMaxFailures = options.accountMaxFailures ?? DEFAULT_ACCOUNT_MAX_FAILURES;
    this.#accountWindowMs = options.accountWindowMs ?? DEFAULT_ACCOUNT_WINDOW_MS;
    this.#accountSpacingMs = options.accountSpacingMs ?? DEFAULT_ACCOUNT_SPACING_MS;
    this.#logN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
    this.#now = options.now ?? Date.now;
    const problems: string[] = [];
    if (!(this.#ttlMs > 0)) problems.push('sessionTtlMs must be positive');
    if (!Number.isInteger(this.#maxFailures) || this.#maxFailures < 1) problems.push('maxFailures must be a positive integer');
    if (!(this.#windowMs > 0)) problems.push('lockoutWindowMs must be positive');
    if (!Number.isInteger(this.#accountMaxFailures) || this.#accountMaxFailures < 1) problems.push('accountMaxFailures must be a positive integer');
    if (!(this.#accountWindowMs > 0)) problems.push('accountWindowMs must be positive');
    if (!(this.#accountSpacingMs > 0)) problems.push('accountSpacingMs must be positive');
    if (!Number.isInteger(this.#logN) || this.#logN < 15) problems.push('scryptLogN must be an integer ≥ 15');
    if (problems.length > 0) throw new StorageError('INVALID_CONFIG', `invalid credential options: ${problems.join('; ')}`);
  }

  /**
   * Sets a password and ends the user's other sessions (see `setPassword`); the sessions ended go
   * to the access log under the user, like a logout. Returns how many were ended.
   */
  async setPassword(userId: string, password: string, setBy: string, keepToken?: string): Promise<number> {
    const ended = await setPassword(this.#storage, userId, password, setBy, this.#logN, this.#now(), keepToken);
    if (ended > 0) await this.#audit(userId, ACCESS_ACTIONS.logout, ACCESS_OUTCOMES.ok, { via: 'password set', setBy, sessions: ended }, '');
    return ended;
  }

  /**
   * Checks a password against lockout, the stored hash and the user's standing, recording the
   * attempt and writing the access log, without opening a session (the CLI's `--as`). `via` says
   * where the attempt came from (e.g. 'cli'); it is also the lockout's client, so failures there
   * lock that way in, not the user's sign-in over HTTP.
   */
  async checkPassword(userIdGiven: string, password: string, via: string): Promise<PasswordCheck> {
    const attempt: Attempt = { via, client: via, params: { via }, ceiling: false };
    const userId = cappedUserId(userIdGiven);
    const check = (await this.#lockRefusal(userId, attempt)) ?? (await this.#check(userId, password, attempt));
    if (check.ok) await this.#audit(check.user.id, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.ok, { via }, '');
    return check;
  }

  /** The refusal of a client locked out of the account, or null. */
  async #lockRefusal(userId: string, { client, params }: Attempt): Promise<Extract<LoginOutcome, { reason: 'locked' }> | null> {
    const lockedUntil = await this.#lockedUntil(userId, client);
    if (lockedUntil === null) return null;
    await this.#audit(userId, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.refused, params, `account locked for this client until ${new Date(lockedUntil).toISOString()}`);
    return { ok: false, reason: 'locked', lockedUntil };
  }

  /** The refusal of a client held back by the account-wide ceiling, or null. */
  async #ceilingRefusal(userId: string, { client, params }: Attempt): Promise<Extract<LoginOutcome, { reason: 'slowed' }> | null> {
    const ceiling = await this.#accountCeiling(userId, client);
    if (ceiling.retryAt === null) return null;
    await this.#audit(userId, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.refused, params,
      `slowed: ${ceiling.failures} failed logins within ${this.#accountWindowMs / 60_000} min from all clients; next try after ${new Date(ceiling.retryAt).toISOString()}`);
    return { ok: false, reason: 'slowed', retryAt: ceiling.retryAt };
  }

  /** The password and the user's standing, once the client may try; no access log record of a success (the caller writes it). */
  async #check(userId: string, password: string, attempt: Attempt): Promise<PasswordCheck> {
    const { client, params } = attempt;
    const stored = await this.#passwordHash(userId);
    // An unknown user costs the same scrypt as a known one, so timing does not tell them apart.
    const matches = await passwordMatches(password, stored ?? (await (this.#decoy ??= decoyHash(this.#logN))));
    if (stored === undefined || !matches) {
      await this.#recordAttempt(userId, client, 'failed');
      await this.#audit(userId, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.refused, params, stored === undefined ? 'unknown user or no password set' : 'wrong password');
      const nowLocked = await this.#lockedUntil(userId, client);
      if (nowLocked !== null) {
        await this.#audit(userId, ACCESS_ACTIONS.lockout, ACCESS_OUTCOMES.ok, params,
          `${this.#maxFailures} failed logins within ${this.#windowMs / 60_000} min from this client; locked for it until ${new Date(nowLocked).toISOString()}`);
      }
      // As the ceiling is reached (not at every failure past it): the account is being guessed at from many places.
      if (attempt.ceiling && (await this.#accountCeiling(userId, client)).failures === this.#accountMaxFailures) {
        await this.#audit(userId, ACCESS_ACTIONS.lockout, ACCESS_OUTCOMES.ok, params,
          `${this.#accountMaxFailures} failed logins within ${this.#accountWindowMs / 60_000} min from all clients; clients that have not signed in since the password was set get one try every ${this.#accountSpacingMs / 1000} s`);
      }
      return { ok: false, reason: 'bad_credentials' };
    }
    const user = await findUser(this.#storage, userId);
    const problem = accessProblem(user, userId, Date.now(), timeZoneOf(this.#storage));
    if (problem !== null || user === undefined) {
      await this.#audit(userId, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.refused, params, problem ?? 'not authorised');
      return { ok: false, reason: 'not_authorised', detail: problem ?? 'not authorised' };
    }
    await this.#recordAttempt(userId, client, 'ok');
    return { ok: true, user: { id: user.userId, name: user.name, roles: user.roles } };
  }

  /**
   * Signs a user in: a new session on success. `client` is the address the attempt came from (the
   * gateway's, through trusted proxies): the lockout is kept per account and client.
   */
  async login(userIdGiven: string, password: string, client = ''): Promise<LoginOutcome> {
    const attempt: Attempt = { via: 'http', client, params: client === '' ? { via: 'http' } : { via: 'http', client }, ceiling: true };
    const userId = cappedUserId(userIdGiven);
    const check = (await this.#lockRefusal(userId, attempt)) ?? (await this.#ceilingRefusal(userId, attempt)) ?? (await this.#check(userId, password, attempt));
    if (!check.ok) return check;
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const issuedAt = this.#now();
    const expiresAt = issuedAt + this.#ttlMs;
    await this.#storage.client.insert({
      table: `${this.#storage.db}.sessions`,
      format: 'JSONEachRow',
      values: [{ token_hash: tokenHash(token), version: 1, user_id: check.user.id, issued_at: issuedAt, expires_at: expiresAt, revoked_at: null }],
    });
    await this.#audit(check.user.id, ACCESS_ACTIONS.login, ACCESS_OUTCOMES.ok, { via: 'http', expiresAt: new Date(expiresAt).toISOString() }, '');
    return { ok: true, token, expiresAt, user: check.user };
  }

  /** The session's user, or null unless the session is valid, unexpired, unrevoked and its user active and trained. */
  async verify(token: string): Promise<VerifiedSession | null> {
    return (await this.verifyMany([token])).get(token) ?? null;
  }

  /**
   * `verify` for many tokens at once, in two queries per TOKENS_PER_QUERY tokens however many
   * users they belong to: the gateway re-checks every open console's session this way on a timer.
   * Every token given is a key of the answer.
   */
  async verifyMany(tokens: readonly string[]): Promise<Map<string, VerifiedSession | null>> {
    const out = new Map<string, VerifiedSession | null>();
    const distinct = [...new Set(tokens)];
    for (let i = 0; i < distinct.length; i += TOKENS_PER_QUERY) {
      const chunk = distinct.slice(i, i + TOKENS_PER_QUERY);
      const sessions = await this.#sessions(chunk);
      const now = this.#now();
      const live = [...sessions.values()].filter((s) => !s.revoked && s.expiresAt > now);
      const users = await findUsers(this.#storage, live.map((s) => s.userId));
      for (const token of chunk) {
        const session = sessions.get(token);
        const user = session === undefined ? undefined : users.get(session.userId);
        const valid = session !== undefined && !session.revoked && session.expiresAt > now && user !== undefined && accessProblem(user, session.userId, Date.now(), timeZoneOf(this.#storage)) === null;
        out.set(token, valid ? { user: user.userId, name: user.name, roles: user.roles, expiresAt: session.expiresAt } : null);
      }
    }
    return out;
  }

  /** Revokes the session; false when it was not a valid one. */
  /** `reason`: why a console ended the session itself (`idle_lock`), kept in the access log's params. */
  async logout(token: string, reason?: string): Promise<boolean> {
    const session = await this.#session(token);
    if (session === undefined || session.revoked || session.expiresAt <= this.#now()) return false;
    await revokeSession(this.#storage, tokenHash(token), session, this.#now());
    await this.#audit(session.userId, ACCESS_ACTIONS.logout, ACCESS_OUTCOMES.ok, { via: 'http', ...(reason === undefined ? {} : { reason }) }, '');
    return true;
  }

  async #session(token: string): Promise<SessionRecord | undefined> {
    return (await this.#sessions([token])).get(token);
  }

  /** The newest version of each token's session; tokens of no session (or malformed) are absent. */
  async #sessions(tokens: readonly string[]): Promise<Map<string, SessionRecord>> {
    const byHash = new Map<string, string>();
    for (const token of tokens) if (token.length > 0 && token.length <= MAX_TOKEN_LENGTH) byHash.set(tokenHash(token), token);
    const out = new Map<string, SessionRecord>();
    for (const [hash, session] of await newestSessions(this.#storage, [...byHash.keys()])) {
      const token = byHash.get(hash);
      if (token !== undefined) out.set(token, session);
    }
    return out;
  }

  async #passwordHash(userId: string): Promise<string | undefined> {
    const rows = await queryRows<{ password_hash: string }>(
      this.#storage.client,
      `SELECT password_hash FROM ${this.#storage.db}.credentials WHERE user_id = {id:String} ORDER BY version DESC LIMIT 1`,
      { id: userId },
    );
    return rows[0]?.password_hash;
  }

  /**
   * When the client's lock lifts: the oldest of its last `maxFailures` failures leaves the window.
   * Null when not locked. Only the client's own success, or a password set, starts its count anew:
   * the owner signing in elsewhere does not unlock a guesser's address.
   */
  async #lockedUntil(userId: string, client: string): Promise<number | null> {
    const now = this.#now();
    const rows = await queryRows<{ at_text: string }>(
      this.#storage.client,
      `SELECT toString(at) AS at_text FROM ${this.#storage.db}.login_attempts
        WHERE user_id = {id:String} AND client = {client:String} AND outcome = 'failed'
          AND at > {since:DateTime64(3, 'UTC')} AND at <= {now:DateTime64(3, 'UTC')}
          AND at > (SELECT max(at) FROM ${this.#storage.db}.login_attempts
                     WHERE user_id = {id:String} AND (outcome = 'reset' OR (outcome = 'ok' AND client = {client:String})))
        ORDER BY at DESC LIMIT {n:UInt32}`,
      { id: userId, client, since: formatClickHouseTime(now - this.#windowMs), now: formatClickHouseTime(now), n: this.#maxFailures },
    );
    if (rows.length < this.#maxFailures) return null;
    return parseClickHouseTime((rows[rows.length - 1] as { at_text: string }).at_text).getTime() + this.#windowMs;
  }

  /**
   * The account's failures from all clients within the account window since the password was set,
   * and, past the ceiling, when `client` may try next (null: now). A client that has signed in to
   * the account since then is never held back: its own lockout bounds it.
   */
  async #accountCeiling(userId: string, client: string): Promise<{ failures: number; retryAt: number | null }> {
    const now = this.#now();
    const rows = await queryRows<{ failures: number | string; newest: string; proven: number | string }>(
      this.#storage.client,
      `SELECT countIf(outcome = 'failed' AND at > {since:DateTime64(3, 'UTC')}) AS failures,
              toString(maxIf(at, outcome = 'failed')) AS newest,
              countIf(outcome = 'ok' AND client = {client:String}) AS proven
         FROM ${this.#storage.db}.login_attempts
        WHERE user_id = {id:String} AND at <= {now:DateTime64(3, 'UTC')}
          AND at > (SELECT max(at) FROM ${this.#storage.db}.login_attempts WHERE user_id = {id:String} AND outcome = 'reset')`,
      { id: userId, client, since: formatClickHouseTime(now - this.#accountWindowMs), now: formatClickHouseTime(now) },
    );
    const row = rows[0];
    const failures = Number(row?.failures ?? 0);
    if (row === undefined || failures < this.#accountMaxFailures || Number(row.proven) > 0) return { failures, retryAt: null };
    const retryAt = parseClickHouseTime(row.newest).getTime() + this.#accountSpacingMs;
    return { failures, retryAt: retryAt > now ? retryAt : null };
  }

  async #recordAttempt(userId: string, client: string, outcome: 'ok' | 'failed'): Promise<void> {
    await this.#storage.client.insert({
      table: `${this.#storage.db}.login_attempts`,
      format: 'JSONEachRow',
      values: [{ user_id: userId, at: this.#now(), client, outcome }],
    });
  }

  async #audit(user: string, action: AccessAction, outcome: AccessOutcome, params: unknown, detail: string): Promise<void> {
    await this.#log.append({ user, action, outcome, params, rowsReturned: 0, caseNumber: '', reason: '', detail });
  }
}
