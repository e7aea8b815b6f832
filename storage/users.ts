// Users of ALPR data: individual, trained and active (Watsonville §471.4.1(a)(b), §471.5(d)(g)(h);
// Martinez §439.4(d)). Every version is kept; the newest in effect at a time is the user then.
import { SYSTEM_USER } from './access-log.js';
import { DEFAULT_TIME_ZONE, dayIn, timeZoneOf } from './department-day.js';
import { StorageError } from './errors.js';
import type { Storage } from './open.js';
import { revokeUserSessions } from './sessions.js';
import { formatClickHouseTime, queryRows } from './sql.js';
import { CLAIM_KINDS, underClaim, type VersionClaims } from './version-claims.js';

/**
 * `chief`: the Chief of Police or the designee who approves releases (Watsonville §471.8(b));
 * `custodian`: the Custodian of Records (§471.4.1(f)). What each role may do: permissions.ts.
 */
export const USER_ROLES = ['officer', 'dispatcher', 'analyst', 'administrator', 'supervisor', 'auditor', 'custodian', 'chief'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  userId: string;
  name: string;
  title: string;
  roles: readonly UserRole[];
  /** Date department-approved ALPR training was completed; null when not yet trained. */
  trainedAt: string | null;
  /** Date the training lapses (YYYY-MM-DD, the last day it counts is the day before); null or absent: no expiry. */
  trainingExpiresAt?: string | null;
  active: boolean;
  /**
   * The stored version this was read as (findUser, listUsers). Saving it back writes the next
   * version only if none was written since: an edit never silently undoes a change it did not see.
   */
  version?: number;
}

/**
 * Ids the code writes in records as itself, never a person: SYSTEM_USER in the access log (its
 * retroactive searches, which the §471.9 audit and the transparency report count apart from
 * employees' inquiries), `system` as the decider of an automatic release refusal, `platewatch`
 * (the embedded NATS user, the database) and `retroactive`. A person
 * holding one would have their searches taken for the system's and left out of the audit sample.
 * Compared in lower case with `-`, `_` and `.` dropped, so `Platewatch_System` reads as reserved
 * too; every id beginning `platewatch` is kept for the system's future names. Not `cli`: that is
 * only how an action came in (`via`), never a user, and it is C. Li's usual id (verification QA).
 */
export const RESERVED_USER_IDS = [SYSTEM_USER, 'system', 'platewatch', 'retroactive'] as const;
const RESERVED_PREFIX = 'platewatch';
const RESERVED_FOLDED = new Set<string>(RESERVED_USER_IDS.map(foldId));
const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

function foldId(id: string): string {
  return id.toLowerCase().replace(/[-_.]/g, '');
}

/** True when `userId` is, or reads as, a name the system uses for itself (RESERVED_USER_IDS). */
export function isReservedUserId(userId: string): boolean {
  const folded = foldId(userId);
  return RESERVED_FOLDED.has(folded) || folded.startsWith(RESERVED_PREFIX);
}

function reservedIdMessage(userId: string): string {
  return `user id "${userId}" is reserved: the system records its own actions under ${RESERVED_USER_IDS.map((id) => `"${id}"`).join(', ')} ` +
    `(and ids beginning "${RESERVED_PREFIX}"), whatever the case; a person needs an id of their own`;
}

/** Why `userId` cannot be given to a new user, or null: the one rule `users add` and POST /api/users apply. */
export function userIdProblem(userId: string): string | null {
  if (!USER_ID_PATTERN.test(userId)) return 'a user id must be 1–64 of A-Z a-z 0-9 _ . @ -';
  return isReservedUserId(userId) ? reservedIdMessage(userId) : null;
}

type UserRow = {
  user_id: string; version: number | string; name: string; title: string; roles: UserRole[]; trained_at: string | null;
  training_expires_at: string | null; active: boolean | number;
};
const USER_COLUMNS = 'user_id, version, name, title, roles, trained_at, training_expires_at, active';

function fromRow(r: UserRow): User {
  return {
    userId: r.user_id, name: r.name, title: r.title, roles: r.roles, trainedAt: r.trained_at,
    trainingExpiresAt: r.training_expires_at, active: Boolean(r.active), version: Number(r.version),
  };
}

/** `config`, when there, gives the department's time zone (training days are days there). */
type Db = Pick<Storage, 'client' | 'db'> & Partial<Pick<Storage, 'config'>>;

/**
 * Records a new version of the user. Given `user.version` (what the caller read), only the version
 * after it, and CONCURRENT_CHANGE when another was written since; without it, the version after
 * the newest stored (a new user, or a deliberate overwrite). With `claims` (shared by every
 * gateway), CONCURRENT_CHANGE too when another process writes that same version now.
 *
 * User ids are unique whatever their case: the access log, covert lists and hits name people by
 * id, and `ADMIN1` beside `admin1` reads as one person. A first version whose id differs only in
 * case from a stored one is refused as CONCURRENT_CHANGE, as a second add of the same id is, saying
 * which id exists. Ids keep the case they were added with; sign-in compares them as stored, so
 * ids written before this rule (even two differing in case) keep working.
 *
 * A session ended by the user's loss of access stays ended (§471.5(d)): a version that withdraws
 * access (disabled, untrained, training lapsed) revokes the user's open sessions once written, and a
 * version written while the stored one denies access (re-enabling, retraining, extending a lapsed
 * training) revokes them before it is written, so no token from before comes back with the access;
 * the user signs in again. Both in storage, so every gateway sees it. Returns how many it ended.
 */
export async function saveUser(storage: Db, user: User, updatedBy: string, claims?: VersionClaims): Promise<number> {
  const newest = await findUser(storage, user.userId);
  const stored = newest?.version ?? 0;
  const basis = user.version ?? stored;
  const firstVersion = basis === 0;
  const changed = (): never => {
    if (firstVersion) throw new StorageError('CONCURRENT_CHANGE', `user "${user.userId}" exists already: someone else added it at the same moment`);
    throw new StorageError('CONCURRENT_CHANGE', `user "${user.userId}" was changed by someone else ${stored === basis ? 'at the same moment' : `since it was read (version ${stored} now, ${basis} read)`}; reload and try again`);
  };
  if (stored !== basis) changed();
  if (firstVersion) {
    // Only the reserved names here: ids stored before the pattern was enforced keep their versions.
    if (isReservedUserId(user.userId)) throw new StorageError('RESERVED_USER_ID', reservedIdMessage(user.userId));
    const taken = await sameIdOtherCase(storage, user.userId);
    if (taken !== undefined) {
      throw new StorageError('CONCURRENT_CHANGE', `user "${user.userId}" exists already as "${taken}": user ids are unique whatever their case`);
    }
  }
  const now = Date.now();
  const timeZone = timeZoneOf(storage);
  const restoring = newest !== undefined && accessProblem(newest, user.userId, now, timeZone) !== null;
  let ended = 0;
  // Before the write: were it written first, the old tokens would be valid until revoked. No
  // session can open in between, as the stored version refuses sign-in.
  if (restoring) ended = await revokeUserSessions(storage, user.userId, now);
  // The claim of a first version is on the id in lower case, so `ADMIN1` and `admin1` added on two
  // gateways at the same moment claim the same thing and one is refused.
  const claimed = firstVersion ? user.userId.toLowerCase() : user.userId;
  await underClaim(claims, CLAIM_KINDS.user, claimed, basis + 1, changed, () => storage.client.insert({
    table: `${storage.db}.users`,
    format: 'JSONEachRow',
    values: [
      {
        user_id: user.userId, version: basis + 1, name: user.name, title: user.title, roles: user.roles,
        trained_at: user.trainedAt, training_expires_at: user.trainingExpiresAt ?? null, active: user.active, updated_at: now, updated_by: updatedBy,
      },
    ],
  }));
  // After the write: a refused change must not sign anyone out; a login racing it is refused by
  // the version now stored, and a session it opened is ended when access is restored (above).
  if (!restoring && accessProblem(user, user.userId, now, timeZone) !== null) ended = await revokeUserSessions(storage, user.userId, now);
  return ended;
}

/** A stored user id equal to `userId` but for case, or undefined. */
async function sameIdOtherCase(storage: Db, userId: string): Promise<string | undefined> {
  const rows = await queryRows<{ user_id: string }>(
    storage.client,
    `SELECT DISTINCT user_id FROM ${storage.db}.users WHERE lowerUTF8(user_id) = lowerUTF8({id:String}) AND user_id != {id:String} LIMIT 1`,
    { id: userId },
  );
  return rows[0]?.user_id;
}

/** The user as registered now, or as of `asOf` (the version in effect then). */
export async function findUser(storage: Db, userId: string, asOf?: Date | number): Promise<User | undefined> {
  const params: Record<string, unknown> = { id: userId };
  let when = '';
  if (asOf !== undefined) {
    params['asOf'] = formatClickHouseTime(asOf);
    when = "AND updated_at <= {asOf:DateTime64(3, 'UTC')}";
  }
  const rows = await queryRows<UserRow>(
    storage.client,
    `SELECT ${USER_COLUMNS} FROM ${storage.db}.users
      WHERE user_id = {id:String} ${when} ORDER BY version DESC LIMIT 1`,
    params,
  );
  const r = rows[0];
  return r === undefined ? undefined : fromRow(r);
}

/**
 * Why the user may not access ALPR data on `now`'s date in the department's `timeZone` (training
 * dates are days there: one lapsing on the 10th lets the user in until midnight on the 9th,
 * there), or null when they may.
 */
export function accessProblem(user: User | undefined, userId: string, now: Date | number = Date.now(), timeZone: string = DEFAULT_TIME_ZONE): string | null {
  if (user === undefined) return `user "${userId}" is not a registered ALPR user (Watsonville §471.5(h): individual credentials)`;
  // An account given a reserved id before ids were checked: its searches would pass for the system's.
  if (isReservedUserId(userId)) return `user id "${userId}" is reserved for the system and cannot sign in; an administrator must give this person a new id and disable this one`;
  if (!user.active) return `user "${userId}" is not active`;
  if (user.trainedAt === null) return `user "${userId}" has not completed ALPR training (Watsonville §471.5(d))`;
  const today = dayIn(timeZone, now);
  if (user.trainedAt > today) {
    return `user "${userId}"'s ALPR training is recorded for ${user.trainedAt}, a day still to come (Watsonville §471.5(d))`;
  }
  const expires = user.trainingExpiresAt ?? null;
  if (expires !== null && expires <= today) {
    return `user "${userId}"'s ALPR training expired on ${expires}; it must be renewed (Watsonville §471.5(d), §471.10)`;
  }
  return null;
}

/** Throws USER_NOT_AUTHORISED unless the user may access ALPR data. */
export async function authoriseUser(storage: Db, userId: string): Promise<User> {
  const user = await findUser(storage, userId);
  const problem = accessProblem(user, userId, Date.now(), timeZoneOf(storage));
  if (problem !== null || user === undefined) throw new StorageError('USER_NOT_AUTHORISED', problem ?? 'not authorised');
  return user;
}

/**
 * The users as registered now, keyed by id; an id with no user is absent. One query however many
 * ids (the gateway re-checks every open console's session on a timer: storage/credentials.ts).
 */
export async function findUsers(storage: Db, userIds: readonly string[]): Promise<Map<string, User>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await queryRows<UserRow>(
    storage.client,
    `SELECT ${USER_COLUMNS} FROM ${storage.db}.users
      WHERE user_id IN {ids:Array(String)} ORDER BY user_id, version DESC LIMIT 1 BY user_id`,
    { ids },
  );
  return new Map(rows.map((r) => [r.user_id, fromRow(r)]));
}

/** Every registered user as registered now, by id. */
export async function listUsers(storage: Db): Promise<User[]> {
  const rows = await queryRows<UserRow>(
    storage.client,
    `SELECT ${USER_COLUMNS} FROM ${storage.db}.users
      ORDER BY user_id, version DESC LIMIT 1 BY user_id`,
  );
  return rows.map(fromRow);
}
